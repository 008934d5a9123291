package io.jobengine;

/**
 * Turns payloads into JSON text and back. The default, in jobengine-core, uses Jackson without
 * default typing; a host may pass its own. Never Java serialization.
 *
 * <p>Implementations are thread-safe.
 *
 * <p><b>No payload value in a message.</b> The message of a {@link PayloadException} from {@link
 * #decode} is stored as the job's error and logged; the one from {@link #encode} goes to the
 * caller, who may log it. Payloads carry customer data and secrets, so an implementation must not
 * put any payload value (nor a piece of the JSON text) into the messages of the exceptions it
 * throws, nor into those of their causes: say what is wrong in terms of the target type, the
 * location (line and column, or the path of field names) and the kind of error. JSON libraries
 * quote the offending value in their own messages: do not copy those, and chain the library's
 * exception only through {@link PayloadException#withSanitizedCause}.
 */
public interface PayloadCodec {

  /**
   * Encodes a payload.
   *
   * @param payload the payload, or null
   * @return JSON text ({@code null} for a null payload)
   * @throws PayloadException if the payload cannot be encoded; the message names its class and
   *     holds no payload value
   */
  String encode(Object payload);

  /**
   * Decodes a payload.
   *
   * @param json the JSON text
   * @param type the class to decode into
   * @param <T> the payload type
   * @return the payload, or null for JSON {@code null}
   * @throws PayloadException if the text does not decode into {@code type}; the message holds no
   *     payload value
   */
  <T> T decode(String json, Class<T> type);
}
