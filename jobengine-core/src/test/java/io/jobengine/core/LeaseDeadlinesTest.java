package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 7: a handler is stopped by a timer at its local lease deadline minus the margin,
 * not up to a heartbeat later. The clock and the timer are the test's: the timer records what it
 * was asked to run and when, and the test runs it at the clock reading it chooses.
 */
class LeaseDeadlinesTest {

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final long MARGIN = LeaseDeadlines.marginFor(LEASE).toNanos();

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final RecordingTimer timer = new RecordingTimer();
  private final Map<JobId, RunningJob> active = new ConcurrentHashMap<>();
  private final LeaseDeadlines deadlines =
      new LeaseDeadlines(nanos::get, timer, active.values(), LEASE);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void the_margin_is_a_fifth_of_the_lease() {
    assertThat(LeaseDeadlines.marginFor(LEASE)).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void a_claimed_job_is_stopped_by_a_timer_at_its_local_deadline_minus_the_margin() {
    RunningJob job = claimed(nanos.get() + LEASE.toNanos());

    deadlines.track(job);

    Scheduled armed = timer.last();
    assertThat(armed.delayNanos()).isEqualTo(LEASE.toNanos() - MARGIN);
    nanos.addAndGet(armed.delayNanos() - 1);
    armed.task().run();
    assertThat(job.stopReason()).as("one nanosecond early").isNull();
    assertThat(timer.last().delayNanos()).as("re-armed for what is left").isEqualTo(1);

    nanos.incrementAndGet();
    timer.last().task().run();
    assertThat(job.stopReason()).isEqualTo(Reason.LEASE_LOST);
  }

  @Test
  void a_renewal_moves_the_stop_later_and_the_early_firing_re_arms_for_it() {
    long claimedAt = nanos.get();
    RunningJob job = claimed(claimedAt + LEASE.toNanos());
    deadlines.track(job);
    Scheduled first = timer.last();

    long renewedAt = claimedAt + Duration.ofSeconds(10).toNanos();
    job.leaseRenewed(renewedAt + LEASE.toNanos());
    nanos.set(claimedAt + first.delayNanos());
    first.task().run();

    assertThat(job.stopReason()).isNull();
    assertThat(timer.last().delayNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());
    nanos.set(renewedAt + LEASE.toNanos() - MARGIN);
    timer.last().task().run();
    assertThat(job.stopReason()).isEqualTo(Reason.LEASE_LOST);
  }

  @Test
  void the_timer_is_armed_for_the_earliest_deadline_and_stops_each_job_at_its_own() {
    long now = nanos.get();
    RunningJob later = claimed(now + LEASE.toNanos() + 5);
    deadlines.track(later);
    RunningJob earlier = claimed(now + LEASE.toNanos());
    deadlines.track(earlier);

    assertThat(deadlines.armedFor()).isEqualTo(now + LEASE.toNanos() - MARGIN);
    nanos.set(deadlines.armedFor());
    timer.last().task().run();
    assertThat(earlier.stopReason()).isEqualTo(Reason.LEASE_LOST);
    assertThat(later.stopReason()).isNull();
    assertThat(timer.last().delayNanos()).isEqualTo(5);
  }

  @Test
  void a_job_whose_outcome_is_claimed_is_not_stopped_and_nothing_is_re_armed() {
    RunningJob job = claimed(nanos.get() + LEASE.toNanos());
    deadlines.track(job);
    assertThat(job.claimOutcome()).isTrue();

    nanos.addAndGet(LEASE.toNanos());
    timer.last().task().run();

    assertThat(job.stopReason()).isNull();
    assertThat(deadlines.armedFor()).isNull();
  }

  @Test
  void without_a_timer_nothing_is_armed_or_stopped() {
    LeaseDeadlines unarmed = new LeaseDeadlines(nanos::get, null, active.values(), LEASE);
    RunningJob job = claimed(nanos.get() + LEASE.toNanos());

    unarmed.track(job);

    assertThat(unarmed.armedFor()).isNull();
    assertThat(job.stopReason()).isNull();
  }

  private RunningJob claimed(long leaseValidUntil) {
    JobId id = JobId.generate();
    ClaimedJob claimed =
        new ClaimedJob(new Lease(id, "node-1", 1), "t", "default", "\"x\"", 1, 3, null, 0, Instant.now());
    RunningJob job =
        new RunningJob(claimed, JobHandler.of("t", String.class, (p, ctx) -> {}), null, leaseValidUntil);
    active.put(id, job);
    return job;
  }

  record Scheduled(Runnable task, long delayNanos) {}

  /** Records what it is asked to schedule; runs nothing by itself. */
  static final class RecordingTimer extends ScheduledThreadPoolExecutor {
    private final List<Scheduled> scheduled = new ArrayList<>();

    RecordingTimer() {
      super(1);
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
      scheduled.add(new Scheduled(task, unit.toNanos(delay)));
      return super.schedule(() -> {}, 1, TimeUnit.DAYS);
    }

    synchronized Scheduled last() {
      assertThat(scheduled).as("scheduled tasks").isNotEmpty();
      return scheduled.get(scheduled.size() - 1);
    }
  }
}
