package io.jobengine.core;

import io.jobengine.JobContext;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;

/**
 * Renders what a handler threw as the text stored with its job, in the shape of a stack trace,
 * and never fails doing so. {@link Throwable#printStackTrace()} is not used because it trusts the
 * throwable: it calls {@code toString()} (and so {@code getMessage()}) of every throwable in the
 * chain, any of which may throw, and recurses once per cause, so a chain thousands deep overflows
 * the stack. An error that cannot be described would leave the attempt without an outcome.
 *
 * <p>Here every call into the throwable ({@code toString}, {@code getMessage}, {@code getCause},
 * {@code getStackTrace}) is guarded: when one throws, the line falls back to the class name and
 * says what was thrown. The walk is a loop over the cause chain with an identity set against
 * cycles; it shows at most {@link #MAX_CAUSES} causes, {@link #MAX_SUPPRESSED} suppressed
 * exceptions per throwable (one level deep), {@link #MAX_FRAMES} frames per throwable and {@link
 * #MAX_LINE_LENGTH} characters of each headline; the whole text is cut to {@link
 * JobContext#MAX_ERROR_LENGTH} characters.
 */
final class ErrorText {
  /** The most causes shown below the throwable itself. */
  static final int MAX_CAUSES = 20;

  /** The most suppressed exceptions shown for each throwable. */
  static final int MAX_SUPPRESSED = 5;

  /** The most stack frames shown for each throwable. */
  static final int MAX_FRAMES = 40;

  /** The longest headline ({@code toString()}) shown of one throwable. */
  static final int MAX_LINE_LENGTH = 1000;

  private final StringBuilder text = new StringBuilder();
  private final int max;
  private final Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());

  private ErrorText(int max) {
    this.max = max;
  }

  /** The stored text of {@code failure}, at most {@link JobContext#MAX_ERROR_LENGTH} long. */
  static String describe(Throwable failure) {
    return describe(failure, JobContext.MAX_ERROR_LENGTH);
  }

  /** The text of {@code failure}, at most {@code max} characters long. */
  static String describe(Throwable failure, int max) {
    if (failure == null) {
      return "null";
    }
    ErrorText out = new ErrorText(max);
    try {
      out.chain(failure);
    } catch (RuntimeException | StackOverflowError e) {
      // Cannot happen by design; if it does, the class name is still a description.
      return Texts.cut(failure.getClass().getName() + " (its description failed: "
          + e.getClass().getName() + ")", max);
    }
    return Texts.cut(out.text.toString().stripTrailing(), max);
  }

  /** One line naming the throwable: its {@code toString()}, or the class name if that throws. */
  static String headline(Throwable t) {
    String name = t.getClass().getName();
    String line;
    try {
      line = t.toString();
    } catch (Throwable e) {
      line = name + messageOf(t) + " (its toString() threw " + e.getClass().getName() + ")";
    }
    if (line == null) {
      line = name;
    }
    return Texts.cut(line, MAX_LINE_LENGTH);
  }

  /** ": message" if getMessage() answers, else what it threw; getMessage() may be overridden too. */
  private static String messageOf(Throwable t) {
    try {
      String message = t.getMessage();
      return message == null ? "" : ": " + message;
    } catch (Throwable e) {
      return " (its getMessage() threw " + e.getClass().getName() + ")";
    }
  }

  /** The throwable and its causes, in a loop: the chain may be thousands deep. */
  private void chain(Throwable top) {
    StackTraceElement[] enclosing = new StackTraceElement[0];
    Throwable t = top;
    for (int depth = 0; t != null && !full(); depth++) {
      String prefix = depth == 0 ? "" : "Caused by: ";
      if (depth > MAX_CAUSES) {
        line("", "... further causes not shown");
        return;
      }
      if (!seen.add(t)) {
        line("", prefix + "[CIRCULAR REFERENCE: " + headline(t) + "]");
        return;
      }
      StackTraceElement[] trace = frames(t);
      one(t, prefix, "", trace, enclosing);
      suppressed(t, "\t", trace);
      enclosing = trace;
      t = causeOf(t);
    }
  }

  /** Suppressed exceptions of {@code t}, each with its frames, one level deep. */
  private void suppressed(Throwable t, String indent, StackTraceElement[] enclosing) {
    Throwable[] suppressed = t.getSuppressed(); // final in Throwable: cannot be overridden
    for (int i = 0; i < suppressed.length && !full(); i++) {
      if (i == MAX_SUPPRESSED) {
        line(indent, "... " + (suppressed.length - i) + " more suppressed");
        return;
      }
      Throwable s = suppressed[i];
      if (s == null) {
        continue;
      }
      if (!seen.add(s)) {
        line(indent, "Suppressed: [CIRCULAR REFERENCE: " + headline(s) + "]");
        continue;
      }
      one(s, "Suppressed: ", indent, frames(s), enclosing);
      Throwable cause = causeOf(s);
      if (cause != null) {
        line(indent + "\t", "Caused by: " + headline(cause) + " (further detail not shown)");
      }
    }
  }

  /** The headline and the frames of one throwable not shared with the enclosing trace. */
  private void one(
      Throwable t, String prefix, String indent, StackTraceElement[] trace, StackTraceElement[] enclosing) {
    line(indent, prefix + headline(t));
    int m = trace.length - 1;
    int n = enclosing.length - 1;
    while (m >= 0 && n >= 0 && Objects.equals(trace[m], enclosing[n])) {
      m--;
      n--;
    }
    int shown = Math.min(m + 1, MAX_FRAMES);
    for (int i = 0; i < shown && !full(); i++) {
      line(indent, "\tat " + trace[i]);
    }
    int more = trace.length - shown;
    if (more > 0) {
      line(indent, "\t... " + more + " more");
    }
  }

  private static StackTraceElement[] frames(Throwable t) {
    try {
      StackTraceElement[] trace = t.getStackTrace();
      return trace == null ? new StackTraceElement[0] : trace;
    } catch (Throwable e) {
      return new StackTraceElement[0];
    }
  }

  private static Throwable causeOf(Throwable t) {
    try {
      return t.getCause();
    } catch (Throwable e) {
      return null;
    }
  }

  private void line(String indent, String line) {
    text.append(indent).append(line).append('\n');
  }

  /** Past the limit nothing more is shown; the text is cut in {@link #describe}. */
  private boolean full() {
    return text.length() > max;
  }
}
