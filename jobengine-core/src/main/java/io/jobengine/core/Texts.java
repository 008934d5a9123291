package io.jobengine.core;

/** Cuts texts a handler hands the engine to their limits, saying so at the end. */
final class Texts {
  /** What ends a text that was cut. */
  static final String MARK = "... (truncated)";

  private Texts() {}

  /**
   * The text, or its first characters ending in {@value #MARK} so that the whole is {@code max}
   * characters long. Never splits a surrogate pair (a store keeping UTF-8 refuses half a
   * character).
   *
   * @param max at least the length of the mark plus one
   */
  static String cut(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    if (max <= MARK.length()) {
      throw new IllegalArgumentException("max must be more than " + MARK.length() + ", got " + max);
    }
    int end = max - MARK.length();
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + MARK;
  }
}
