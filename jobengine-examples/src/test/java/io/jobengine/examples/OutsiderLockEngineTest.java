package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.JobStoppedException;
import io.jobengine.core.JobEngine;
import io.jobengine.mysql.MySqlJobStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 6, on a real server: an outsider's {@code SELECT ... FOR UPDATE} on one running
 * job's row, held past the lease, costs that job only. The node keeps renewing its other jobs
 * (their renewals pass over the locked row instead of waiting for it) and none of them is stopped;
 * only the job whose lease could not be renewed is stopped at its deadline. Before, the node's one
 * renewal UPDATE waited for the lock, so every job of the node was stopped.
 */
class OutsiderLockEngineTest {

  private static final Duration LEASE = Duration.ofSeconds(6);

  private final String prefix = "tlock" + Long.toString(System.nanoTime() % 1_000_000, 36) + "_";
  private final FaultDatabase db = FaultDatabase.get();
  private final CountDownLatch release = new CountDownLatch(1);
  private final Map<JobId, JobStoppedException.Reason> stops = new ConcurrentHashMap<>();
  private MySqlJobStore store;
  private JobEngine engine;
  private Connection outsider;

  @AfterEach
  void stop() throws Exception {
    if (outsider != null) {
      outsider.rollback();
      outsider.close();
    }
    release.countDown();
    if (engine != null) {
      engine.close();
    }
    if (store != null) {
      store.close();
    }
    db.execute(
        "DROP TABLE IF EXISTS `" + prefix + "job`, `" + prefix + "job_event`, `" + prefix
            + "node`, `" + prefix + "schema_version`");
  }

  @Test
  void a_row_locked_past_the_lease_stops_only_its_own_job() throws Exception {
    store = MySqlJobStore.builder().jdbcUrl(db.url(), db.user(), db.password()).tablePrefix(prefix).build();
    CountDownLatch allRunning = new CountDownLatch(3);
    CountDownLatch lockedStopped = new CountDownLatch(1);
    engine =
        JobEngine.builder()
            .store(store)
            .nodeName("locked-out")
            .discoverHandlers(false)
            .queue("default", 3)
            .leaseDuration(LEASE)
            .pollInterval(Duration.ofMillis(50))
            .shutdownGrace(Duration.ZERO)
            .handler(
                JobHandler.of(
                    "wait", String.class,
                    (p, ctx) -> {
                      allRunning.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        stops.put(ctx.jobId(), ctx.stopReason().orElseThrow());
                        lockedStopped.countDown();
                        throw e;
                      }
                    }))
            .start();
    List<JobId> ids =
        IntStream.range(0, 3).mapToObj(i -> engine.client().enqueue(JobRequest.of("wait", "x"))).toList();
    assertThat(allRunning.await(30, TimeUnit.SECONDS)).as("all three run").isTrue();
    JobId locked = ids.get(0);

    lockRow(locked);

    // Its lease cannot be renewed while the row is locked: it is stopped a margin before its
    // deadline, about a lease after the lock was taken. Meanwhile the others' leases are renewed.
    assertThat(lockedStopped.await(30, TimeUnit.SECONDS)).as("the locked job is stopped").isTrue();
    assertThat(stops).containsOnlyKeys(locked);
    assertThat(stops.get(locked)).isEqualTo(JobStoppedException.Reason.LEASE_LOST);
    Instant now = Instant.now();
    for (JobId other : ids.subList(1, 3)) {
      JobInfo job = store.get(other).orElseThrow();
      assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
      assertThat(job.leaseExpiresAt()).as("lease of %s still live", other).isAfter(now);
    }
    assertThat(engine.activeJobs()).containsAll(ids.subList(1, 3));
  }

  /** Locks the job's row from a session of its own, as an operator would, until the test ends. */
  private void lockRow(JobId id) throws Exception {
    outsider = db.connect();
    outsider.setAutoCommit(false);
    try (PreparedStatement s =
        outsider.prepareStatement("SELECT `id` FROM `" + prefix + "job` WHERE `id` = ? FOR UPDATE")) {
      s.setBytes(1, id.toBytes());
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("the outsider locked the row").isTrue();
      }
    }
  }
}
