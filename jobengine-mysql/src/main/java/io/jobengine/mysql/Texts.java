package io.jobengine.mysql;

/** Cuts texts to the length of their columns, saying so at the end. */
final class Texts {

  /** The longest error kept, as the in-memory store keeps it. */
  static final int MAX_ERROR_LENGTH = 8000;

  /** The longest progress message kept: the column's length. */
  static final int MAX_PROGRESS_MESSAGE_LENGTH = 1000;

  private static final String MARK = "... (truncated)";

  private Texts() {}

  /** The text, or its first characters ending in "... (truncated)" if longer than {@code max}. */
  static String truncate(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int end = max - MARK.length();
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--; // never split a surrogate pair: MySQL's utf8mb4 refuses half a character
    }
    return text.substring(0, end) + MARK;
  }
}
