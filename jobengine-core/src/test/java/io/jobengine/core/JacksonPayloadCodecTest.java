package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobClient;
import io.jobengine.JobRequest;
import io.jobengine.PayloadException;
import io.jobengine.testing.InMemoryJobStore;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JacksonPayloadCodecTest {

  private final JacksonPayloadCodec codec = new JacksonPayloadCodec();

  record Order(String id, Instant placedAt, int lines) {}

  /** Jackson cannot write this: its getter throws, quoting a value, as validations do. */
  static final class Unwritable {
    public String getValue() {
      throw new IllegalStateException("no value for s3cr3t-m4rk3r");
    }
  }

  /** What a payload exception shows when printed whole: messages of the chain and stack frames. */
  private static String printed(Throwable t) {
    java.io.StringWriter text = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(text));
    return text.toString();
  }

  @Test
  void records_and_java_time_round_trip() {
    Order order = new Order("o-1", Instant.parse("2026-11-28T10:00:00Z"), 3);
    String json = codec.encode(order);
    assertThat(json).contains("\"2026-11-28T10:00:00Z\"");
    assertThat(codec.decode(json, Order.class)).isEqualTo(order);
  }

  @Test
  void null_payloads_are_json_null() {
    assertThat(codec.encode(null)).isEqualTo("null");
    assertThat(codec.decode("null", Order.class)).isNull();
  }

  @Test
  void unknown_properties_are_ignored_so_producers_can_add_fields() {
    Order order = codec.decode("{\"id\":\"o-2\",\"lines\":1,\"newField\":true}", Order.class);
    assertThat(order.id()).isEqualTo("o-2");
  }

  @Test
  void a_payload_the_codec_cannot_write_fails_naming_its_class() {
    assertThatThrownBy(() -> codec.encode(new Unwritable()))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining(Unwritable.class.getName());
  }

  @Test
  void enqueue_of_a_payload_the_codec_cannot_write_fails_before_any_write() {
    InMemoryJobStore store = InMemoryJobStore.create();
    JobClient client = JobClient.of(store, codec);
    assertThatThrownBy(() -> client.enqueue(JobRequest.of("t", new Unwritable())))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining(Unwritable.class.getName())
        .hasMessageContaining("type 't'");
    assertThat(store.list(io.jobengine.JobQuery.all()).jobs()).isEmpty();
  }

  @Test
  void an_oversized_payload_is_refused_at_enqueue_naming_size_and_limit() {
    InMemoryJobStore store = InMemoryJobStore.builder().maxPayloadBytes(1000).build();
    JobClient client = JobClient.of(store, codec);
    assertThatThrownBy(() -> client.enqueue(JobRequest.of("t", "x".repeat(2000))))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining("2002 bytes")
        .hasMessageContaining("limit of 1000 bytes");
    assertThat(store.list(io.jobengine.JobQuery.all()).jobs()).isEmpty();
  }

  @Test
  void deeply_nested_input_is_refused() {
    String deep = "[".repeat(1000) + "]".repeat(1000);
    assertThatThrownBy(() -> codec.decode(deep, Object.class))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining("nested deeper");
  }

  @Test
  void a_payload_the_codec_cannot_write_fails_without_its_values_in_the_exception_chain() {
    assertThatThrownBy(() -> codec.encode(new Unwritable()))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining("$.value")
        .satisfies(e -> assertThat(printed(e)).doesNotContain("s3cr3t-m4rk3r"))
        .satisfies(e -> assertThat(printed(e)).contains("JsonMappingException"));
  }

  @Test
  void a_payload_that_does_not_decode_fails_without_its_values_in_the_exception_chain() {
    assertThatThrownBy(() -> codec.decode("{\"lines\":\"s3cr3t-m4rk3r\"}", Order.class))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining(Order.class.getName())
        .hasMessageContaining("int at $.lines (line 1, column 10)")
        .satisfies(e -> assertThat(printed(e)).doesNotContain("s3cr3t-m4rk3r"));
  }

  @Test
  void enqueue_through_a_codec_that_quotes_the_payload_keeps_its_message_out() {
    io.jobengine.PayloadCodec leaky =
        new io.jobengine.PayloadCodec() {
          @Override
          public String encode(Object payload) {
            throw new IllegalArgumentException("cannot encode " + payload);
          }

          @Override
          public <T> T decode(String json, Class<T> type) {
            throw new UnsupportedOperationException();
          }
        };
    JobClient client = JobClient.of(InMemoryJobStore.create(), leaky);
    assertThatThrownBy(() -> client.enqueue(JobRequest.of("t", "s3cr3t-m4rk3r")))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining("IllegalArgumentException")
        .satisfies(e -> assertThat(printed(e)).doesNotContain("s3cr3t-m4rk3r"));
  }

  @Test
  void the_service_loader_finds_this_codec_for_plain_clients() {
    assertThat(JobClient.of(InMemoryJobStore.create()).toString()).contains("JacksonPayloadCodec");
  }
}
