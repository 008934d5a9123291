package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.CancelResult;
import io.jobengine.JobClient;
import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.NodeInfo;
import io.jobengine.RetryPolicy;
import io.jobengine.testing.InMemoryJobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class JobEngineTest {

  /** Retries at once, so tests need not wait for backoff (backoff is a store contract test). */
  private static final RetryPolicy FAST_RETRY =
      RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ZERO).jitter(0).build();

  private final InMemoryJobStore store = InMemoryJobStore.create();
  private final List<JobEngine> engines = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stopEngines() {
    release.countDown();
    engines.forEach(JobEngine::close);
  }

  private JobEngine.Builder builder() {
    return JobEngine.builder()
        .store(store)
        .nodeName("node-1")
        .discoverHandlers(false)
        .pollInterval(Duration.ofMillis(50))
        .shutdownGrace(Duration.ofSeconds(5))
        .retryPolicy(FAST_RETRY);
  }

  private JobEngine start(JobEngine.Builder builder) {
    JobEngine engine = builder.start();
    engines.add(engine);
    return engine;
  }

  private JobEngine start(JobHandler<?>... handlers) {
    JobEngine.Builder b = builder();
    for (JobHandler<?> h : handlers) {
      b.handler(h);
    }
    return start(b);
  }

  private static JobInfo awaitStatus(JobClient client, JobId id, JobStatus status) {
    return Await.until(
        "job " + id + " to reach " + status + " (now " + client.get(id).map(JobInfo::status) + ")",
        () -> client.get(id).filter(j -> j.status() == status).orElse(null));
  }

  private static JobInfo awaitTerminal(JobClient client, JobId id) {
    return Await.until(
        "job " + id + " to end", () -> client.get(id).filter(j -> j.status().isTerminal()).orElse(null));
  }

  /** A payload record, as host applications use them. */
  record Provision(String host, int cpus) {}

  @Test
  void a_job_that_returns_ends_in_success_with_its_payload_decoded() {
    AtomicReference<Provision> seen = new AtomicReference<>();
    JobEngine engine = start(JobHandler.of("provision", Provision.class, (p, ctx) -> seen.set(p)));

    JobId id = engine.client().enqueue(JobRequest.of("provision", new Provision("vm-17", 4)));

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.finishedAt()).isNotNull();
    assertThat(seen.get()).isEqualTo(new Provision("vm-17", 4));
  }

  @Test
  void a_job_that_warns_ends_in_warning_with_the_warnings_stored() {
    JobEngine engine =
        start(JobHandler.of("check", String.class, (p, ctx) -> ctx.warn("disk 91% full")));

    JobId id = engine.client().enqueue(JobRequest.of("check", "srv-1"));

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.WARNING);
    assertThat(job.warnings()).containsExactly("disk 91% full");
  }

  @Test
  void a_failing_job_is_retried_and_then_succeeds() {
    AtomicInteger calls = new AtomicInteger();
    JobEngine engine =
        start(
            JobHandler.of(
                "flaky", String.class,
                (p, ctx) -> {
                  if (calls.incrementAndGet() < 3) {
                    throw new IllegalStateException("boom " + ctx.attempt());
                  }
                }));

    JobId id = engine.client().enqueue(JobRequest.of("flaky", "x"));

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(job.attempt()).isEqualTo(3);
    assertThat(job.maxAttempts()).isEqualTo(3);
    assertThat(job.lastError()).contains("IllegalStateException: boom 2");
  }

  @Test
  void a_job_that_always_fails_ends_in_failure_when_its_attempts_are_used_up() {
    AtomicInteger calls = new AtomicInteger();
    JobEngine engine =
        start(
            JobHandler.of(
                "broken", String.class,
                (p, ctx) -> {
                  calls.incrementAndGet();
                  throw new IllegalStateException("still broken");
                }));

    JobId id = engine.client().enqueue(JobRequest.of("broken", "x"));

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.attempt()).isEqualTo(3);
    assertThat(calls).hasValue(3);
    assertThat(job.lastError()).contains("still broken").contains("at io.jobengine");
  }

  @Test
  void a_request_max_attempts_overrides_the_policy() {
    JobEngine engine =
        start(JobHandler.of("broken", String.class, (p, ctx) -> { throw new IllegalStateException(); }));

    JobId id = engine.client().enqueue(JobRequest.builder("broken").maxAttempts(1).build());

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.attempt()).isEqualTo(1);
  }

  /** A handler that always fails, with its own policy of 2 attempts, counting runs per job. */
  private static JobHandler<String> failingTwiceAllowed(java.util.Map<JobId, Integer> runs) {
    return new JobHandler<>() {
      @Override
      public String type() {
        return "two-tries";
      }

      @Override
      public Class<String> payloadType() {
        return String.class;
      }

      @Override
      public void run(String payload, JobContext context) {
        runs.merge(context.jobId(), 1, Integer::sum);
        throw new IllegalStateException("fails every time");
      }

      @Override
      public Optional<RetryPolicy> retryPolicy() {
        return Optional.of(FAST_RETRY.toBuilder().maxAttempts(2).build());
      }
    };
  }

  @Test
  void jobs_without_max_attempts_get_the_handlers_policy_whichever_client_enqueued_them() {
    java.util.Map<JobId, Integer> runs = new java.util.concurrent.ConcurrentHashMap<>();
    JobEngine engine = start(failingTwiceAllowed(runs));

    JobId byPlainClient = JobClient.of(store).enqueue(JobRequest.of("two-tries", "x"));
    JobId byEngine = engine.client().enqueue(JobRequest.of("two-tries", "y"));

    for (JobId id : List.of(byPlainClient, byEngine)) {
      JobInfo job = awaitTerminal(engine.client(), id);
      assertThat(job.status()).as(id.toString()).isEqualTo(JobStatus.FAILURE);
      assertThat(job.attempt()).isEqualTo(2);
      assertThat(job.maxAttempts()).isEqualTo(2);
      assertThat(runs.get(id)).isEqualTo(2);
    }
  }

  @Test
  void a_request_max_attempts_wins_over_the_handlers_policy_from_any_client() {
    java.util.Map<JobId, Integer> runs = new java.util.concurrent.ConcurrentHashMap<>();
    JobEngine engine = start(failingTwiceAllowed(runs));

    JobId byPlainClient =
        JobClient.of(store).enqueue(JobRequest.builder("two-tries").maxAttempts(3).build());
    JobId byEngine = engine.client().enqueue(JobRequest.builder("two-tries").maxAttempts(1).build());

    assertThat(store.get(byPlainClient).orElseThrow().maxAttempts()).isEqualTo(3);
    assertThat(awaitTerminal(engine.client(), byPlainClient).attempt()).isEqualTo(3);
    assertThat(awaitTerminal(engine.client(), byEngine).attempt()).isEqualTo(1);
  }

  @Test
  void a_non_retryable_failure_fails_at_once() {
    JobHandler<String> handler =
        new JobHandler<>() {
          @Override
          public String type() {
            return "validate";
          }

          @Override
          public Class<String> payloadType() {
            return String.class;
          }

          @Override
          public void run(String payload, JobContext context) {
            throw new IllegalArgumentException("bad input " + payload);
          }

          @Override
          public Optional<RetryPolicy> retryPolicy() {
            return Optional.of(FAST_RETRY.toBuilder().nonRetryable(IllegalArgumentException.class).build());
          }
        };
    JobEngine engine = start(handler);

    JobId id = engine.client().enqueue(JobRequest.of("validate", "x"));

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.lastError()).contains("bad input x");
  }

  @Test
  void a_payload_that_does_not_decode_fails_without_retry() {
    JobEngine engine = start(JobHandler.of("provision", Provision.class, (p, ctx) -> {}));

    JobId id = engine.client().enqueue(JobRequest.of("provision", List.of("not", "an", "object")));

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.lastError()).contains(Provision.class.getName());
  }

  @Test
  void an_attempt_past_its_timeout_is_interrupted_and_retried_then_fails() {
    AtomicInteger interrupted = new AtomicInteger();
    JobEngine engine =
        start(
            JobHandler.of(
                "slow", String.class,
                (p, ctx) -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw e;
                  }
                }));

    JobId id =
        engine.client().enqueue(
            JobRequest.builder("slow").timeout(Duration.ofMillis(200)).maxAttempts(2).build());

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(job.lastError()).startsWith("timed out after PT0.2S (attempt 2 of 2)");
    assertThat(interrupted).hasValue(2);
  }

  @Test
  void a_handler_that_ignores_interrupts_still_times_out_and_its_late_result_is_dropped() {
    AtomicInteger ignoredInterrupts = new AtomicInteger();
    AtomicBoolean returned = new AtomicBoolean();
    JobEngine engine =
        start(
            JobHandler.of(
                "stubborn", String.class,
                (p, ctx) -> {
                  while (release.getCount() > 0) {
                    if (Thread.interrupted()) {
                      ignoredInterrupts.incrementAndGet();
                    }
                    LockSupport.parkNanos(1_000_000);
                  }
                  returned.set(true);
                }));

    JobId id =
        engine.client().enqueue(
            JobRequest.builder("stubborn").timeout(Duration.ofMillis(100)).maxAttempts(1).build());

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.lastError()).startsWith("timed out after PT0.1S");
    assertThat(ignoredInterrupts.get()).isPositive();
    assertThat(returned).isFalse();

    release.countDown();
    Await.untilTrue("the stubborn handler to return", returned::get);
    Await.untilTrue("the engine to forget the job", () -> engine.activeJobs().isEmpty());
    assertThat(engine.client().get(id).orElseThrow().status()).isEqualTo(JobStatus.FAILURE);
  }

  @Test
  void a_handler_that_throws_an_error_fails_the_job_and_the_engine_keeps_working() {
    JobEngine engine =
        start(
            JobHandler.of("explode", String.class, (p, ctx) -> { throw new StackOverflowError("deep"); }),
            JobHandler.of("fine", String.class, (p, ctx) -> {}));

    JobId bad = engine.client().enqueue(JobRequest.builder("explode").maxAttempts(1).build());
    JobInfo failed = awaitTerminal(engine.client(), bad);
    JobId good = engine.client().enqueue(JobRequest.of("fine", "x"));

    assertThat(failed.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(failed.lastError()).contains("StackOverflowError: deep");
    assertThat(awaitTerminal(engine.client(), good).status()).isEqualTo(JobStatus.SUCCESS);
  }

  @Test
  void cancel_of_a_running_job_interrupts_its_handler_and_ends_it_canceled() {
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    JobEngine engine =
        start(
            JobHandler.of(
                "long", String.class,
                (p, ctx) -> {
                  started.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    thrown.set(e);
                    ctx.checkpoint();
                  }
                }));
    JobId id = engine.client().enqueue(JobRequest.of("long", "x"));
    awaitStatus(engine.client(), id, JobStatus.RUNNING);

    assertThat(engine.client().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

    JobInfo job = awaitTerminal(engine.client(), id);
    assertThat(job.status()).isEqualTo(JobStatus.CANCELED);
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
  }

  @Test
  void cancel_requested_through_another_client_reaches_the_handler_by_lease_renewal() {
    JobEngine engine =
        start(
            builder()
                .leaseDuration(Duration.ofMillis(600))
                .handler(
                    JobHandler.of(
                        "polling", String.class,
                        (p, ctx) -> {
                          while (true) {
                            ctx.checkpoint();
                            LockSupport.parkNanos(2_000_000);
                          }
                        })));
    JobClient other = JobClient.of(store);
    JobId id = other.enqueue(JobRequest.of("polling", "x"));
    awaitStatus(other, id, JobStatus.RUNNING);

    assertThat(other.cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);
    assertThat(other.get(id).orElseThrow().status()).isEqualTo(JobStatus.TO_CANCEL);

    assertThat(awaitTerminal(other, id).status()).isEqualTo(JobStatus.CANCELED);
    assertThat(engine.activeJobs()).doesNotContain(id);
  }

  /**
   * Issue 9, defect 11: at the default lease (renewals every 10 s), a cancel requested through
   * another client (another process) reaches the handler within about a second, well before the
   * first renewal.
   */
  @Test
  void cancel_requested_through_another_client_reaches_the_handler_well_before_a_renewal() {
    CountDownLatch interrupted = new CountDownLatch(1);
    JobEngine engine =
        start(
            builder()
                .leaseDuration(JobEngine.Builder.DEFAULT_LEASE_DURATION)
                .handler(
                    JobHandler.of(
                        "waiting", String.class,
                        (p, ctx) -> {
                          try {
                            release.await();
                          } catch (InterruptedException e) {
                            interrupted.countDown();
                            throw e;
                          }
                        })));
    JobClient other = JobClient.of(store);
    JobId id = other.enqueue(JobRequest.of("waiting", "x"));
    awaitStatus(other, id, JobStatus.RUNNING);

    assertThat(other.cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

    Duration renewal = JobEngine.Builder.DEFAULT_LEASE_DURATION.dividedBy(JobEngine.Builder.HEARTBEATS_PER_LEASE);
    Await.until(
        "the handler to be told of the cancel, well within the renewal interval of " + renewal,
        renewal.dividedBy(2),
        () -> interrupted.getCount() == 0 ? Boolean.TRUE : null);
    assertThat(awaitTerminal(other, id).status()).isEqualTo(JobStatus.CANCELED);
  }

  @Test
  void cancel_of_a_pending_job_means_it_never_runs() {
    AtomicInteger runs = new AtomicInteger();
    JobEngine engine = start(JobHandler.of("t", String.class, (p, ctx) -> runs.incrementAndGet()));

    JobId id = engine.client().enqueue(JobRequest.builder("t").delay(Duration.ofHours(1)).build());

    assertThat(engine.client().cancel(id)).isEqualTo(CancelResult.CANCELED);
    assertThat(engine.client().get(id).orElseThrow().status()).isEqualTo(JobStatus.CANCELED);
    assertThat(engine.client().cancel(id)).isEqualTo(CancelResult.ALREADY_FINISHED);
    assertThat(runs).hasValue(0);
  }

  @Test
  void progress_is_visible_while_the_job_runs() {
    JobEngine engine =
        start(
            JobHandler.of(
                "steps", String.class,
                (p, ctx) -> {
                  ctx.progress(40, "copying disks");
                  release.await();
                  ctx.progress(100, "done");
                }));
    JobId id = engine.client().enqueue(JobRequest.of("steps", "x"));

    JobInfo running =
        Await.until(
            "progress 40",
            () -> engine.client().get(id).filter(j -> Integer.valueOf(40).equals(j.progressPercent())).orElse(null));
    assertThat(running.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(running.progressMessage()).isEqualTo("copying disks");
    assertThat(running.leaseOwner()).isEqualTo("node-1");

    release.countDown();
    JobInfo done = awaitTerminal(engine.client(), id);
    assertThat(done.progressPercent()).isEqualTo(100);
    assertThat(done.progressMessage()).isEqualTo("done");
  }

  @Test
  void warnings_are_visible_while_the_job_runs() {
    JobEngine engine =
        start(
            JobHandler.of(
                "warn-early", String.class,
                (p, ctx) -> {
                  ctx.warn("certificate expires in 3 days");
                  release.await();
                }));
    JobId id = engine.client().enqueue(JobRequest.of("warn-early", "x"));

    JobInfo running =
        Await.until(
            "the warning to be stored",
            () -> engine.client().get(id).filter(j -> !j.warnings().isEmpty()).orElse(null));
    assertThat(running.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(running.warnings()).containsExactly("certificate expires in 3 days");

    release.countDown();
    assertThat(awaitTerminal(engine.client(), id).status()).isEqualTo(JobStatus.WARNING);
  }

  @Test
  void the_handler_sees_its_job_in_the_context_and_the_mdc() {
    AtomicReference<String> mdcJob = new AtomicReference<>();
    AtomicReference<String> mdcNode = new AtomicReference<>();
    AtomicReference<Long> token = new AtomicReference<>();
    AtomicReference<JobId> ctxId = new AtomicReference<>();
    JobEngine engine =
        start(
            JobHandler.of(
                "mdc", String.class,
                (p, ctx) -> {
                  mdcJob.set(MDC.get("jobengine.jobId"));
                  mdcNode.set(MDC.get("jobengine.node"));
                  token.set(ctx.fencingToken());
                  ctxId.set(ctx.jobId());
                }));

    JobId id = engine.client().enqueue(JobRequest.of("mdc", "x"));
    awaitTerminal(engine.client(), id);

    assertThat(ctxId.get()).isEqualTo(id);
    assertThat(mdcJob.get()).isEqualTo(id.toString());
    assertThat(mdcNode.get()).isEqualTo("node-1");
    assertThat(token.get()).isPositive();
  }

  @Test
  void a_job_whose_type_no_node_handles_stays_pending() {
    JobEngine engine = start(JobHandler.of("known", String.class, (p, ctx) -> {}));

    JobId unknown = engine.client().enqueue(JobRequest.of("unknown-type", "x"));
    JobId known = engine.client().enqueue(JobRequest.of("known", "x"));
    awaitTerminal(engine.client(), known);
    // One more full dispatch cycle after the known job, so the unknown one had its chance.
    JobId known2 = engine.client().enqueue(JobRequest.of("known", "y"));
    awaitTerminal(engine.client(), known2);

    JobInfo job = engine.client().get(unknown).orElseThrow();
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.attempt()).isZero();
  }

  @Test
  void close_lets_running_jobs_finish_within_the_grace_period() {
    CountDownLatch started = new CountDownLatch(3);
    JobEngine engine =
        start(
            builder()
                .queue("default", 3)
                .handler(
                    JobHandler.of(
                        "drain", String.class,
                        (p, ctx) -> {
                          started.countDown();
                          started.await();
                          // Let close() begin before the jobs finish.
                          Await.untilTrue("close to start", () -> !engines.get(0).isRunning());
                        })));
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(engine.client().enqueue(JobRequest.of("drain", "x" + i)));
    }
    Await.untilTrue("all three running", () -> started.getCount() == 0);

    engine.close();

    for (JobId id : ids) {
      assertThat(store.get(id).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
    }
  }

  @Test
  void close_releases_jobs_that_outlast_the_grace_without_using_up_an_attempt() {
    JobEngine engine =
        start(
            builder()
                .shutdownGrace(Duration.ofMillis(100))
                .handler(JobHandler.of("forever", String.class, (p, ctx) -> release.await())));
    JobId id = engine.client().enqueue(JobRequest.of("forever", "x"));
    awaitStatus(engine.client(), id, JobStatus.RUNNING);

    engine.close();

    JobInfo job = store.get(id).orElseThrow();
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.attempt()).isZero();
    assertThat(job.leaseOwner()).isNull();
  }

  @Test
  void close_releases_jobs_whose_handlers_ignore_the_interrupt() {
    AtomicBoolean stop = new AtomicBoolean();
    JobEngine engine =
        start(
            builder()
                .shutdownGrace(Duration.ZERO)
                .leaseDuration(Duration.ofMillis(300))
                .handler(
                    JobHandler.of(
                        "deaf", String.class,
                        (p, ctx) -> {
                          while (!stop.get()) {
                            Thread.interrupted();
                            LockSupport.parkNanos(1_000_000);
                          }
                        })));
    JobId id = engine.client().enqueue(JobRequest.of("deaf", "x"));
    awaitStatus(engine.client(), id, JobStatus.RUNNING);

    engine.close();
    stop.set(true);

    JobInfo job = store.get(id).orElseThrow();
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.attempt()).isZero();
  }

  @Test
  void a_running_engine_is_listed_alive_in_the_node_registry_and_stopped_after_close() {
    JobEngine engine =
        start(builder().queue("default", 3).queue("mail", 1).handler(JobHandler.of("t", String.class, (p, c) -> {})));

    NodeInfo node = engine.client().nodes().get(0);
    assertThat(node.name()).isEqualTo("node-1");
    assertThat(node.state()).isEqualTo(NodeInfo.State.ALIVE);
    assertThat(node.queues()).containsEntry("default", 3).containsEntry("mail", 1);
    assertThat(node.pid()).isEqualTo(ProcessHandle.current().pid());

    engine.close();

    assertThat(store.nodes().get(0).state()).isEqualTo(NodeInfo.State.STOPPED);
  }

  @Test
  void close_is_idempotent_and_stops_the_engine() {
    JobEngine engine = start(JobHandler.of("t", String.class, (p, ctx) -> {}));
    assertThat(engine.isRunning()).isTrue();
    engine.close();
    engine.close();
    assertThat(engine.isRunning()).isFalse();
  }

  @Test
  void a_job_enqueued_by_another_client_is_found_by_polling() {
    JobEngine engine = start(JobHandler.of("t", String.class, (p, ctx) -> {}));
    JobClient other = JobClient.of(store);

    JobId id = other.enqueue(JobRequest.of("t", "x"));

    assertThat(awaitTerminal(other, id).status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(engine.isRunning()).isTrue();
  }

  @Test
  void two_engines_on_one_store_run_each_job_once() {
    AtomicInteger runs = new AtomicInteger();
    JobHandler<Integer> counting = JobHandler.of("count", Integer.class, (p, ctx) -> runs.incrementAndGet());
    JobEngine a = start(builder().nodeName("node-a").queue("default", 4).handler(counting));
    start(builder().nodeName("node-b").queue("default", 4).handler(counting));
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      requests.add(JobRequest.of("count", i));
    }

    List<JobId> ids = a.client().enqueueAll(requests);

    for (JobId id : ids) {
      assertThat(awaitTerminal(a.client(), id).status()).isEqualTo(JobStatus.SUCCESS);
    }
    assertThat(runs).hasValue(500);
    assertThat(ids).allSatisfy(id -> assertThat(store.get(id).orElseThrow().attempt()).isEqualTo(1));
  }
}
