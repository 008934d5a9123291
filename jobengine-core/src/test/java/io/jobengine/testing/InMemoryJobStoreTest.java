package io.jobengine.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobId;
import io.jobengine.JobQuery;
import io.jobengine.PayloadException;
import io.jobengine.contract.JobStoreContract;
import io.jobengine.spi.Completion;
import io.jobengine.spi.EnqueueResult;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import io.jobengine.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the store contract against {@link InMemoryJobStore}, plus what is its own. */
class InMemoryJobStoreTest extends JobStoreContract {

  private static final Instant START = Instant.parse("2030-01-01T08:00:00Z");

  private final SettableClock clock = new SettableClock(START);
  private InMemoryJobStore store;

  @BeforeEach
  void createStore() {
    store = InMemoryJobStore.builder().clock(clock).build();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Override
  protected JobStore store() {
    return store;
  }

  @Override
  protected void advanceTime(Duration duration) {
    clock.advance(duration);
  }

  @Test
  void builder_rejects_a_null_clock() {
    assertThatThrownBy(() -> InMemoryJobStore.builder().clock(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clock must not be null");
  }

  @Test
  void builder_rejects_a_payload_limit_below_one_byte() {
    assertThatThrownBy(() -> InMemoryJobStore.builder().maxPayloadBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPayloadBytes must be at least 1, got 0");
  }

  @Test
  void create_uses_the_default_payload_limit() {
    assertThat(InMemoryJobStore.create().maxPayloadBytes())
        .isEqualTo(JobStore.DEFAULT_MAX_PAYLOAD_BYTES);
  }

  @Test
  void every_time_it_writes_comes_from_the_injected_clock() {
    JobId id = enqueue(newJob(TYPE).delay(Duration.ofMinutes(1)));

    assertThat(get(id).createdAt()).isEqualTo(START);
    assertThat(get(id).runAt()).isEqualTo(START.plus(Duration.ofMinutes(1)));
    clock.advance(Duration.ofMinutes(1));
    Lease lease = claimOne().lease();
    assertThat(get(id).leaseExpiresAt()).isEqualTo(START.plus(Duration.ofMinutes(1)).plus(LEASE));
    assertThat(get(id).updatedAt()).isEqualTo(START.plus(Duration.ofMinutes(1)));
    clock.advance(Duration.ofSeconds(5));
    store.complete(List.of(Completion.success(lease)));
    assertThat(get(id).finishedAt()).isEqualTo(START.plus(Duration.ofSeconds(65)));
  }

  @Test
  void a_job_is_due_when_its_run_time_equals_the_clock() {
    enqueue(newJob(TYPE).runAt(START.plusSeconds(10)));
    clock.advance(Duration.ofSeconds(10));

    assertThat(claim(1, TYPE)).hasSize(1);
  }

  @Test
  void the_fencing_token_counts_the_claims_of_a_job() {
    enqueue(newJob(TYPE));
    Lease first = claimOne().lease();
    store.complete(List.of(Completion.retry(first, "boom", Duration.ZERO)));
    Lease second = claimOne().lease();

    assertThat(first.token()).isEqualTo(1);
    assertThat(second.token()).isEqualTo(2);
  }

  @Test
  void errors_are_cut_to_the_maximum_length() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();

    store.complete(List.of(Completion.failure(lease, "e".repeat(20_000))));

    assertThat(get(id).lastError())
        .hasSize(InMemoryJobStore.MAX_ERROR_LENGTH)
        .endsWith("... (truncated)");
  }

  @Test
  void enqueue_rejects_a_payload_over_the_limit_and_writes_no_job_of_the_batch() {
    InMemoryJobStore small = InMemoryJobStore.builder().clock(clock).maxPayloadBytes(10).build();
    NewJob fits = newJob(TYPE).payload("{\"a\":1}").build();
    NewJob tooBig = newJob(TYPE).payload("{\"a\":\"0123456789\"}").build();

    assertThatThrownBy(() -> small.enqueue(List.of(fits, tooBig)))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining(tooBig.id().toString())
        .hasMessageContaining("18 bytes")
        .hasMessageContaining("limit of 10 bytes");
    assertThat(small.list(JobQuery.all()).jobs()).isEmpty();
  }

  @Test
  void the_payload_limit_counts_utf8_bytes() {
    InMemoryJobStore small = InMemoryJobStore.builder().clock(clock).maxPayloadBytes(10).build();
    NewJob tenBytes = newJob(TYPE).payload("\"éééé\"").build(); // 6 chars, 10 bytes
    NewJob twelveBytes = newJob(TYPE).payload("\"ééééé\"").build(); // 7 chars, 12 bytes

    assertThat(small.enqueue(List.of(tenBytes)))
        .containsExactly(new EnqueueResult(tenBytes.id(), true));
    assertThatThrownBy(() -> small.enqueue(List.of(twelveBytes)))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining("12 bytes");
  }

  @Test
  void enqueue_with_a_connection_is_not_supported() {
    assertThatThrownBy(() -> store.enqueue(null, newJob(TYPE).build()))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("InMemoryJobStore does not take part in JDBC transactions");
  }
}
