package io.jobengine.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.jobengine.PayloadCodec;
import io.jobengine.PayloadException;
import java.util.Objects;

/**
 * The default {@link PayloadCodec}: JSON through Jackson.
 *
 * <p>The default mapper has no default typing (a payload never names the class to build, so a
 * crafted payload cannot instantiate arbitrary classes), reads {@code java.time} values as ISO-8601
 * text, ignores unknown properties (so a newer producer can add fields while older consumers still
 * run), and limits what one payload may contain (nesting depth 200, strings of 10 MB, numbers of
 * 1,000 digits). A host that passes its own {@link ObjectMapper} owns those choices; enabling
 * default typing on it is unsafe.
 */
public final class JacksonPayloadCodec implements PayloadCodec {

  private final ObjectMapper mapper;

  /** A codec with the default mapper described above. */
  public JacksonPayloadCodec() {
    this(defaultMapper());
  }

  /**
   * A codec with the host's mapper.
   *
   * @param mapper the mapper; used as it is
   */
  public JacksonPayloadCodec(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /**
   * The mapper the no-argument constructor uses, for hosts that want to start from it.
   *
   * @return a new mapper
   */
  public static ObjectMapper defaultMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(200)
                .maxStringLength(10_000_000)
                .maxNumberLength(1000)
                .build());
    return mapper;
  }

  @Override
  public String encode(Object payload) {
    try {
      return mapper.writeValueAsString(payload);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new PayloadException(
          "Cannot write a payload of " + (payload == null ? "null" : payload.getClass().getName()) + " as JSON: "
              + reason(e), e);
    }
  }

  @Override
  public <T> T decode(String json, Class<T> type) {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(type, "type");
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException | RuntimeException e) {
      // The message names the class and Jackson's reason, never the payload itself.
      throw new PayloadException(
          "Cannot read the payload as " + type.getName() + ": " + reason(e), e);
    }
  }

  private static String reason(Exception e) {
    if (e instanceof JsonProcessingException jpe) {
      // The original message leaves out the location snippet, which would quote the payload.
      return jpe.getOriginalMessage();
    }
    return String.valueOf(e.getMessage());
  }

  @Override
  public String toString() {
    return "JacksonPayloadCodec";
  }
}
