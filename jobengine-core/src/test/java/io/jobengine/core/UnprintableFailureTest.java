package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.testing.InMemoryJobStore;
import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.RetryPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 1: a handler's exception that cannot be printed (its toString() and getMessage()
 * throw, its cause chain is 20,000 deep, its causes form a cycle) must still end the attempt with
 * an outcome that names it. Before, describing it threw, no outcome was written, and every attempt
 * waited out its lease: here the lease is far longer than the test's wait, so a lost outcome fails
 * the test.
 */
class UnprintableFailureTest {

  private static final Duration LONG_LEASE = Duration.ofMinutes(5);

  private final InMemoryJobStore store = InMemoryJobStore.create();
  private JobEngine engine;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  /** An Error whose toString() and getMessage() throw: a logger given it would fail too. */
  static final class UnprintableError extends Error {
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
      throw new IllegalStateException("getMessage refuses");
    }

    @Override
    public String toString() {
      throw new IllegalStateException("toString refuses");
    }
  }

  static RuntimeException cyclic() {
    IllegalStateException a = new IllegalStateException("a");
    IllegalArgumentException b = new IllegalArgumentException("b", a);
    a.initCause(b);
    return a;
  }

  /** Runs a job whose handler always throws what {@code failure} makes; returns it when ended. */
  private JobInfo runFailing(String type, Supplier<Throwable> failure, AtomicInteger calls) {
    JobHandler<String> handler =
        JobHandler.of(
            type, String.class,
            (p, ctx) -> {
              calls.incrementAndGet();
              Throwable t = failure.get();
              if (t instanceof Error e) {
                throw e;
              }
              throw (RuntimeException) t;
            });
    engine =
        JobEngine.builder()
            .store(store)
            .nodeName("node-1")
            .discoverHandlers(false)
            .pollInterval(Duration.ofMillis(20))
            .leaseDuration(LONG_LEASE)
            .shutdownGrace(Duration.ofSeconds(5))
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialDelay(Duration.ZERO).jitter(0).build())
            .handler(handler)
            .start();
    JobId id = engine.client().enqueue(JobRequest.of(type, "x"));
    return Await.until(
        "job " + id + " to end without waiting out its lease",
        () -> engine.client().get(id).filter(j -> j.status().isTerminal()).orElse(null));
  }

  @Test
  void an_exception_whose_to_string_and_get_message_throw_is_retried_then_fails_naming_its_class() {
    AtomicInteger calls = new AtomicInteger();

    JobInfo job = runFailing("unprintable", () -> new ErrorTextTest.Unprintable(null), calls);

    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(calls).hasValue(2);
    assertThat(job.lastError()).startsWith(ErrorTextTest.Unprintable.class.getName());
  }

  @Test
  void an_error_whose_to_string_and_get_message_throw_fails_the_job_naming_its_class() {
    AtomicInteger calls = new AtomicInteger();

    JobInfo job = runFailing("unprintable-error", UnprintableError::new, calls);

    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(calls).hasValue(2);
    assertThat(job.lastError()).startsWith(UnprintableError.class.getName());
  }

  @Test
  void an_exception_with_a_cause_chain_twenty_thousand_deep_is_retried_then_fails() {
    AtomicInteger calls = new AtomicInteger();

    JobInfo job = runFailing("deep", () -> ErrorTextTest.causeChain(20_000), calls);

    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(calls).hasValue(2);
    assertThat(job.lastError())
        .startsWith("java.lang.RuntimeException: level 19999")
        .contains("further causes not shown");
  }

  @Test
  void an_exception_with_a_cyclic_cause_is_retried_then_fails() {
    AtomicInteger calls = new AtomicInteger();

    JobInfo job = runFailing("cyclic", UnprintableFailureTest::cyclic, calls);

    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(calls).hasValue(2);
    assertThat(job.lastError())
        .startsWith("java.lang.IllegalStateException: a")
        .contains("CIRCULAR REFERENCE");
  }

  @Test
  void a_handler_whose_retry_policy_throws_is_refused_at_start_naming_it() {
    AtomicInteger calls = new AtomicInteger();
    JobHandler<String> handler =
        new JobHandler<>() {
          @Override
          public String type() {
            return "bad-policy";
          }

          @Override
          public Class<String> payloadType() {
            return String.class;
          }

          @Override
          public Optional<RetryPolicy> retryPolicy() {
            throw new IllegalStateException("no policy today");
          }

          @Override
          public void run(String payload, JobContext context) {
            calls.incrementAndGet();
            throw new IllegalArgumentException("handler failed");
          }
        };
    assertThatThrownBy(
            () ->
                JobEngine.builder()
                    .store(store)
                    .nodeName("node-1")
                    .discoverHandlers(false)
                    .handler(handler)
                    .start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bad-policy")
        .hasMessageContaining("retryPolicy()")
        .hasMessageContaining("no policy today");
    assertThat(calls).hasValue(0);
  }
}
