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
 *
 * <p>Its exceptions never quote the payload: Jackson's messages do (the offending value), so they
 * are replaced by what went wrong in terms of the type, the path of field names and the line and
 * column.
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

  /**
   * {@inheritDoc}
   *
   * @throws PayloadException naming the payload's class, the kind of error, the path of field
   *     names and Jackson's exception class; Jackson's exception is chained only as a stand-in
   *     without its message (see {@link PayloadException#withSanitizedCause})
   */
  @Override
  public String encode(Object payload) {
    try {
      return mapper.writeValueAsString(payload);
    } catch (JsonProcessingException | RuntimeException e) {
      throw PayloadException.withSanitizedCause(
          "Cannot write a payload of " + (payload == null ? "null" : payload.getClass().getName())
              + " as JSON: " + JacksonFailure.describe(e),
          e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws PayloadException naming the type, the kind of error, the path of field names, the
   *     line and column, and Jackson's exception class; Jackson's exception is chained only as a
   *     stand-in without its message, which quotes the offending value
   */
  @Override
  public <T> T decode(String json, Class<T> type) {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(type, "type");
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException | RuntimeException e) {
      throw PayloadException.withSanitizedCause(
          "Cannot read the payload as " + type.getName() + ": " + JacksonFailure.describe(e), e);
    }
  }

  @Override
  public String toString() {
    return "JacksonPayloadCodec";
  }
}
