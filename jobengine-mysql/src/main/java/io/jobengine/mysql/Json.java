package io.jobengine.mysql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two JSON shapes the store writes into text columns: an array of strings ({@code warnings})
 * and an object of counts ({@code node.queues}, queue to threads). Readable by people and by the
 * database's JSON functions. Written by hand because the store module has no JSON library and
 * needs nothing more.
 */
final class Json {

  private final String text;
  private int at;

  private Json(String text) {
    this.text = text;
  }

  /** The strings as a JSON array, or null for none. */
  static String strings(List<String> strings) {
    if (strings.isEmpty()) {
      return null;
    }
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < strings.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      appendString(json, strings.get(i));
    }
    return json.append(']').toString();
  }

  /** The counts as a JSON object, in the map's order. */
  static String counts(Map<String, Integer> counts) {
    StringBuilder json = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      appendString(json, e.getKey());
      json.append(':').append(e.getValue());
    }
    return json.append('}').toString();
  }

  /**
   * The strings of a column value; empty for null.
   *
   * @throws IllegalStateException if the value is not a JSON array of strings
   */
  static List<String> parseStrings(String json) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    Json p = new Json(json);
    List<String> strings = new ArrayList<>();
    p.expect('[');
    if (!p.peek(']')) {
      do {
        strings.add(p.string());
      } while (p.comma());
    }
    p.expect(']');
    p.end();
    return List.copyOf(strings);
  }

  /**
   * The counts of a column value, in their order; empty for null.
   *
   * @throws IllegalStateException if the value is not a JSON object of integers
   */
  static Map<String, Integer> parseCounts(String json) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    if (json == null || json.isBlank()) {
      return counts;
    }
    Json p = new Json(json);
    p.expect('{');
    if (!p.peek('}')) {
      do {
        String key = p.string();
        p.expect(':');
        counts.put(key, p.integer());
      } while (p.comma());
    }
    p.expect('}');
    p.end();
    return counts;
  }

  private static void appendString(StringBuilder json, String s) {
    json.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }

  private void skipSpace() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  private boolean peek(char c) {
    skipSpace();
    return at < text.length() && text.charAt(at) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw malformed();
    }
    at++;
  }

  private boolean comma() {
    if (peek(',')) {
      at++;
      return true;
    }
    return false;
  }

  private void end() {
    skipSpace();
    if (at != text.length()) {
      throw malformed();
    }
  }

  private int integer() {
    skipSpace();
    int start = at;
    if (at < text.length() && text.charAt(at) == '-') {
      at++;
    }
    while (at < text.length() && Character.isDigit(text.charAt(at))) {
      at++;
    }
    try {
      return Integer.parseInt(text.substring(start, at));
    } catch (NumberFormatException e) {
      throw malformed();
    }
  }

  private String string() {
    expect('"');
    StringBuilder s = new StringBuilder();
    while (true) {
      if (at >= text.length()) {
        throw malformed();
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return s.toString();
      }
      if (c != '\\') {
        s.append(c);
        continue;
      }
      if (at >= text.length()) {
        throw malformed();
      }
      char e = text.charAt(at++);
      switch (e) {
        case '"', '\\', '/' -> s.append(e);
        case 'n' -> s.append('\n');
        case 'r' -> s.append('\r');
        case 't' -> s.append('\t');
        case 'b' -> s.append('\b');
        case 'f' -> s.append('\f');
        case 'u' -> {
          if (at + 4 > text.length()) {
            throw malformed();
          }
          try {
            s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          } catch (NumberFormatException ex) {
            throw malformed();
          }
          at += 4;
        }
        default -> throw malformed();
      }
    }
  }

  private IllegalStateException malformed() {
    return new IllegalStateException(
        "A jobengine JSON column holds something jobengine did not write (" + text.length()
            + " characters, unreadable at " + at + "); was it changed by hand?");
  }
}
