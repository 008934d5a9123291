package io.jobengine;

/**
 * Turns payloads into JSON text and back. The default, in jobengine-core, uses Jackson without
 * default typing; a host may pass its own. Never Java serialization.
 *
 * <p>Implementations are thread-safe.
 */
public interface PayloadCodec {

  /**
   * Encodes a payload.
   *
   * @param payload the payload, or null
   * @return JSON text ({@code null} for a null payload)
   * @throws PayloadException if the payload cannot be encoded; the message names its class
   */
  String encode(Object payload);

  /**
   * Decodes a payload.
   *
   * @param json the JSON text
   * @param type the class to decode into
   * @param <T> the payload type
   * @return the payload, or null for JSON {@code null}
   * @throws PayloadException if the text does not decode into {@code type}
   */
  <T> T decode(String json, Class<T> type);
}
