package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.CancelResult;
import io.jobengine.JobClient;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.JobStoppedException;
import io.jobengine.core.JobEngine;
import io.jobengine.mysql.MySqlJobStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 11: a cancel requested by another process (here: a second store instance with
 * its own pool, as the operators' CLI has) reaches a running handler within about a second at
 * the default settings, not at the next lease renewal (every 10 s with the default 30 s lease).
 */
class RemoteCancelTest {

  private final String prefix = "tcancel" + Long.toString(System.nanoTime() % 1_000_000, 36) + "_";
  private final FaultDatabase db = FaultDatabase.get();
  private MySqlJobStore engineStore;
  private MySqlJobStore otherProcess;
  private JobEngine engine;
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    if (engine != null) {
      engine.close();
    }
    if (engineStore != null) {
      engineStore.close();
    }
    if (otherProcess != null) {
      otherProcess.close();
    }
    db.execute(
        "DROP TABLE IF EXISTS `" + prefix + "job`, `" + prefix + "job_event`, `" + prefix
            + "node`, `" + prefix + "schema_version`");
  }

  @Test
  void a_job_canceled_from_another_process_is_told_well_before_the_next_lease_renewal()
      throws Exception {
    engineStore = store();
    otherProcess = store();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<JobStoppedException.Reason> reason = new AtomicReference<>();
    engine =
        JobEngine.builder()
            .store(engineStore)
            .nodeName("cancel-node")
            .discoverHandlers(false)
            .handler(
                JobHandler.of(
                    "wait", String.class,
                    (p, ctx) -> {
                      running.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        reason.set(ctx.stopReason().orElse(null));
                        stopped.countDown();
                        throw e;
                      }
                    }))
            .start();
    JobClient other = JobClient.of(otherProcess);
    JobId id = other.enqueue(JobRequest.of("wait", "x"));
    assertThat(running.await(30, TimeUnit.SECONDS)).as("the job runs").isTrue();

    assertThat(other.cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

    Duration renewal =
        JobEngine.Builder.DEFAULT_LEASE_DURATION.dividedBy(JobEngine.Builder.HEARTBEATS_PER_LEASE);
    assertThat(stopped.await(renewal.dividedBy(2).toMillis(), TimeUnit.MILLISECONDS))
        .as("the handler is told within half the renewal interval of %s", renewal)
        .isTrue();
    assertThat(reason.get()).isEqualTo(JobStoppedException.Reason.CANCELED);
    JobInfo job = awaitEnd(other, id);
    assertThat(job.status()).isEqualTo(JobStatus.CANCELED);
  }

  private MySqlJobStore store() {
    return MySqlJobStore.builder()
        .jdbcUrl(db.url(), db.user(), db.password())
        .tablePrefix(prefix)
        .build();
  }

  /** Waits for the job to end, up to 30 s; returns it as it is then. */
  private static JobInfo awaitEnd(JobClient client, JobId id) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      JobInfo job = client.get(id).orElseThrow();
      if (job.status().isTerminal() || System.nanoTime() - deadline > 0) {
        return job;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }
}
