package io.jobengine.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.CancelResult;
import io.jobengine.JobClient;
import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.JobStoppedException;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.NodeInfo;
import io.jobengine.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The test kit drives a handler through every way a job can end, deterministically: no thread runs
 * a job but the test's, and time moves only when the test moves the clock.
 */
class ManualJobEngineTest {

  private static final Instant START = Instant.parse("2030-01-01T08:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);
  /** Ten seconds, doubling, no jitter: the retry times are exact. */
  private static final RetryPolicy EXACT =
      RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofSeconds(10)).jitter(0).build();

  private final SettableClock clock = new SettableClock(START);
  private final List<ManualJobEngine> engines = new ArrayList<>();

  /** What the handler saw, per attempt. */
  private final List<String> seen = new ArrayList<>();

  /** What the handler does on each attempt; set by each test. */
  private interface Step {
    void run(String payload, JobContext ctx) throws Exception;
  }

  private Step step = (payload, ctx) -> {};

  private final JobHandler<String> handler =
      new JobHandler<>() {
        @Override
        public String type() {
          return "work";
        }

        @Override
        public Class<String> payloadType() {
          return String.class;
        }

        @Override
        public Optional<RetryPolicy> retryPolicy() {
          return Optional.of(EXACT);
        }

        @Override
        public void run(String payload, JobContext ctx) throws Exception {
          seen.add(payload + " attempt " + ctx.attempt() + " on " + ctx.nodeName()
              + " thread " + Thread.currentThread().getName());
          step.run(payload, ctx);
        }
      };

  @AfterEach
  void closeEngines() {
    engines.forEach(ManualJobEngine::close);
  }

  private ManualJobEngine start(ManualJobEngine.Builder builder) {
    ManualJobEngine engine = builder.start();
    engines.add(engine);
    return engine;
  }

  private ManualJobEngine start() {
    return start(ManualJobEngine.builder().clock(clock).leaseDuration(LEASE).handler(handler));
  }

  private static JobInfo job(ManualJobEngine engine, JobId id) {
    return engine.client().get(id).orElseThrow();
  }

  private static JobId enqueue(ManualJobEngine engine, String payload) {
    return engine.client().enqueue(JobRequest.of("work", payload));
  }

