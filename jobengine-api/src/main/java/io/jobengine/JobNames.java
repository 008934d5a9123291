package io.jobengine;

import java.util.regex.Pattern;

/**
 * The rules for names that end up in the database and in thread names: job types, queue names
 * and node names. Every entry point validates with these, so a store can rely on them and a bad
 * name fails where it is written, with a message that shows the rule.
 */
public final class JobNames {

  /** Job types: letters, digits, {@code . _ : -}; up to 100 characters; starting alphanumeric. */
  public static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");

  /** Queue names: letters, digits, {@code . _ -}; up to 64 characters; starting alphanumeric. */
  public static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Node names: letters, digits, {@code . _ : @ -}; up to 100 characters; starting alphanumeric. */
  public static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}");

  /** The queue a job goes to when its request names none. */
  public static final String DEFAULT_QUEUE = "default";

  /** The most characters of a rejected value that {@link #quote} shows. */
  public static final int MAX_QUOTED_LENGTH = 200;

  private static final char LINE_SEPARATOR = (char) 0x2028;
  private static final char PARAGRAPH_SEPARATOR = (char) 0x2029;

  private JobNames() {}

  /**
   * Checks a job type.
   *
   * @param type the type
   * @return {@code type}
   * @throws IllegalArgumentException if it is null, blank or breaks {@link #TYPE}
   */
  public static String requireType(String type) {
    return require("job type", type, TYPE);
  }

  /**
   * Checks a queue name.
   *
   * @param queue the queue name
   * @return {@code queue}
   * @throws IllegalArgumentException if it is null, blank or breaks {@link #QUEUE}
   */
  public static String requireQueue(String queue) {
    return require("queue name", queue, QUEUE);
  }

  /**
   * Checks a node name.
   *
   * @param node the node name
   * @return {@code node}
   * @throws IllegalArgumentException if it is null, blank or breaks {@link #NODE}
   */
  public static String requireNode(String node) {
    return require("node name", node, NODE);
  }

  private static String require(String what, String value, Pattern pattern) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "The " + what + " is " + (value == null ? "null" : "blank")
              + "; it must match " + pattern.pattern());
    }
    if (!pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "Invalid " + what + " " + quote(value) + ": it must match " + pattern.pattern());
    }
    return value;
  }

  /**
   * Quotes a value for an error message that echoes it, such as a rejected name or option: in
   * single quotes, with backslashes, line breaks, other control characters and the Unicode line
   * separators escaped (as {@code \n}, {@code \r}, {@code \t}, {@code \\}, or a backslash, a
   * {@code u} and four hex digits), and cut after {@value
   * #MAX_QUOTED_LENGTH} characters. A message built this way stays one line in a log, and a value
   * cannot forge a log line of its own. Every message in jobengine that echoes a rejected value
   * quotes it with this method.
   *
   * @param value the value, may be null
   * @return the value escaped in single quotes, or the word {@code null} for null
   */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    int shown = Math.min(value.length(), MAX_QUOTED_LENGTH);
    StringBuilder out = new StringBuilder(shown + 2).append('\'');
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (Character.isISOControl(c) || c == LINE_SEPARATOR || c == PARAGRAPH_SEPARATOR) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('\'');
    if (shown < value.length()) {
      out.append(" (cut after ").append(shown).append(" of ").append(value.length())
          .append(" characters)");
    }
    return out.toString();
  }
}
