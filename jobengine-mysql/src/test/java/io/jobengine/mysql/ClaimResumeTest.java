package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Claims that resume where the claimer's last one ended (see {@link ClaimMemory}): a backlog still
 * comes out in claim order, a short range is topped up from the start of the queue, and a job
 * that sorts before the resume point is claimed at once when this store enqueued or put it back,
 * and within the rescan interval when another node enqueued it.
 */
class ClaimResumeTest {
  private static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);

  private static String prefix;
  private static final AtomicLong nanos = new AtomicLong();
  private static MySqlJobStore store;
  /** Another node on the same tables. */
  private static MySqlJobStore other;

  @BeforeAll
  static void start() {
    prefix = TestDatabase.uniquePrefix("resume");
    store =
        MySqlJobStore.builder()
            .dataSource(TestDatabase.dataSource())
            .tablePrefix(prefix)
            .nanoTime(nanos::get)
            .build();
    other = TestDatabase.store(prefix);
  }

  @AfterAll
  static void stop() {
    store.close();
    other.close();
  }

  @BeforeEach
  void clear() {
    TestDatabase.clear(prefix);
    // Moving past the rescan interval makes every claimer read its queue from the start.
    nanos.addAndGet(ClaimMemory.RESCAN_INTERVAL.toNanos());
  }

  @Test
  void a_backlog_comes_out_in_claim_order_across_resumed_claims() {
    List<JobId> backlog = enqueueBacklog(store, 5, 40);

    List<JobId> claimed = new ArrayList<>(ids(claim(8)));
    assertThat(store.claimMemory().resumeFrom(claimer())).as("resumes after a full claim").isNotNull();
    for (int i = 0; i < 4; i++) {
      claimed.addAll(ids(claim(8)));
    }

    assertThat(claimed).containsExactlyElementsOf(backlog);
    assertThat(claim(8)).isEmpty();
  }

  @Test
  void jobs_of_one_run_time_come_out_in_id_order_across_resumed_claims() {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      jobs.add(job(5, LONG_AGO));
    }
    store.enqueue(jobs);
    List<JobId> inIdOrder = jobs.stream().map(NewJob::id).sorted().toList();

    List<JobId> claimed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      claimed.addAll(ids(claim(8)));
    }

    assertThat(claimed).containsExactlyElementsOf(inIdOrder);
  }

  @Test
  void a_resumed_claim_that_runs_short_takes_the_rest_from_the_start_of_the_queue() {
    List<JobId> urgent = enqueueBacklog(store, 1, 10);
    List<JobId> later = enqueueBacklog(store, 5, 10);

    List<JobId> first = ids(claim(8));
    List<JobId> second = ids(claim(8));

    assertThat(first).containsExactlyElementsOf(urgent.subList(0, 8));
    List<JobId> expected = new ArrayList<>(urgent.subList(8, 10));
    expected.addAll(later.subList(0, 6));
    assertThat(second).containsExactlyElementsOf(expected);
  }

  @Test
  void a_job_this_store_enqueues_ahead_of_the_resume_point_is_claimed_next() {
    enqueueBacklog(store, 5, 30);
    claim(8);

    JobId urgent = store.enqueue(List.of(job(1, null))).get(0).id();
    assertThat(ids(claim(1))).containsExactly(urgent);

    claim(8);
    JobId overdue = store.enqueue(List.of(job(5, LONG_AGO.minusSeconds(60)))).get(0).id();
    assertThat(ids(claim(1))).containsExactly(overdue);
  }

  @Test
  void a_job_another_node_enqueues_ahead_of_the_resume_point_waits_at_most_the_rescan_interval() {
    List<JobId> backlog = enqueueBacklog(store, 5, 30);
    claim(8);

    JobId urgent = other.enqueue(List.of(job(1, null))).get(0).id();
    // This store did not see the enqueue: its next claim resumes and passes the job over...
    assertThat(ids(claim(1))).containsExactly(backlog.get(8));
    // ...until its next read from the start, at most the rescan interval later.
    nanos.addAndGet(ClaimMemory.RESCAN_INTERVAL.toNanos());
    assertThat(ids(claim(1))).containsExactly(urgent);
  }

  @Test
  void with_a_zero_rescan_interval_a_job_another_node_enqueues_ahead_is_claimed_next() {
    try (MySqlJobStore strict =
        MySqlJobStore.builder()
            .dataSource(TestDatabase.dataSource())
            .tablePrefix(prefix)
            .claimRescanInterval(Duration.ZERO)
            .build()) {
      enqueueBacklog(strict, 5, 30);
      ClaimRequest request = new ClaimRequest("node-2", "default", Set.of("t"), 8, LEASE);
      strict.claim(request);

      JobId urgent = other.enqueue(List.of(job(1, null))).get(0).id();
      assertThat(ids(strict.claim(request)).get(0)).isEqualTo(urgent);
    }
  }

  @Test
  void jobs_the_reaper_puts_back_are_claimed_before_the_rest_of_the_backlog() {
    List<JobId> backlog = enqueueBacklog(store, 5, 30);
    List<JobId> lost =
        ids(store.claim(new ClaimRequest("node-1", "default", Set.of("t"), 8, Duration.ofMillis(1))));
    claim(8);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int reaped = 0;
    while (reaped == 0 && System.nanoTime() < deadline) {
      reaped = store.reapExpiredLeases();
    }
    assertThat(reaped).as("the 1 ms leases expired and were reaped").isEqualTo(8);

    assertThat(ids(claim(8))).containsExactlyElementsOf(lost).isEqualTo(backlog.subList(0, 8));
  }

  private static List<JobId> enqueueBacklog(MySqlJobStore target, int priority, int n) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job(priority, LONG_AGO.plusMillis(i)));
    }
    target.enqueue(jobs);
    return jobs.stream().map(NewJob::id).toList();
  }

  private static NewJob job(int priority, Instant runAt) {
    return new NewJob(
        JobId.generate(), "t", "default", priority, "{}", runAt, Duration.ZERO, 3, null, null);
  }

  private static List<ClaimedJob> claim(int limit) {
    return store.claim(new ClaimRequest("node-1", "default", Set.of("t"), limit, LEASE));
  }

  private static ClaimMemory.Claimer claimer() {
    return new ClaimMemory.Claimer("node-1", "default", Set.of("t"));
  }

  private static List<JobId> ids(List<ClaimedJob> jobs) {
    return jobs.stream().map(j -> j.lease().jobId()).toList();
  }
}
