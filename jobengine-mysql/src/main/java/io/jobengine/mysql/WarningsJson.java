package io.jobengine.mysql;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code warnings} column: a JSON array of strings, readable by people and by the database's
 * JSON functions. Written by hand because the store module has no JSON library and needs nothing
 * but an array of strings.
 */
final class WarningsJson {

  private WarningsJson() {}

  /** The warnings as a JSON array, or null for none. */
  static String encode(List<String> warnings) {
    if (warnings.isEmpty()) {
      return null;
    }
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < warnings.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      appendString(json, warnings.get(i));
    }
    return json.append(']').toString();
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

  /**
   * The warnings of a column value; empty for null.
   *
   * @throws IllegalStateException if the value is not a JSON array of strings
   */
  static List<String> decode(String json) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    List<String> warnings = new ArrayList<>();
    int i = skipSpace(json, 0);
    i = expect(json, i, '[');
    i = skipSpace(json, i);
    if (i < json.length() && json.charAt(i) == ']') {
      return List.of();
    }
    while (true) {
      i = skipSpace(json, i);
      i = expect(json, i, '"');
      StringBuilder s = new StringBuilder();
      while (true) {
        if (i >= json.length()) {
          throw malformed(json);
        }
        char c = json.charAt(i++);
        if (c == '"') {
          break;
        }
        if (c != '\\') {
          s.append(c);
          continue;
        }
        if (i >= json.length()) {
          throw malformed(json);
        }
        char e = json.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> s.append(e);
          case 'n' -> s.append('\n');
          case 'r' -> s.append('\r');
          case 't' -> s.append('\t');
          case 'b' -> s.append('\b');
          case 'f' -> s.append('\f');
          case 'u' -> {
            if (i + 4 > json.length()) {
              throw malformed(json);
            }
            try {
              s.append((char) Integer.parseInt(json.substring(i, i + 4), 16));
            } catch (NumberFormatException ex) {
              throw malformed(json);
            }
            i += 4;
          }
          default -> throw malformed(json);
        }
      }
      warnings.add(s.toString());
      i = skipSpace(json, i);
      if (i < json.length() && json.charAt(i) == ',') {
        i++;
        continue;
      }
      expect(json, i, ']');
      return List.copyOf(warnings);
    }
  }

  private static int skipSpace(String json, int i) {
    while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int expect(String json, int i, char c) {
    if (i >= json.length() || json.charAt(i) != c) {
      throw malformed(json);
    }
    return i + 1;
  }

  private static IllegalStateException malformed(String json) {
    return new IllegalStateException(
        "The warnings column does not hold a JSON array of strings (" + json.length()
            + " characters); was it written by something other than jobengine?");
  }
}
