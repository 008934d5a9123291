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
          "Invalid " + what + " '" + value + "': it must match " + pattern.pattern());
    }
    return value;
  }
}
