package io.jobengine.core;

import ch.qos.logback.classic.Level;
import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.JobStoppedException;
import io.jobengine.testing.InMemoryJobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node that cannot renew its leases protects the cluster from running a job twice at once. */
class SelfProtectionTest {

  private final InMemoryJobStore memory = InMemoryJobStore.create();
  private final SwitchableStore store = new SwitchableStore(memory);
  private JobEngine engine;

  @AfterEach
  void stop() {
    store.down(false);
    store.renewalsDown(false);
    store.renewalsHang(false);
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void a_node_whose_renewals_fail_stops_claiming_interrupts_its_handlers_at_the_lease_and_resumes_alone() {
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<JobStoppedException.Reason> firstStop = new AtomicReference<>();
    CountDownLatch firstStopped = new CountDownLatch(1);
    engine =
        JobEngine.builder()
            .store(store)
            .nodeName("cut-off")
            .discoverHandlers(false)
            .leaseDuration(Duration.ofMillis(600))
            .pollInterval(Duration.ofMillis(20))
            .handler(
                JobHandler.of(
                    "long", String.class,
                    (p, ctx) -> {
                      if (runs.incrementAndGet() == 1) {
                        try {
                          new CountDownLatch(1).await();
                        } catch (InterruptedException e) {
                          firstStop.set(ctx.stopReason().orElse(null));
                          firstStopped.countDown();
                          throw e;
                        }
                      }
                    }))
            .handler(JobHandler.of("short", String.class, (p, ctx) -> {}))
            .start();
    JobId longJob = engine.client().enqueue(JobRequest.of("long", "x"));
    Await.until("the long job to run", () -> memory.get(longJob).filter(j -> j.status() == JobStatus.RUNNING).orElse(null));

    store.renewalsDown(true);
    DefaultJobEngine node = (DefaultJobEngine) engine;
    Await.untilTrue("the node to notice that renewals fail", node::claimingPaused);
    JobId shortJob = engine.client().enqueue(JobRequest.of("short", "y"));

    Await.untilTrue("the handler to be stopped at its lease", () -> firstStopped.getCount() == 0);
    assertThat(firstStop.get()).isEqualTo(JobStoppedException.Reason.LEASE_LOST);
    assertThat(memory.get(shortJob).orElseThrow().status())
        .as("no claims while renewals fail")
        .isEqualTo(JobStatus.PENDING);

    store.renewalsDown(false);

    JobInfo shortDone = Await.until("the short job to run once renewals work", () -> memory.get(shortJob).filter(j -> j.status().isTerminal()).orElse(null));
    assertThat(shortDone.status()).isEqualTo(JobStatus.SUCCESS);
    JobInfo longDone = Await.until("the released long job to run again", () -> memory.get(longJob).filter(j -> j.status().isTerminal()).orElse(null));
    assertThat(longDone.status()).isEqualTo(JobStatus.SUCCESS);
    // The stopped attempt is either released (attempt given back) or, if the lease reaper got to
    // the expired lease first, put back as a used attempt; never more.
    assertThat(longDone.attempt()).isBetween(1, 2);
    assertThat(runs).hasValue(2);
  }

  /**
   * Issue 9, defect 7: the local deadline is kept by a timer that fires a margin (a fifth of the
   * lease) before it, so the handler is interrupted before its lease can expire in the store and
   * another node take the job over. The watchdog used to look once per heartbeat, after the
   * deadline, which is after the store's expiry.
   */
  @Test
  void a_handler_whose_renewals_fail_is_interrupted_before_its_lease_expires_in_the_store() {
    AtomicReference<Instant> interruptedAt = new AtomicReference<>();
    AtomicReference<Instant> expiresAt = new AtomicReference<>();
    AtomicReference<JobStoppedException.Reason> reason = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<JobId> id = new AtomicReference<>();
    engine =
        JobEngine.builder()
            .store(store)
            .nodeName("partitioned")
            .discoverHandlers(false)
            .leaseDuration(Duration.ofSeconds(3))
            .pollInterval(Duration.ofMillis(20))
            .handler(
                JobHandler.of(
                    "long", String.class,
                    (p, ctx) -> {
                      try {
                        new CountDownLatch(1).await();
                      } catch (InterruptedException e) {
                        interruptedAt.set(Instant.now());
                        // Renewals fail from before the stop, so this expiry is the last one.
                        expiresAt.set(memory.get(ctx.jobId()).orElseThrow().leaseExpiresAt());
                        reason.set(ctx.stopReason().orElse(null));
                        stopped.countDown();
                        throw e;
                      }
                    }))
            .start();
    id.set(engine.client().enqueue(JobRequest.of("long", "x")));
    Await.until("the job to run", () -> memory.get(id.get()).filter(j -> j.status() == JobStatus.RUNNING).orElse(null));

    store.renewalsDown(true);

    Await.untilTrue("the handler to be interrupted", () -> stopped.getCount() == 0);
    assertThat(reason.get()).isEqualTo(JobStoppedException.Reason.LEASE_LOST);
    assertThat(interruptedAt.get())
        .as("interrupted before the store's lease expiry %s", expiresAt.get())
        .isBefore(expiresAt.get());
  }

  /**
   * Issue 9, defect 6: renewals that neither fail nor succeed (a slow database, a lock wait) used
   * to leave the node claiming. Now it stops claiming when no renewal has succeeded for half the
   * lease, on the engine's monotonic clock (moved by the test here), and claims again once one
   * succeeds.
   */
  @Test
  void a_node_whose_renewals_are_late_stops_claiming_at_half_the_lease_until_one_succeeds() {
    AtomicLong nanos = new AtomicLong();
    JobHandler<String> quick = JobHandler.of("quick", String.class, (p, ctx) -> {});
    JobEngine.Builder builder =
        JobEngine.builder()
            .store(store)
            .nodeName("slow")
            .discoverHandlers(false)
            .leaseDuration(Duration.ofSeconds(3))
            .pollInterval(Duration.ofMillis(20))
            .handler(quick);
    DefaultJobEngine node =
        new DefaultJobEngine(builder.config(), HandlerRegistry.of(List.of(quick), false), nanos::get);
    node.start();
    engine = node;
    store.renewalsHang(true);
    Await.untilTrue("a heartbeat to hang", () -> store.hangingCalls() > 0);

    nanos.set(Duration.ofMillis(1500).toNanos());
    assertThat(node.claimingPaused()).as("claiming paused at half the lease").isFalse();
    nanos.set(Duration.ofMillis(1501).toNanos());
    assertThat(node.claimingPaused()).as("claiming paused past half the lease").isTrue();
    JobId id = engine.client().enqueue(JobRequest.of("quick", "x"));
    assertThat(memory.get(id).orElseThrow().status()).isEqualTo(JobStatus.PENDING);

    store.renewalsHang(false);

    Await.untilTrue("claiming to resume after a renewal succeeds", () -> !node.claimingPaused());
    JobInfo done = Await.until("the job to run", () -> memory.get(id).filter(j -> j.status().isTerminal()).orElse(null));
    assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
  }

  /**
   * Issue 9, defect 6: a heartbeat the store passes over because another session holds the node's
   * row locked is no failure: the renewals went through, so the node stays healthy and claims.
   */
  @Test
  void a_node_whose_heartbeat_row_is_locked_keeps_claiming_and_says_so_once() {
    AtomicLong nanos = new AtomicLong();
    JobHandler<String> quick = JobHandler.of("quick", String.class, (p, ctx) -> {});
    JobEngine.Builder builder =
        JobEngine.builder()
            .store(store)
            .nodeName("row-locked")
            .discoverHandlers(false)
            .leaseDuration(Duration.ofMillis(600))
            .pollInterval(Duration.ofMillis(20))
            .handler(quick);
    LogCapture log = LogCapture.of(NodePresence.class.getName(), Level.INFO);
    try {
      DefaultJobEngine node =
          new DefaultJobEngine(builder.config(), HandlerRegistry.of(List.of(quick), false), nanos::get);
      node.start();
      engine = node;
      store.lockNodeRow(true);
      // Past half the lease since the registration: healthy only if a later heartbeat counted.
      nanos.set(Duration.ofMillis(400).toNanos());

      Await.untilTrue(
          "two heartbeats passed over", () -> log.containing("was not recorded").size() == 1
              && !node.claimingPaused());
      JobId id = engine.client().enqueue(JobRequest.of("quick", "x"));
      JobInfo done = Await.until("the job to run", () -> memory.get(id).filter(j -> j.status().isTerminal()).orElse(null));
      assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
      assertThat(log.containing("was not recorded")).as("logged once").hasSize(1);

      store.lockNodeRow(false);
      Await.untilTrue("the heartbeat recorded again", () -> !log.containing("is recorded again").isEmpty());
    } finally {
      store.lockNodeRow(false);
      log.close();
    }
  }

  @Test
  void an_engine_survives_a_database_outage_and_finishes_the_work_when_it_is_back() {
    engine =
        JobEngine.builder()
            .store(store)
            .nodeName("survivor")
            .discoverHandlers(false)
            .pollInterval(Duration.ofMillis(20))
            .handler(JobHandler.of("t", String.class, (p, ctx) -> {}))
            .start();
    store.down(true);
    // Let the dispatcher fail a few polls.
    AtomicInteger polls = new AtomicInteger();
    Await.untilTrue("a few failed polls", () -> polls.incrementAndGet() > 20);

    store.down(false);
    JobId id = engine.client().enqueue(JobRequest.of("t", "x"));

    JobInfo job = Await.until("the job to run after the outage", () -> memory.get(id).filter(j -> j.status().isTerminal()).orElse(null));
    assertThat(job.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(engine.isRunning()).isTrue();
  }
}