  @Test
  void a_job_runs_on_the_callers_thread_and_succeeds_when_the_test_steps_the_engine() {
    // A name of its own, so that no other test's engine can have made threads of that name.
    ManualJobEngine engine =
        start(
            ManualJobEngine.builder()
                .clock(clock)
                .leaseDuration(LEASE)
                .handler(handler)
                .nodeName("steps-only"));
    JobId id = enqueue(engine, "a");

    assertThat(job(engine, id).status()).isEqualTo(JobStatus.PENDING); // nothing runs by itself
    assertThat(engine.claimOnce()).isEqualTo(1);
    JobInfo claimed = job(engine, id);
    assertThat(claimed.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(claimed.leaseOwner()).isEqualTo("steps-only");
    assertThat(claimed.leaseExpiresAt()).isEqualTo(START.plus(LEASE));
    assertThat(engine.activeJobs()).containsExactly(id);
    assertThat(seen).isEmpty();

    assertThat(engine.runClaimed()).isEqualTo(1);

    JobInfo done = job(engine, id);
    assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(done.attempt()).isEqualTo(1);
    assertThat(done.finishedAt()).isEqualTo(START);
    assertThat(seen)
        .containsExactly("a attempt 1 on steps-only thread " + Thread.currentThread().getName());
    assertThat(engine.activeJobs()).isEmpty();
    assertThat(Thread.getAllStackTraces().keySet())
        .as("threads of the engine")
        .noneMatch(t -> t.getName().startsWith("jobengine-steps-only-"));
  }

  @Test
  void a_failed_attempt_is_retried_after_its_backoff_once_the_clock_has_moved() {
    ManualJobEngine engine = start();
    step =
        (payload, ctx) -> {
          if (ctx.attempt() < 3) {
            throw new IllegalStateException("flaky " + ctx.attempt());
          }
        };
    JobId id = enqueue(engine, "b");

    assertThat(engine.runDue()).isEqualTo(1);
    JobInfo afterFirst = job(engine, id);
    assertThat(afterFirst.status()).isEqualTo(JobStatus.PENDING);
    assertThat(afterFirst.runAt()).isEqualTo(START.plusSeconds(10));
    assertThat(afterFirst.lastError()).contains("IllegalStateException: flaky 1");

    clock.advance(Duration.ofSeconds(9));
    assertThat(engine.runDue()).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(engine.runDue()).isEqualTo(1);
    assertThat(job(engine, id).runAt()).isEqualTo(START.plusSeconds(10 + 20)); // doubled

    clock.advance(Duration.ofSeconds(20));
    assertThat(engine.runDue()).isEqualTo(1);
    JobInfo done = job(engine, id);
    assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(done.attempt()).isEqualTo(3);
  }

  @Test
  void a_job_that_keeps_failing_ends_in_failure_after_its_last_attempt() {
    ManualJobEngine engine = start();
    step =
        (payload, ctx) -> {
          throw new IllegalStateException("broken " + ctx.attempt());
        };
    JobId id = enqueue(engine, "c");

    for (int attempt = 1; attempt <= 3; attempt++) {
      assertThat(engine.runDue()).isEqualTo(1);
      clock.advance(Duration.ofMinutes(1));
    }

    JobInfo job = job(engine, id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.attempt()).isEqualTo(3);
    assertThat(job.lastError()).contains("broken 3");
    assertThat(engine.runDue()).isZero();
  }

  @Test
  void a_job_canceled_after_its_claim_sees_the_stop_and_ends_canceled() {
    ManualJobEngine engine = start();
    List<Optional<Reason>> reasons = new ArrayList<>();
    step =
        (payload, ctx) -> {
          reasons.add(ctx.stopReason());
          assertThat(ctx.isStopRequested()).isTrue();
          ctx.checkpoint();
          seen.add("went on after the checkpoint");
        };
    JobId id = enqueue(engine, "d");
    engine.claimOnce();

    assertThat(engine.client().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);
    assertThat(job(engine, id).status()).isEqualTo(JobStatus.TO_CANCEL);
    engine.runClaimed();

    assertThat(reasons).containsExactly(Optional.of(Reason.CANCELED));
    assertThat(seen).noneMatch(s -> s.equals("went on after the checkpoint"));
    assertThat(job(engine, id).status()).isEqualTo(JobStatus.CANCELED);
  }

  @Test
  void a_cancel_from_another_client_reaches_the_handler_at_the_next_renewal() {
    ManualJobEngine engine = start();
    Map<String, Boolean> stopRequested = new ConcurrentHashMap<>();
    step = (payload, ctx) -> stopRequested.put(payload, ctx.isStopRequested());
    JobId first = enqueue(engine, "e1");
    JobId second = enqueue(engine, "e2");
    assertThat(engine.claimOnce()).isEqualTo(2);
    // Another process's client: it knows nothing of this engine, only the store.
    JobClient elsewhere = JobClient.of(engine.store());

    assertThat(elsewhere.cancel(second)).isEqualTo(CancelResult.CANCEL_REQUESTED);
    engine.renewOnce();
    engine.runClaimed();

    // Both were claimed together, so either may run first; each must see its own state.
    assertThat(stopRequested).containsExactlyInAnyOrderEntriesOf(Map.of("e1", false, "e2", true));
    assertThat(job(engine, first).status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(job(engine, second).status()).isEqualTo(JobStatus.CANCELED);
  }

  @Test
  void a_lease_that_expires_is_reaped_the_stale_attempt_is_told_and_the_job_runs_again() {
    ManualJobEngine engine = start();
    List<Optional<Reason>> reasons = new ArrayList<>();
    List<Boolean> stopRequested = new ArrayList<>();
    step =
        (payload, ctx) -> {
          reasons.add(ctx.stopReason());
          stopRequested.add(ctx.isStopRequested()); // true for a lost lease too, not only a cancel
          ctx.checkpoint();
        };
    JobId id = enqueue(engine, "f");
    engine.claimOnce();

    clock.advance(LEASE.plusSeconds(1));
    engine.reapOnce();
    JobInfo reaped = job(engine, id);
    assertThat(reaped.status()).isEqualTo(JobStatus.PENDING);
    assertThat(reaped.lastError())
        .isEqualTo("lease of node " + ManualJobEngine.Builder.DEFAULT_NODE_NAME + " expired (attempt 1 of 3)");

    engine.renewOnce(); // learns that the lease is lost
    engine.runClaimed(); // the stale attempt stops at its checkpoint; its release is fenced off
    assertThat(reasons).containsExactly(Optional.of(Reason.LEASE_LOST));
    assertThat(job(engine, id)).isEqualTo(reaped);

    assertThat(engine.runDue()).isEqualTo(1);
    JobInfo done = job(engine, id);
    assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(reasons).containsExactly(Optional.of(Reason.LEASE_LOST), Optional.empty());
    assertThat(stopRequested).containsExactly(true, false);
  }

  @Test
  void a_stale_attempt_that_ignores_the_lost_lease_cannot_land_its_result() {
    ManualJobEngine engine = start();
    JobId id = enqueue(engine, "g");
    engine.claimOnce();
    clock.advance(LEASE.plusSeconds(1));
    engine.reapOnce();
    JobInfo reaped = job(engine, id);

    engine.runClaimed(); // not told (no renewal): the handler returns normally

    assertThat(seen).hasSize(1);
    assertThat(job(engine, id)).isEqualTo(reaped);
    assertThat(engine.activeJobs()).isEmpty();
  }

  @Test
  void renewals_keep_a_lease_past_its_first_expiry() {
    ManualJobEngine engine = start();
    JobId id = enqueue(engine, "h");
    engine.claimOnce();

    clock.advance(Duration.ofSeconds(20));
    engine.renewOnce();
    clock.advance(Duration.ofSeconds(20)); // past the first expiry, before the renewed one
    engine.reapOnce();
    assertThat(job(engine, id).status()).isEqualTo(JobStatus.RUNNING);
    assertThat(job(engine, id).leaseExpiresAt()).isEqualTo(START.plusSeconds(20).plus(LEASE));

    engine.runClaimed();
    assertThat(job(engine, id).status()).isEqualTo(JobStatus.SUCCESS);
  }

  @Test
  void the_last_attempts_lease_expiring_ends_the_job_in_failure() {
    ManualJobEngine engine = start();
    JobId id =
        engine.client().enqueue(JobRequest.builder("work").payload("i").maxAttempts(1).build());
    engine.claimOnce();

    clock.advance(LEASE.plusSeconds(1));
    engine.reapOnce();

    JobInfo job = job(engine, id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.lastError()).isEqualTo("lease of node manual-node expired (attempt 1 of 1)");
  }

  @Test
  void a_claim_takes_no_more_jobs_than_the_queue_has_free_slots() {
    ManualJobEngine engine =
        start(ManualJobEngine.builder().clock(clock).handler(handler).queue("default", 2));
    for (int i = 0; i < 3; i++) {
      enqueue(engine, "j" + i);
    }

    assertThat(engine.claimOnce()).isEqualTo(2);
    assertThat(engine.claimOnce()).isZero();
    assertThat(engine.runClaimed()).isEqualTo(2);
    assertThat(engine.claimOnce()).isEqualTo(1);
    assertThat(engine.runClaimed()).isEqualTo(1);
    assertThat(seen).hasSize(3);
  }

  @Test
  void closing_gives_back_the_jobs_claimed_and_not_run() {
    ManualJobEngine engine = start();
    JobId id = enqueue(engine, "k");
    engine.claimOnce();

    engine.close();

    JobInfo job = job(engine, id);
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.attempt()).isZero();
    assertThat(seen).isEmpty();
    assertThatThrownBy(engine::claimOnce)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(engine.isRunning()).isFalse();
  }

  @Test
  void an_attempt_past_its_timeout_is_interrupted_and_retried() {
    ManualJobEngine engine = start();
    CountDownLatch never = new CountDownLatch(1);
    List<Optional<Reason>> reasons = new ArrayList<>();
    step =
        (payload, ctx) -> {
          try {
            never.await(); // until the timeout's interrupt
          } finally {
            reasons.add(ctx.stopReason());
          }
        };
    JobId id =
        engine.client().enqueue(
            JobRequest.builder("work").payload("l").timeout(Duration.ofMillis(50)).build());

    assertThat(engine.runDue()).isEqualTo(1);

    assertThat(reasons).containsExactly(Optional.of(Reason.TIMED_OUT));
    JobInfo job = job(engine, id);
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.lastError()).startsWith("timed out after PT0.05S");
    assertThat(Thread.interrupted()).as("the test thread's interrupt flag is clear").isFalse();
  }

