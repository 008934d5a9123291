package io.jobengine.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Says what went wrong in a Jackson read or write without quoting the payload. Jackson's own
 * messages quote the offending value ({@code Cannot deserialize value of type `int` from String
 * "..."}), and so do the messages of exceptions thrown by a payload's constructor, which Jackson
 * copies; those end up as a job's stored error and in logs. So this names only the kind of error
 * (from the exception's class), the target type, the path of field names, the line and column,
 * and the exception's class, never a message. Field names that come from the data (map keys, and
 * names that do not look like a Java property) are shown as {@code *}.
 */
final class JacksonFailure {

  /** The most path elements shown; deeper paths show their last ones. */
  static final int MAX_PATH_ELEMENTS = 20;

  private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]{0,63}");

  private JacksonFailure() {}

  /** What went wrong, where, and the exception's class; no payload value. */
  static String describe(Exception e) {
    StringBuilder text = new StringBuilder(kind(e));
    if (e instanceof JsonMappingException jme) {
      String path = path(jme.getPath(), e instanceof PropertyBindingException);
      if (!path.isEmpty()) {
        text.append(" at ").append(path);
      }
    }
    if (e instanceof JsonProcessingException jpe) {
      JsonLocation at = jpe.getLocation();
      if (at != null && at.getLineNr() > 0) {
        text.append(" (line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr())
            .append(')');
      }
    }
    return text.append(" [").append(e.getClass().getName()).append(']').toString();
  }

  private static String kind(Exception e) {
    if (e instanceof StreamConstraintsException) {
      return "a value is longer, or nested deeper, than the reader allows";
    }
    if (e instanceof InputCoercionException ice) {
      return "a number out of the range of " + name(ice.getTargetType());
    }
    if (e instanceof StreamReadException) {
      return "malformed JSON";
    }
    if (e instanceof InvalidFormatException ife) {
      return "a value not valid for " + name(ife.getTargetType());
    }
    if (e instanceof PropertyBindingException) {
      return "a property the type does not accept";
    }
    if (e instanceof InvalidTypeIdException) {
      return "an unknown type id";
    }
    if (e instanceof MismatchedInputException mie) {
      return "a value of the wrong JSON type for " + name(mie.getTargetType());
    }
    if (e instanceof ValueInstantiationException vie) {
      return "the constructor of " + name(vie.getType()) + " rejected the values";
    }
    if (e instanceof InvalidDefinitionException ide) {
      return "the mapper cannot handle " + name(ide.getType());
    }
    if (e instanceof JsonMappingException) {
      // A plain wrapper, as around a number out of range: the reader's error says more.
      return e.getCause() instanceof JsonProcessingException cause && cause != e
          ? kind(cause)
          : "the value does not map onto the type";
    }
    if (e instanceof JsonProcessingException) {
      return "the JSON cannot be processed";
    }
    return "the codec failed";
  }

  private static String name(Class<?> type) {
    return type == null ? "the target type" : type.getTypeName();
  }

  private static String name(JavaType type) {
    return type == null ? "the target type" : type.getRawClass().getTypeName();
  }

  /** {@code $.lines[2].sku}; map keys and odd names as {@code *}. */
  private static String path(List<JsonMappingException.Reference> references, boolean dropLast) {
    int end = dropLast ? references.size() - 1 : references.size();
    if (end <= 0) {
      return "";
    }
    int start = Math.max(0, end - MAX_PATH_ELEMENTS);
    StringBuilder path = new StringBuilder(start > 0 ? "$..." : "$");
    for (JsonMappingException.Reference r : references.subList(start, end)) {
      if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
      } else if (r.getFieldName() == null) {
        path.append(".?");
      } else if (fromData(r.getFrom()) || !PROPERTY_NAME.matcher(r.getFieldName()).matches()) {
        path.append(".*");
      } else {
        path.append('.').append(r.getFieldName());
      }
    }
    return path.toString();
  }

  /** Whether the reference's field names are data: keys of a map or of a JSON object node. */
  private static boolean fromData(Object from) {
    Class<?> type = from instanceof Class<?> c ? c : from == null ? null : from.getClass();
    return type == null || Map.class.isAssignableFrom(type) || JsonNode.class.isAssignableFrom(type);
  }
}
