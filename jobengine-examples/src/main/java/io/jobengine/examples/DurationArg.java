package io.jobengine.examples;

import io.jobengine.JobNames;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations from the command line: {@code 500ms}, {@code 30s}, {@code 5m}, or ISO {@code PT30S}. */
final class DurationArg {
  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)");

  private DurationArg() {}

  static Duration parse(String option, String text) {
    Matcher m = SHORT.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      return Duration.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + " takes a duration such as 500ms, 30s, 5m or PT30S; got " + JobNames.quote(text));
    }
  }
}