  @Test
  void the_node_is_registered_while_the_engine_runs() {
    ManualJobEngine engine =
        start(ManualJobEngine.builder().clock(clock).handler(handler).nodeName("n1"));

    assertThat(engine.client().nodes())
        .singleElement()
        .satisfies(n -> assertThat(n.name()).isEqualTo("n1"))
        .satisfies(n -> assertThat(n.state()).isEqualTo(NodeInfo.State.ALIVE));
    engine.close();
    assertThat(engine.client().nodes())
        .singleElement()
        .satisfies(n -> assertThat(n.state()).isEqualTo(NodeInfo.State.STOPPED));
  }

  @Test
  void the_builder_checks_its_values_and_start_needs_a_handler() {
    assertThatThrownBy(() -> ManualJobEngine.builder().queue("default", 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ManualJobEngine.builder().leaseDuration(Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ManualJobEngine.builder().queue("q", 1).queue("q", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already configured");
    assertThatThrownBy(() -> ManualJobEngine.builder().start())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void a_checkpoint_throws_the_stop_reason_to_the_handler() {
    ManualJobEngine engine = start();
    List<Throwable> thrown = new ArrayList<>();
    step =
        (payload, ctx) -> {
          try {
            ctx.checkpoint();
          } catch (JobStoppedException e) {
            thrown.add(e);
            throw e;
          }
        };
    JobId id = enqueue(engine, "m");
    engine.claimOnce();
    engine.client().cancel(id);
    engine.runClaimed();

    assertThat(thrown).singleElement().satisfies(
        e -> assertThat(((JobStoppedException) e).reason()).isEqualTo(Reason.CANCELED));
  }
}
