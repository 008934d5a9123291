package io.jobengine.examples;

import io.jobengine.JobInfo;
import java.io.PrintStream;
import java.util.List;

/**
 * Draws jobs as a table with progress bars. On a terminal it redraws in place; elsewhere (a pipe,
 * CI) it prints a new table only when something changed.
 */
final class LiveTable {
  private static final int BAR = 20;
  private final PrintStream out;
  private final boolean redraw;
  private int linesDrawn;
  private String last = "";

  LiveTable(PrintStream out, boolean redraw) {
    this.out = out;
    this.redraw = redraw;
  }

  void draw(List<JobInfo> jobs) {
    StringBuilder table = new StringBuilder();
    table.append(String.format("%-8s  %-16s  %-9s  %-7s  %-27s  %s%n",
        "JOB", "TYPE", "STATUS", "ATTEMPT", "PROGRESS", "MESSAGE"));
    for (JobInfo job : jobs) {
      int percent = job.progressPercent() == null ? 0 : job.progressPercent();
      table.append(String.format("%-8s  %-16s  %-9s  %-7s  %-27s  %s%n",
          job.id().toString().substring(job.id().toString().length() - 8),
          job.type(),
          job.status(),
          job.attempt() + "/" + (job.maxAttempts() == null ? "-" : job.maxAttempts()),
          bar(percent),
          message(job)));
    }
    String text = table.toString();
    if (text.equals(last)) {
      return;
    }
    last = text;
    if (redraw && linesDrawn > 0) {
      out.print("\u001b[" + linesDrawn + "F\u001b[J"); // up to the table's first line, clear below
    } else if (!redraw) {
      out.println();
    }
    out.print(text);
    out.flush();
    linesDrawn = jobs.size() + 1;
  }

  private static String bar(int percent) {
    int filled = percent * BAR / 100;
    return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "]" + String.format(" %3d%%", percent);
  }

  private static String message(JobInfo job) {
    String text;
    if (!job.warnings().isEmpty()) {
      text = "warning: " + job.warnings().get(0);
    } else if (job.lastError() != null && !job.status().isTerminal()) {
      text = "retrying after: " + firstLine(job.lastError());
    } else {
      text = job.progressMessage() == null ? "" : job.progressMessage();
    }
    return text.length() > 70 ? text.substring(0, 67) + "..." : text;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
