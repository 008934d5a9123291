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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 6, on a real server: an outsider's {@code SELECT ... FOR UPDATE} on one running
 * job's row, held past the lease, costs that job only. The node keeps renewing its other jobs
 * (their renewals pass over the locked row instead of waiting for it) and none of them is stopped;
 * only the job whose lease could not be renewed is stopped at its deadline. Before, the node's one
 * renewal UPDATE waited for the lock, so every job of the node was stopped.
 *
 * <p>The same for outcomes: a job that finishes while an outsider holds its row locked costs the
 * node's other outcomes nothing. Before, the batched completion waited for the lock (lock-wait
 * timeout, retries) and held up the outcome writer, the jobs whose outcomes waited behind it were
 * not renewed meanwhile, and with a lock longer than the lease they were reaped and ran again.
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
    releaseLock();
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

  @Test
  void a_row_locked_past_the_lease_costs_the_other_outcomes_nothing_and_its_job_ends_once()
      throws Exception {
    Finishing run = startFinishing(4);
    JobId locked = run.ids.get(0);
    lockRow(locked);
    run.finishLockedFirst(locked);

    // The others end at once, in their first attempt; the locked job's outcome waits aside.
    run.awaitOthersSucceeded(locked);
    assertThat(store.get(locked).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);

    // The writer gives up on it when its lease may run out (it is no longer active); the lock,
    // held past the lease, is then released, and the reaper puts the job back: it runs again.
    Cluster.await(
        "the engine to give up on the locked job's outcome", Duration.ofSeconds(30),
        () -> engine.activeJobs().contains(locked) ? null : true);
    releaseLock();
    JobInfo ended = awaitSucceeded(locked);
    assertThat(ended.attempt()).isEqualTo(run.runs(locked));
    assertThat(run.runs(locked)).isBetween(1, 2);
    assertThat(successEvents(locked)).as("one SUCCESS for the locked job").isEqualTo(1);
  }

  @Test
  void a_row_lock_released_within_the_lease_lets_the_held_outcome_land() throws Exception {
    Finishing run = startFinishing(3);
    JobId locked = run.ids.get(0);
    lockRow(locked);
    run.finishLockedFirst(locked);
    run.awaitOthersSucceeded(locked);

    releaseLock();

    JobInfo ended = awaitSucceeded(locked);
    assertThat(ended.attempt()).as("its own result, not a second run").isEqualTo(1);
    assertThat(run.runs(locked)).isEqualTo(1);
    assertThat(successEvents(locked)).isEqualTo(1);
  }

  /** Jobs that run until told to finish, each counting its runs. */
  private final class Finishing {
    final Map<JobId, AtomicInteger> runs = new ConcurrentHashMap<>();
    final Map<JobId, CountDownLatch> go = new ConcurrentHashMap<>();
    final Map<JobId, CountDownLatch> returned = new ConcurrentHashMap<>();
    final CountDownLatch allRunning;
    List<JobId> ids;

    Finishing(int jobs) {
      allRunning = new CountDownLatch(jobs);
    }

    private CountDownLatch latch(Map<JobId, CountDownLatch> latches, JobId id) {
      return latches.computeIfAbsent(id, k -> new CountDownLatch(1));
    }

    void run(JobId id) throws InterruptedException {
      runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      allRunning.countDown();
      try {
        latch(go, id).await();
      } finally {
        latch(returned, id).countDown();
      }
    }

    int runs(JobId id) {
      AtomicInteger n = runs.get(id);
      return n == null ? 0 : n.get();
    }

    /** The locked job's outcome goes to the writer first, the others' after it. */
    void finishLockedFirst(JobId locked) throws InterruptedException {
      latch(go, locked).countDown();
      assertThat(latch(returned, locked).await(30, TimeUnit.SECONDS)).isTrue();
      ids.forEach(id -> latch(go, id).countDown());
    }

    void awaitOthersSucceeded(JobId locked) throws Exception {
      for (JobId other : ids) {
        if (other.equals(locked)) {
          continue;
        }
        JobInfo job = awaitSucceeded(other);
        assertThat(job.attempt()).as("%s ended in its first attempt, not reaped", other)
            .isEqualTo(1);
        assertThat(runs(other)).as("%s ran once", other).isEqualTo(1);
        assertThat(successEvents(other)).isEqualTo(1);
      }
    }
  }

  private Finishing startFinishing(int jobs) throws Exception {
    store = MySqlJobStore.builder().jdbcUrl(db.url(), db.user(), db.password()).tablePrefix(prefix).build();
    Finishing run = new Finishing(jobs);
    engine =
        JobEngine.builder()
            .store(store)
            .nodeName("held-outcome")
            .discoverHandlers(false)
            .queue("default", jobs)
            .leaseDuration(LEASE)
            .pollInterval(Duration.ofMillis(50))
            .shutdownGrace(Duration.ZERO)
            .handler(JobHandler.of("finish", String.class, (p, ctx) -> run.run(ctx.jobId())))
            .start();
    run.ids =
        IntStream.range(0, jobs)
            .mapToObj(i -> engine.client().enqueue(JobRequest.of("finish", "x")))
            .toList();
    assertThat(run.allRunning.await(30, TimeUnit.SECONDS)).as("all run").isTrue();
    return run;
  }

  private JobInfo awaitSucceeded(JobId id) {
    return Cluster.await(
        "job " + id + " to succeed", Duration.ofSeconds(30),
        () -> store.get(id).filter(j -> j.status() == JobStatus.SUCCESS).orElse(null));
  }

  private int successEvents(JobId id) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT COUNT(*) FROM `" + prefix + "job_event` WHERE `job_id` = ? AND `status` ="
                    + " 'SUCCESS'")) {
      s.setBytes(1, id.toBytes());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private void releaseLock() throws Exception {
    if (outsider != null) {
      outsider.rollback();
      outsider.close();
      outsider = null;
    }
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
