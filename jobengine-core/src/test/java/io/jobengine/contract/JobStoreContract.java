package io.jobengine.contract;

import io.jobengine.spi.HeartbeatResult;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jobengine.CancelResult;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobPage;
import io.jobengine.JobQuery;
import io.jobengine.JobStatus;
import io.jobengine.NodeInfo;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import io.jobengine.spi.Completion.Outcome;
import io.jobengine.spi.EnqueueResult;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import io.jobengine.spi.LeaseRenewal;
import io.jobengine.spi.NewJob;
import io.jobengine.spi.NodeRegistration;
import io.jobengine.spi.ProgressUpdate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.TemporalUnitOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every {@link JobStore} must show, specified once and run against each store: the
 * in-memory store in jobengine-core and the MySQL store in jobengine-mysql. A store that passes
 * this suite keeps the guarantees in the class documentation of {@link JobStore}.
 *
 * <h2>Running it against a store</h2>
 *
 * Extend this class and implement {@link #store()} (an empty store for each test, created and
 * cleaned in the subclass's own {@code @BeforeEach}) and {@link #advanceTime(Duration)}.
 *
 * <h2>Time</h2>
 *
 * Tests never sleep. They move the store's clock with {@link #advanceTime(Duration)}, and they
 * rely only on times relative to the store's own "now", which they read back from the jobs
 * ({@link JobInfo#createdAt()}, {@link JobInfo#updatedAt()}): a database store's clock keeps
 * running during a test, and its runner may implement {@code advanceTime} by moving every stored
 * time back instead of moving the clock forward. Absolute times are used only far in the past
 * ({@link #LONG_AGO}), where both readings agree. Tests never depend on the exact instant a run
 * time or lease expiry is reached: they step at least a second past it.
 *
 * <h2>What the suite pins down where the SPI is terse</h2>
 *
 * <ul>
 *   <li>A job is due when its run time is not after the store's now.
 *   <li>A RETRY or RELEASE completion of a job whose cancel was requested ends it CANCELED: a
 *       cancel the user asked for is never lost by sending the job back to the queue.
 *   <li>A job may still end in its own outcome (SUCCESS, FAILURE, ...) after a cancel request.
 *   <li>A job put back or failed by the reaper has a last error that names the node whose lease
 *       expired.
 *   <li>Lease renewal reports as lost a lease held under another owner name, even if its token
 *       matches.
 *   <li>In one enqueue call, a job whose unique key (or id) an earlier job of the call took gets
 *       that job's id with {@code created = false}.
 * </ul>
 *
 * <p>Tests assert only through the SPI, never on a store's internals.
 */
public abstract class JobStoreContract {

  /** The queue the tests claim from. */
  protected static final String QUEUE = "default";
  /** A queue the tests do not claim from. */
  protected static final String OTHER_QUEUE = "other";
  /** The type the tests' node has a handler for. */
  protected static final String TYPE = "send-mail";
  /** Another type. */
  protected static final String OTHER_TYPE = "resize-image";
  /** The node that claims in the tests. */
  protected static final String NODE = "node-a";
  /** Another node. */
  protected static final String OTHER_NODE = "node-b";
  /** The lease the tests claim with. */
  protected static final Duration LEASE = Duration.ofSeconds(30);
  /** Long enough to expire every lease taken before it. */
  protected static final Duration PAST_LEASE = LEASE.plusSeconds(1);
  /** A run time that has come on every store. */
  protected static final Instant LONG_AGO = Instant.parse("2000-01-01T00:00:00Z");

  /** How far a computed time may be from the expected one, for stores whose clock runs. */
  private static final TemporalUnitOffset CLOSE = within(5, ChronoUnit.SECONDS);

  /**
   * The store under test: empty at the start of each test.
   *
   * @return the store
   */
  protected abstract JobStore store();

  /**
   * Makes the store's clock move forward by {@code duration}, as seen by every time the store
   * writes and compares from now on.
   *
   * @param duration how far, positive
   */
  protected abstract void advanceTime(Duration duration);

  // ---------------------------------------------------------------- enqueue

  @Test
  void enqueue_writes_a_pending_job_with_the_requested_fields() {
    JobId id =
        enqueue(
            newJob(TYPE)
                .payload("{\"to\":\"ada@example.com\"}")
                .priority(7)
                .maxAttempts(4)
                .timeout(Duration.ofMinutes(5))
                .uniqueKey("mail-ada"));

    JobInfo job = get(id);
    assertThat(job.type()).isEqualTo(TYPE);
    assertThat(job.queue()).isEqualTo(QUEUE);
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.payload()).isEqualTo("{\"to\":\"ada@example.com\"}");
    assertThat(job.priority()).isEqualTo(7);
    assertThat(job.attempt()).isZero();
    assertThat(job.maxAttempts()).isEqualTo(4);
    assertThat(job.timeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(job.uniqueKey()).isEqualTo("mail-ada");
    assertThat(job.runAt()).isCloseTo(job.createdAt(), CLOSE);
    assertThat(job.leaseOwner()).isNull();
    assertThat(job.leaseExpiresAt()).isNull();
    assertThat(job.cancelRequested()).isFalse();
    assertThat(job.progressPercent()).isNull();
    assertThat(job.warnings()).isEmpty();
    assertThat(job.lastError()).isNull();
    assertThat(job.startedAt()).isNull();
    assertThat(job.finishedAt()).isNull();
  }

  @Test
  void enqueue_of_an_existing_id_writes_nothing_and_reports_it_not_created() {
    TestJob original = newJob(TYPE).payload("{\"n\":1}");
    JobId id = enqueue(original);

    List<EnqueueResult> again =
        store().enqueue(List.of(original.payload("{\"n\":2}").priority(9).build()));

    assertThat(again).containsExactly(new EnqueueResult(id, false));
    assertThat(get(id).payload()).isEqualTo("{\"n\":1}");
    assertThat(get(id).priority()).isZero();
  }

  @Test
  void enqueue_returns_one_result_per_job_in_order() {
    NewJob a = newJob(TYPE).build();
    NewJob b = newJob(OTHER_TYPE).build();
    NewJob c = newJob(TYPE).queue(OTHER_QUEUE).build();

    List<EnqueueResult> results = store().enqueue(List.of(a, b, c));

    assertThat(results)
        .containsExactly(
            new EnqueueResult(a.id(), true),
            new EnqueueResult(b.id(), true),
            new EnqueueResult(c.id(), true));
    assertThat(listAll(JobQuery.builder())).hasSize(3);
  }

  @Test
  void a_delayed_job_is_claimable_only_once_its_delay_has_passed() {
    JobId id = enqueue(newJob(TYPE).delay(Duration.ofMinutes(5)));

    JobInfo job = get(id);
    assertThat(job.runAt()).isCloseTo(job.createdAt().plus(Duration.ofMinutes(5)), CLOSE);
    assertThat(claim(10, TYPE)).isEmpty();

    advanceTime(Duration.ofMinutes(4));
    assertThat(claim(10, TYPE)).isEmpty();

    advanceTime(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(claimOne().lease().jobId()).isEqualTo(id);
  }

  @Test
  void a_job_with_a_run_time_in_the_future_waits_for_it() {
    Instant now = get(enqueue(newJob(OTHER_TYPE))).createdAt();
    JobId id = enqueue(newJob(TYPE).runAt(now.plus(Duration.ofHours(1))));

    assertThat(get(id).runAt()).isEqualTo(now.plus(Duration.ofHours(1)));
    assertThat(claim(10, TYPE)).isEmpty();

    advanceTime(Duration.ofMinutes(59));
    assertThat(claim(10, TYPE)).isEmpty();

    advanceTime(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(claimOne().lease().jobId()).isEqualTo(id);
  }

  @Test
  void a_job_with_a_run_time_in_the_past_is_claimable_at_once() {
    JobId id = enqueue(newJob(TYPE).runAt(LONG_AGO));

    assertThat(claimOne().lease().jobId()).isEqualTo(id);
  }

  // ---------------------------------------------------------------- claim

  @Test
  void claim_hands_out_the_job_queued_under_a_lease_with_its_attempt_counted() {
    JobId id =
        enqueue(
            newJob(TYPE).payload("{\"n\":1}").priority(3).maxAttempts(4)
                .timeout(Duration.ofMinutes(2)));

    ClaimedJob claimed = claimOne();

    assertThat(claimed.lease().jobId()).isEqualTo(id);
    assertThat(claimed.lease().owner()).isEqualTo(NODE);
    assertThat(claimed.type()).isEqualTo(TYPE);
    assertThat(claimed.queue()).isEqualTo(QUEUE);
    assertThat(claimed.payload()).isEqualTo("{\"n\":1}");
    assertThat(claimed.attempt()).isEqualTo(1);
    assertThat(claimed.maxAttempts()).isEqualTo(4);
    assertThat(claimed.timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(claimed.priority()).isEqualTo(3);
    JobInfo job = get(id);
    assertThat(claimed.createdAt()).isEqualTo(job.createdAt());
    assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(job.startedAt()).isNotNull().isCloseTo(job.updatedAt(), CLOSE);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.leaseOwner()).isEqualTo(NODE);
    assertThat(job.leaseExpiresAt()).isCloseTo(job.updatedAt().plus(LEASE), CLOSE);
  }

  @Test
  void claim_orders_jobs_by_priority_lower_first() {
    JobId p5 = enqueue(newJob(TYPE).priority(5).runAt(LONG_AGO));
    JobId p1 = enqueue(newJob(TYPE).priority(1).runAt(LONG_AGO));
    JobId minus1 = enqueue(newJob(TYPE).priority(-1).runAt(LONG_AGO));
    JobId p3 = enqueue(newJob(TYPE).priority(3).runAt(LONG_AGO));

    assertThat(claimedIds(claim(10, TYPE))).containsExactly(minus1, p1, p3, p5);
  }

  @Test
  void claim_orders_jobs_of_equal_priority_by_run_time() {
    JobId late = enqueue(newJob(TYPE).runAt(LONG_AGO.plus(Duration.ofHours(2))));
    JobId early = enqueue(newJob(TYPE).runAt(LONG_AGO));
    JobId middle = enqueue(newJob(TYPE).runAt(LONG_AGO.plus(Duration.ofHours(1))));

    assertThat(claimedIds(claim(10, TYPE))).containsExactly(early, middle, late);
  }

  @Test
  void claim_orders_jobs_of_equal_priority_and_run_time_by_id() {
    List<JobId> ids = sortedIds(4);
    for (int i = ids.size() - 1; i >= 0; i--) {
      enqueue(newJob(TYPE).id(ids.get(i)).runAt(LONG_AGO));
    }

    assertThat(claimedIds(claim(10, TYPE))).containsExactlyElementsOf(ids);
  }

  @Test
  void claim_orders_by_priority_before_run_time_and_by_run_time_before_id() {
    List<JobId> ids = sortedIds(3);
    // Each job would come first under the next sort key alone.
    JobId runsLastButHasTopPriority =
        enqueue(newJob(TYPE).id(ids.get(2)).priority(0).runAt(LONG_AGO.plusSeconds(60)));
    JobId earliest = enqueue(newJob(TYPE).id(ids.get(1)).priority(1).runAt(LONG_AGO));
    JobId smallestId =
        enqueue(newJob(TYPE).id(ids.get(0)).priority(1).runAt(LONG_AGO.plusSeconds(30)));

    assertThat(claimedIds(claim(10, TYPE)))
        .containsExactly(runsLastButHasTopPriority, earliest, smallestId);
  }

  @Test
  void claim_takes_only_jobs_of_the_requested_queue() {
    enqueue(newJob(TYPE).queue(OTHER_QUEUE));
    JobId mine = enqueue(newJob(TYPE));

    assertThat(claimedIds(claim(10, TYPE))).containsExactly(mine);
    assertThat(claim(10, TYPE)).isEmpty();
  }

  @Test
  void claim_skips_jobs_of_types_the_node_has_no_handler_for() {
    JobId other = enqueue(newJob(OTHER_TYPE));
    JobId mine = enqueue(newJob(TYPE));

    assertThat(claimedIds(claim(10, TYPE))).containsExactly(mine);
    assertThat(get(other).status()).isEqualTo(JobStatus.PENDING);
    assertThat(claimedIds(claim(10, TYPE, OTHER_TYPE))).containsExactly(other);
  }

  @Test
  void claim_takes_no_more_than_the_limit() {
    List<JobId> ids = sortedIds(5);
    for (JobId id : ids) {
      enqueue(newJob(TYPE).id(id).runAt(LONG_AGO));
    }

    assertThat(claimedIds(claim(2, TYPE))).containsExactlyElementsOf(ids.subList(0, 2));
    assertThat(claimedIds(claim(10, TYPE))).containsExactlyElementsOf(ids.subList(2, 5));
  }

  @Test
  void claim_does_not_hand_out_a_job_that_is_already_claimed() {
    enqueue(newJob(TYPE));
    claimOne();

    assertThat(claim(10, TYPE)).isEmpty();
    assertThat(claimAs(OTHER_NODE, 10, TYPE)).isEmpty();
  }

  @Test
  void concurrent_claimers_never_get_the_same_job() throws Exception {
    int jobCount = 2000;
    Set<JobId> enqueued = new HashSet<>();
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < jobCount; i++) {
      NewJob job = newJob(TYPE).build();
      enqueued.add(job.id());
      batch.add(job);
      if (batch.size() == 500) {
        store().enqueue(batch);
        batch = new ArrayList<>();
      }
    }
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch startGate = new CountDownLatch(1);
      List<Future<List<JobId>>> claimers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String owner = t % 2 == 0 ? NODE : OTHER_NODE;
        claimers.add(
            pool.submit(
                () -> {
                  startGate.await();
                  List<JobId> mine = new ArrayList<>();
                  List<ClaimedJob> got;
                  do {
                    got = claimAs(owner, 7, TYPE);
                    mine.addAll(claimedIds(got));
                  } while (!got.isEmpty());
                  return mine;
                }));
      }
      startGate.countDown();
      List<JobId> claimed = new ArrayList<>();
      for (Future<List<JobId>> claimer : claimers) {
        claimed.addAll(claimer.get(2, TimeUnit.MINUTES));
      }

      assertThat(claimed).hasSize(jobCount).doesNotHaveDuplicates();
      assertThat(new HashSet<>(claimed)).isEqualTo(enqueued);
      assertThat(listAll(JobQuery.builder()))
          .allSatisfy(
              job -> {
                assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
                assertThat(job.attempt()).isEqualTo(1);
              });
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void every_claim_counts_an_attempt_and_hands_out_a_larger_token() {
    JobId id = enqueue(newJob(TYPE).maxAttempts(5));

    ClaimedJob first = claimOne();
    assertThat(store().complete(List.of(Completion.retry(first.lease(), "boom", Duration.ZERO))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    ClaimedJob second = claimOne();
    advanceTime(PAST_LEASE);
    assertThat(store().reapExpiredLeases()).isEqualTo(1);
    ClaimedJob third = claimOne();

    assertThat(List.of(first, second, third))
        .allSatisfy(c -> assertThat(c.lease().jobId()).isEqualTo(id));
    assertThat(List.of(first.attempt(), second.attempt(), third.attempt()))
        .containsExactly(1, 2, 3);
    assertThat(second.lease().token()).isGreaterThan(first.lease().token());
    assertThat(third.lease().token()).isGreaterThan(second.lease().token());
    assertThat(get(id).attempt()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- max attempts at claim

  /**
   * Claims from {@link #QUEUE} as {@link #NODE}, whose handlers allow the given most attempts.
   *
   * @param maxAttempts the claimer's most attempts by type
   * @return the claimed jobs
   */
  protected List<ClaimedJob> claimWithPolicies(Map<String, Integer> maxAttempts) {
    return store().claim(new ClaimRequest(NODE, QUEUE, maxAttempts.keySet(), 10, LEASE, maxAttempts));
  }

  @Test
  void a_job_without_max_attempts_shows_none_until_the_claim_sets_the_claimers_value() {
    JobId id = enqueue(newJob(TYPE).withoutMaxAttempts());
    assertThat(get(id).maxAttempts()).as("before the first claim").isNull();

    List<ClaimedJob> claimed = claimWithPolicies(Map.of(TYPE, 2, OTHER_TYPE, 7));

    assertThat(claimed).singleElement().satisfies(c -> assertThat(c.maxAttempts()).isEqualTo(2));
    assertThat(get(id).maxAttempts()).as("stored by the claim").isEqualTo(2);
  }

  @Test
  void a_jobs_own_max_attempts_win_over_the_claimers() {
    JobId id = enqueue(newJob(TYPE).maxAttempts(4));

    List<ClaimedJob> claimed = claimWithPolicies(Map.of(TYPE, 2));

    assertThat(claimed).singleElement().satisfies(c -> assertThat(c.maxAttempts()).isEqualTo(4));
    assertThat(get(id).maxAttempts()).isEqualTo(4);
  }

  @Test
  void the_reaper_and_later_claims_keep_the_max_attempts_of_the_first_claim() {
    JobId id = enqueue(newJob(TYPE).withoutMaxAttempts());
    assertThat(claimWithPolicies(Map.of(TYPE, 2))).hasSize(1);
    advanceTime(PAST_LEASE);
    assertThat(store().reapExpiredLeases()).isEqualTo(1);
    assertThat(get(id).status()).as("attempt 1 of 2: back").isEqualTo(JobStatus.PENDING);

    // A node whose handler allows more does not change what the job got at its first claim.
    assertThat(claimWithPolicies(Map.of(TYPE, 9)))
        .singleElement()
        .satisfies(c -> assertThat(c.maxAttempts()).isEqualTo(2));
    advanceTime(PAST_LEASE);
    assertThat(store().reapExpiredLeases()).isEqualTo(1);

    JobInfo job = get(id);
    assertThat(job.status()).as("attempt 2 of 2: used up").isEqualTo(JobStatus.FAILURE);
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(job.maxAttempts()).isEqualTo(2);
    assertThat(job.lastError()).contains("2 of 2");
  }

  @Test
  void jobs_of_several_types_without_max_attempts_get_each_their_types_value_in_one_claim() {
    JobId mail = enqueue(newJob(TYPE).withoutMaxAttempts());
    JobId image = enqueue(newJob(OTHER_TYPE).withoutMaxAttempts());
    JobId own = enqueue(newJob(OTHER_TYPE).maxAttempts(1));

    assertThat(claimWithPolicies(Map.of(TYPE, 2, OTHER_TYPE, 6))).hasSize(3);

    assertThat(get(mail).maxAttempts()).isEqualTo(2);
    assertThat(get(image).maxAttempts()).isEqualTo(6);
    assertThat(get(own).maxAttempts()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- attempt writes

  @Test
  void a_claim_makes_the_job_running_with_its_start_stamped() {
    JobId id = enqueue(newJob(TYPE));

    List<ClaimedJob> claimed = claim(5, TYPE);

    assertThat(claimed).hasSize(1);
    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.leaseOwner()).isEqualTo(NODE);
    assertThat(job.startedAt()).isNotNull().isCloseTo(job.updatedAt(), CLOSE);
  }

  @Test
  void progress_reported_under_a_live_lease_is_visible_through_get() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();

    assertThat(store().reportProgress(List.of(new ProgressUpdate(lease, 40, "4 of 10 mails"))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(get(id).progressPercent()).isEqualTo(40);
    assertThat(get(id).progressMessage()).isEqualTo("4 of 10 mails");

    assertThat(store().reportProgress(List.of(new ProgressUpdate(lease, 90, null))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(get(id).progressPercent()).isEqualTo(90);
    assertThat(get(id).progressMessage()).isNull();
  }

  @Test
  void warnings_reported_while_running_are_visible_and_leave_the_progress_alone() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    store().reportProgress(List.of(new ProgressUpdate(lease, 30, "a third")));

    assertThat(
            store().reportProgress(
                List.of(new ProgressUpdate(lease, null, null, List.of("disk 91% full", "slow")))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    JobInfo job = get(id);
    assertThat(job.warnings()).containsExactly("disk 91% full", "slow");
    assertThat(job.progressPercent()).isEqualTo(30);
    assertThat(job.progressMessage()).isEqualTo("a third");
  }

  @Test
  void a_new_attempt_starts_without_the_warnings_of_the_previous_one() {
    JobId id = enqueue(newJob(TYPE));
    Lease first = claimOne().lease();
    store().reportProgress(List.of(new ProgressUpdate(first, null, null, List.of("first try"))));
    store().complete(List.of(Completion.retry(first, "boom", Duration.ZERO)));

    claimOne();

    assertThat(get(id).warnings()).isEmpty();
  }

  @Test
  void success_ends_the_job_and_its_lease() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();

    assertThat(store().complete(List.of(Completion.success(lease))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(job.finishedAt()).isNotNull().isCloseTo(job.updatedAt(), CLOSE);
    assertThat(job.leaseOwner()).isNull();
    assertThat(job.leaseExpiresAt()).isNull();
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(claim(10, TYPE)).isEmpty();
  }

  @Test
  void warning_ends_the_job_with_its_warnings_stored() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();

    assertThat(
            store()
                .complete(
                    List.of(Completion.warning(lease, List.of("2 mails bounced", "slow SMTP")))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.WARNING);
    assertThat(job.warnings()).containsExactly("2 mails bounced", "slow SMTP");
    assertThat(job.finishedAt()).isNotNull();
    assertThat(job.leaseOwner()).isNull();
  }

  @Test
  void failure_ends_the_job_with_its_error_stored() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();

    assertThat(store().complete(List.of(Completion.failure(lease, "SMTP said 550"))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.lastError()).isEqualTo("SMTP said 550");
    assertThat(job.finishedAt()).isNotNull();
    assertThat(job.leaseOwner()).isNull();
    assertThat(claim(10, TYPE)).isEmpty();
  }

  @Test
  void a_very_long_error_is_stored_truncated() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    String error = "x".repeat(200_000);

    assertThat(store().complete(List.of(Completion.failure(lease, error))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    String stored = get(id).lastError();
    assertThat(stored).isNotEmpty().hasSizeLessThan(error.length()).startsWith("x".repeat(100));
  }

  @Test
  void retry_completion_puts_the_job_back_after_its_delay_keeping_the_attempt() {
    JobId id = enqueue(newJob(TYPE).maxAttempts(3));
    Lease lease = claimOne().lease();

    assertThat(
            store()
                .complete(
                    List.of(Completion.retry(lease, "SMTP timeout", Duration.ofMinutes(10)))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.lastError()).isEqualTo("SMTP timeout");
    assertThat(job.leaseOwner()).isNull();
    assertThat(job.leaseExpiresAt()).isNull();
    assertThat(job.finishedAt()).isNull();
    assertThat(job.runAt()).isCloseTo(job.updatedAt().plus(Duration.ofMinutes(10)), CLOSE);
    assertThat(claim(10, TYPE)).isEmpty();

    advanceTime(Duration.ofMinutes(9));
    assertThat(claim(10, TYPE)).isEmpty();

    advanceTime(Duration.ofMinutes(1));
    ClaimedJob again = claimOne();
    assertThat(again.lease().jobId()).isEqualTo(id);
    assertThat(again.attempt()).isEqualTo(2);
  }

  @Test
  void release_puts_the_job_back_claimable_at_once_without_using_up_an_attempt() {
    JobId id = enqueue(newJob(TYPE).maxAttempts(1));
    Lease lease = claimOne().lease();

    assertThat(store().complete(List.of(Completion.release(lease))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.attempt()).isZero();
    assertThat(job.leaseOwner()).isNull();
    assertThat(job.leaseExpiresAt()).isNull();
    assertThat(job.finishedAt()).isNull();
    ClaimedJob again = claimOne();
    assertThat(again.lease().jobId()).isEqualTo(id);
    assertThat(again.attempt()).isEqualTo(1);
  }

  @Test
  void a_batch_of_writes_applies_the_live_leases_and_rejects_only_the_others() {
    JobId a = enqueue(newJob(TYPE).runAt(LONG_AGO));
    JobId b = enqueue(newJob(TYPE).runAt(LONG_AGO.plusSeconds(1)));
    Lease leaseA = claimOne().lease();
    Lease leaseB = claimOne().lease();
    assertThat(store().complete(List.of(Completion.success(leaseB))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    assertThat(
            store().reportProgress(
                List.of(new ProgressUpdate(leaseA, 10, "a"), new ProgressUpdate(leaseB, 10, "b"))))
        .isEqualTo(WriteResult.rejected(Set.of(b)));

    assertThat(get(a).status()).isEqualTo(JobStatus.RUNNING);
    assertThat(get(a).progressPercent()).isEqualTo(10);
    assertThat(get(b).status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(get(b).progressPercent()).isNull();
  }

  @Test
  void writes_for_a_job_that_does_not_exist_are_rejected() {
    JobId missing = JobId.generate();
    Lease lease = new Lease(missing, NODE, 1);

    assertThat(store().reportProgress(List.of(new ProgressUpdate(lease, 5, null))))
        .isEqualTo(WriteResult.rejected(Set.of(missing)));
    assertThat(store().complete(List.of(Completion.success(lease))))
        .isEqualTo(WriteResult.rejected(Set.of(missing)));
    assertThat(store().get(missing)).isEmpty();
  }

  // ---------------------------------------------------------------- fencing

  @Test
  void progress_with_a_stale_lease_changes_nothing_and_is_rejected() {
    JobId id = enqueue(newJob(TYPE));
    Attempts attempts = expireAndReclaim(id);
    JobInfo before = get(id);

    assertThat(store().reportProgress(List.of(new ProgressUpdate(attempts.stale(), 70, "late"))))
        .isEqualTo(WriteResult.rejected(Set.of(id)));

    assertUnchanged(before);
  }

  /**
   * One call reports each job once: written, rejected or busy. With no other transaction holding
   * a lock, no job is busy, and a stale lease beside a live one costs the live one nothing.
   */
  @ParameterizedTest
  @EnumSource(Outcome.class)
  void a_batch_writes_its_live_leases_and_rejects_its_stale_one_reporting_none_busy(
      Outcome outcome) {
    JobId staleId = enqueue(newJob(TYPE));
    Attempts attempts = expireAndReclaim(staleId);
    JobId liveId = enqueue(newJob(TYPE));
    Lease live = claimOne().lease();
    assertThat(live.jobId()).isEqualTo(liveId);

    WriteResult progress =
        store().reportProgress(
            List.of(
                new ProgressUpdate(attempts.stale(), 10, "late"),
                new ProgressUpdate(live, 20, "on time")));
    WriteResult ended =
        store().complete(List.of(completion(attempts.stale(), outcome), completion(live, outcome)));

    assertThat(progress).isEqualTo(WriteResult.rejected(Set.of(staleId)));
    assertThat(ended).isEqualTo(WriteResult.rejected(Set.of(staleId)));
    assertThat(get(liveId).status().isLeased()).as("the live attempt ended").isFalse();
    assertThat(get(staleId).status().isLeased()).as("the current attempt still runs").isTrue();
  }

  @ParameterizedTest
  @EnumSource(Outcome.class)
  void completion_with_a_stale_lease_changes_nothing_and_is_rejected(Outcome outcome) {
    JobId id = enqueue(newJob(TYPE));
    Attempts attempts = expireAndReclaim(id);
    JobInfo before = get(id);

    assertThat(store().complete(List.of(completion(attempts.stale(), outcome))))
        .isEqualTo(WriteResult.rejected(Set.of(id)));

    assertUnchanged(before);
    assertThat(store().renewLeases(NODE, List.of(attempts.current()), LEASE).lost()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = Outcome.class,
      names = {"SUCCESS", "WARNING", "FAILURE", "CANCELED"})
  void no_lease_write_lands_after_the_job_ended(Outcome ending) {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    assertThat(store().complete(List.of(completion(lease, ending))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    JobInfo ended = get(id);

    assertThat(store().reportProgress(List.of(new ProgressUpdate(lease, 99, "late"))))
        .isEqualTo(WriteResult.rejected(Set.of(id)));
    for (Outcome outcome : Outcome.values()) {
      assertThat(store().complete(List.of(completion(lease, outcome))))
          .as("complete %s after %s", outcome, ending)
          .isEqualTo(WriteResult.rejected(Set.of(id)));
    }
    assertThat(store().renewLeases(NODE, List.of(lease), LEASE).lost()).containsExactly(id);

    assertUnchanged(ended);
  }

  @Test
  void a_stale_attempts_completion_cannot_overwrite_the_newer_attempts_result() {
    JobId id = enqueue(newJob(TYPE));
    Attempts attempts = expireAndReclaim(id);
    assertThat(store().complete(List.of(Completion.success(attempts.current()))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    assertThat(store().complete(List.of(Completion.failure(attempts.stale(), "stale failure"))))
        .isEqualTo(WriteResult.rejected(Set.of(id)));

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(job.lastError()).doesNotContain("stale failure");
    assertThat(job.attempt()).isEqualTo(2);
  }

  @Test
  void a_stale_attempt_cannot_write_over_a_job_that_went_back_to_pending() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    advanceTime(PAST_LEASE);
    assertThat(store().reapExpiredLeases()).isEqualTo(1);
    JobInfo requeued = get(id);

    assertThat(store().reportProgress(List.of(new ProgressUpdate(lease, 99, "late"))))
        .isEqualTo(WriteResult.rejected(Set.of(id)));
    assertThat(store().complete(List.of(Completion.success(lease))))
        .isEqualTo(WriteResult.rejected(Set.of(id)));

    assertUnchanged(requeued);
  }

  // ---------------------------------------------------------------- leases

  @Test
  void reaper_puts_an_expired_job_with_attempts_left_back_to_pending_in_its_old_place() {
    JobId id = enqueue(newJob(TYPE).maxAttempts(3));
    claimOne();
    advanceTime(PAST_LEASE);

    assertThat(store().reapExpiredLeases()).isEqualTo(1);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.leaseOwner()).isNull();
    assertThat(job.leaseExpiresAt()).isNull();
    assertThat(job.finishedAt()).isNull();
    assertThat(job.lastError()).contains(NODE);
    // Due at once, in the place it had: not behind every job enqueued since it was claimed.
    assertThat(job.runAt()).isBeforeOrEqualTo(job.updatedAt().minus(PAST_LEASE));
    ClaimedJob again = claimOne();
    assertThat(again.lease().jobId()).isEqualTo(id);
    assertThat(again.attempt()).isEqualTo(2);
  }

  @Test
  void reaper_fails_an_expired_job_whose_attempts_are_used_up() {
    JobId id = enqueue(newJob(TYPE).maxAttempts(1));
    claimOne();
    advanceTime(PAST_LEASE);

    assertThat(store().reapExpiredLeases()).isEqualTo(1);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.lastError()).contains(NODE);
    assertThat(job.finishedAt()).isNotNull();
    assertThat(job.leaseOwner()).isNull();
    assertThat(job.leaseExpiresAt()).isNull();
    assertThat(claim(10, TYPE)).isEmpty();
  }

  @Test
  void reaper_cancels_an_expired_job_whose_cancel_was_requested() {
    JobId id = enqueue(newJob(TYPE).maxAttempts(3));
    claimOne();
    assertThat(store().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);
    advanceTime(PAST_LEASE);

    assertThat(store().reapExpiredLeases()).isEqualTo(1);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.CANCELED);
    assertThat(job.finishedAt()).isNotNull();
    assertThat(job.leaseOwner()).isNull();
    assertThat(claim(10, TYPE)).isEmpty();
  }

  @Test
  void reaper_leaves_live_leases_and_unclaimed_jobs_alone() {
    JobId claimed = enqueue(newJob(TYPE).runAt(LONG_AGO));
    JobId pending = enqueue(newJob(OTHER_TYPE).runAt(LONG_AGO));
    claimOne();
    advanceTime(LEASE.dividedBy(2));
    JobInfo claimedBefore = get(claimed);
    JobInfo pendingBefore = get(pending);

    assertThat(store().reapExpiredLeases()).isZero();

    assertUnchanged(claimedBefore);
    assertUnchanged(pendingBefore);
  }

  @Test
  void reaper_ends_only_the_leases_that_expired() {
    JobId old = enqueue(newJob(TYPE).runAt(LONG_AGO));
    JobId fresh = enqueue(newJob(TYPE).runAt(LONG_AGO.plusSeconds(1)));
    claimOne();
    advanceTime(LEASE.dividedBy(2));
    claimOne();
    advanceTime(LEASE.dividedBy(2).plusSeconds(1));

    assertThat(store().reapExpiredLeases()).isEqualTo(1);

    assertThat(get(old).status()).isEqualTo(JobStatus.PENDING);
    assertThat(get(fresh).status()).isEqualTo(JobStatus.RUNNING);
  }

  @Test
  void concurrent_reapers_end_each_expired_lease_once() throws Exception {
    int jobCount = 200;
    for (int i = 0; i < jobCount; i++) {
      enqueue(newJob(TYPE).maxAttempts(2));
    }
    assertThat(claim(jobCount, TYPE)).hasSize(jobCount);
    advanceTime(PAST_LEASE);
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch startGate = new CountDownLatch(1);
      List<Future<Integer>> reapers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        reapers.add(
            pool.submit(
                () -> {
                  startGate.await();
                  return store().reapExpiredLeases();
                }));
      }
      startGate.countDown();
      int reaped = 0;
      for (Future<Integer> reaper : reapers) {
        reaped += reaper.get(1, TimeUnit.MINUTES);
      }

      assertThat(reaped).isEqualTo(jobCount);
      assertThat(listAll(JobQuery.builder()))
          .allSatisfy(
              job -> {
                assertThat(job.status()).isEqualTo(JobStatus.PENDING);
                assertThat(job.attempt()).isEqualTo(1);
              });
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void renewal_extends_a_lease_so_the_reaper_leaves_it() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    advanceTime(Duration.ofSeconds(20));

    LeaseRenewal renewal = store().renewLeases(NODE, List.of(lease), LEASE);

    assertThat(renewal.lost()).isEmpty();
    assertThat(renewal.cancelRequested()).isEmpty();
    assertThat(renewal.skipped()).isEmpty();
    JobInfo renewed = get(id);
    assertThat(renewed.leaseExpiresAt()).isCloseTo(renewed.updatedAt().plus(LEASE), CLOSE);
    advanceTime(Duration.ofSeconds(20)); // past the original expiry, before the renewed one
    assertThat(store().reapExpiredLeases()).isZero();
    assertThat(get(id).status()).isEqualTo(JobStatus.RUNNING);
    assertThat(store().reportProgress(List.of(new ProgressUpdate(lease, 1, null))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    advanceTime(Duration.ofSeconds(11)); // past the renewed expiry
    assertThat(store().reapExpiredLeases()).isEqualTo(1);
  }

  @Test
  void renewal_reports_leases_that_were_lost() {
    JobId reaped = enqueue(newJob(TYPE).runAt(LONG_AGO));
    JobId kept = enqueue(newJob(TYPE).runAt(LONG_AGO.plusSeconds(1)));
    Lease reapedLease = claimOne().lease();
    advanceTime(PAST_LEASE);
    assertThat(store().reapExpiredLeases()).isEqualTo(1);
    Lease keptLease = claimAs(NODE, 10, TYPE).stream()
        .map(ClaimedJob::lease)
        .filter(l -> l.jobId().equals(kept))
        .findFirst()
        .orElseThrow();

    LeaseRenewal renewal = store().renewLeases(NODE, List.of(reapedLease, keptLease), LEASE);

    assertThat(renewal.lost()).containsExactly(reaped);
    assertThat(renewal.cancelRequested()).isEmpty();
  }

  @Test
  void renewal_reports_cancel_requests_of_leases_still_held() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    assertThat(store().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

    LeaseRenewal renewal = store().renewLeases(NODE, List.of(lease), LEASE);

    assertThat(renewal.lost()).isEmpty();
    assertThat(renewal.cancelRequested()).containsExactly(id);
  }

  @Test
  void renewal_does_not_extend_a_lease_of_another_owner() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    advanceTime(Duration.ofSeconds(20));
    JobInfo before = get(id);

    LeaseRenewal renewal = store().renewLeases(OTHER_NODE, List.of(lease), LEASE);

    assertThat(renewal.lost()).containsExactly(id);
    assertUnchanged(before);
    advanceTime(Duration.ofSeconds(11));
    assertThat(store().reapExpiredLeases()).isEqualTo(1);
  }

  @Test
  void renewal_does_not_extend_a_lease_whose_token_is_stale() {
    JobId id = enqueue(newJob(TYPE));
    Attempts attempts = expireAndReclaim(id);
    JobInfo before = get(id);

    LeaseRenewal renewal = store().renewLeases(NODE, List.of(attempts.stale()), LEASE);

    assertThat(renewal.lost()).containsExactly(id);
    assertUnchanged(before);
  }

  @Test
  void renewal_of_rows_nobody_holds_locked_skips_none() {
    JobId kept = enqueue(newJob(TYPE).runAt(LONG_AGO));
    JobId ended = enqueue(newJob(TYPE).runAt(LONG_AGO.plusSeconds(1)));
    List<ClaimedJob> claimed = claim(2, TYPE);
    assertThat(claimedIds(claimed)).containsExactly(kept, ended);
    assertThat(store().complete(List.of(Completion.success(claimed.get(1).lease()))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    LeaseRenewal renewal =
        store().renewLeases(NODE, List.of(claimed.get(0).lease(), claimed.get(1).lease()), LEASE);

    assertThat(renewal.lost()).containsExactly(ended);
    assertThat(renewal.skipped()).isEmpty();
  }

  @Test
  void reaper_called_until_it_returns_zero_ends_every_expired_lease_once() {
    // More than a store's batch (the MySQL store reaps 500 per call).
    int count = 700;
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(newJob(TYPE).build());
    }
    store().enqueue(jobs);
    assertThat(claim(count, TYPE)).hasSize(count);
    advanceTime(PAST_LEASE);

    int reaped = 0;
    for (int calls = 0; calls < count; calls++) {
      int n = store().reapExpiredLeases();
      if (n == 0) {
        break;
      }
      reaped += n;
    }

    assertThat(reaped).isEqualTo(count);
    assertThat(listAll(JobQuery.builder().status(JobStatus.PENDING))).hasSize(count);
  }

  // ---------------------------------------------------------------- cancel requests

  @Test
  void cancel_requests_report_the_live_leases_whose_cancel_was_requested() {
    JobId canceled = enqueue(newJob(TYPE).runAt(LONG_AGO));
    JobId running = enqueue(newJob(TYPE).runAt(LONG_AGO.plusSeconds(1)));
    List<ClaimedJob> claimed = claim(2, TYPE);
    assertThat(claimedIds(claimed)).containsExactly(canceled, running);
    assertThat(store().cancel(canceled)).isEqualTo(CancelResult.CANCEL_REQUESTED);
    JobInfo before = get(canceled);

    Set<JobId> requested =
        store().cancelRequests(List.of(claimed.get(0).lease(), claimed.get(1).lease()));

    assertThat(requested).containsExactly(canceled);
    assertUnchanged(before);
    assertThat(store().cancelRequests(List.of())).isEmpty();
  }

  @Test
  void cancel_requests_leave_out_leases_that_are_no_longer_live() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    assertThat(store().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);
    assertThat(store().complete(List.of(Completion.canceled(lease))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    assertThat(store().cancelRequests(List.of(lease))).isEmpty();
    assertThat(get(id).status()).isEqualTo(JobStatus.CANCELED);
  }

  // ---------------------------------------------------------------- cancel

  @Test
  void cancel_of_a_pending_job_ends_it_canceled_and_it_is_never_claimed() {
    JobId id = enqueue(newJob(TYPE));

    assertThat(store().cancel(id)).isEqualTo(CancelResult.CANCELED);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.CANCELED);
    assertThat(job.finishedAt()).isNotNull();
    assertThat(job.attempt()).isZero();
    assertThat(claim(10, TYPE)).isEmpty();
    advanceTime(Duration.ofHours(1));
    assertThat(claim(10, TYPE)).isEmpty();
  }

  @Test
  void cancel_of_a_delayed_job_ends_it_canceled() {
    JobId id = enqueue(newJob(TYPE).delay(Duration.ofMinutes(5)));

    assertThat(store().cancel(id)).isEqualTo(CancelResult.CANCELED);

    advanceTime(Duration.ofMinutes(6));
    assertThat(claim(10, TYPE)).isEmpty();
    assertThat(get(id).status()).isEqualTo(JobStatus.CANCELED);
  }

  @Test
  void cancel_of_a_running_job_shows_to_cancel_until_its_node_ends_it_canceled() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();

    assertThat(store().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

    JobInfo toCancel = get(id);
    assertThat(toCancel.status()).isEqualTo(JobStatus.TO_CANCEL);
    assertThat(toCancel.cancelRequested()).isTrue();
    assertThat(toCancel.finishedAt()).isNull();
    assertThat(store().renewLeases(NODE, List.of(lease), LEASE).cancelRequested())
        .containsExactly(id);
    assertThat(store().reportProgress(List.of(new ProgressUpdate(lease, 50, "stopping"))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    assertThat(store().complete(List.of(Completion.canceled(lease))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    JobInfo canceled = get(id);
    assertThat(canceled.status()).isEqualTo(JobStatus.CANCELED);
    assertThat(canceled.finishedAt()).isNotNull();
    assertThat(canceled.leaseOwner()).isNull();
    assertThat(canceled.leaseExpiresAt()).isNull();
  }

  @Test
  void cancel_requested_twice_reports_cancel_requested_again() {
    JobId id = enqueue(newJob(TYPE));
    claimOne();
    assertThat(store().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

    assertThat(store().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

    assertThat(get(id).status()).isEqualTo(JobStatus.TO_CANCEL);
  }

  @Test
  void a_job_whose_cancel_was_requested_may_still_end_in_its_own_outcome() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    store().cancel(id);

    assertThat(store().complete(List.of(Completion.success(lease))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    assertThat(get(id).status()).isEqualTo(JobStatus.SUCCESS);
  }

  @Test
  void release_of_a_job_whose_cancel_was_requested_ends_it_canceled() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    store().cancel(id);

    assertThat(store().complete(List.of(Completion.release(lease))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.CANCELED);
    assertThat(job.finishedAt()).isNotNull();
    assertThat(claim(10, TYPE)).isEmpty();
  }

  @Test
  void retry_completion_of_a_job_whose_cancel_was_requested_ends_it_canceled() {
    JobId id = enqueue(newJob(TYPE).maxAttempts(3));
    Lease lease = claimOne().lease();
    store().cancel(id);

    assertThat(store().complete(List.of(Completion.retry(lease, "interrupted", Duration.ZERO))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.CANCELED);
    assertThat(job.finishedAt()).isNotNull();
    assertThat(claim(10, TYPE)).isEmpty();
  }

  @Test
  void cancel_of_an_ended_job_reports_already_finished_and_changes_nothing() {
    JobId id = enqueue(newJob(TYPE));
    assertThat(store().complete(List.of(Completion.success(claimOne().lease()))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    JobInfo ended = get(id);

    assertThat(store().cancel(id)).isEqualTo(CancelResult.ALREADY_FINISHED);

    assertUnchanged(ended);
  }

  @Test
  void cancel_of_a_missing_job_reports_not_found() {
    assertThat(store().cancel(JobId.generate())).isEqualTo(CancelResult.NOT_FOUND);
  }

  // ---------------------------------------------------------------- unique keys

  @Test
  void enqueue_of_a_duplicate_unique_key_returns_the_unfinished_jobs_id() {
    JobId first = enqueue(newJob(TYPE).uniqueKey("report-2024-06"));
    NewJob duplicate = newJob(TYPE).uniqueKey("report-2024-06").build();

    assertThat(store().enqueue(List.of(duplicate)))
        .containsExactly(new EnqueueResult(first, false));
    assertThat(store().get(duplicate.id())).isEmpty();

    claimOne();
    NewJob whileRunning = newJob(TYPE).uniqueKey("report-2024-06").build();
    assertThat(store().enqueue(List.of(whileRunning)))
        .containsExactly(new EnqueueResult(first, false));
    assertThat(store().get(whileRunning.id())).isEmpty();
  }

  @Test
  void a_unique_key_is_free_again_once_its_job_has_ended() {
    enqueue(newJob(TYPE).uniqueKey("report-2024-06"));
    assertThat(store().complete(List.of(Completion.success(claimOne().lease()))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    NewJob next = newJob(TYPE).uniqueKey("report-2024-06").build();

    assertThat(store().enqueue(List.of(next))).containsExactly(new EnqueueResult(next.id(), true));
    assertThat(get(next.id()).status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void a_canceled_job_frees_its_unique_key() {
    JobId first = enqueue(newJob(TYPE).uniqueKey("report-2024-06"));
    assertThat(store().cancel(first)).isEqualTo(CancelResult.CANCELED);

    NewJob next = newJob(TYPE).uniqueKey("report-2024-06").build();

    assertThat(store().enqueue(List.of(next))).containsExactly(new EnqueueResult(next.id(), true));
  }

  @Test
  void a_job_back_in_the_queue_for_retry_still_holds_its_unique_key() {
    JobId first = enqueue(newJob(TYPE).uniqueKey("report-2024-06").maxAttempts(3));
    Lease lease = claimOne().lease();
    assertThat(store().complete(List.of(Completion.retry(lease, "boom", Duration.ofMinutes(1)))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    NewJob duplicate = newJob(TYPE).uniqueKey("report-2024-06").build();

    assertThat(store().enqueue(List.of(duplicate)))
        .containsExactly(new EnqueueResult(first, false));
  }

  @Test
  void duplicates_within_one_batch_get_the_first_jobs_id() {
    NewJob first = newJob(TYPE).uniqueKey("report-2024-06").build();
    NewJob sameKey = newJob(TYPE).uniqueKey("report-2024-06").build();
    NewJob other = newJob(TYPE).uniqueKey("report-2024-07").build();

    List<EnqueueResult> results = store().enqueue(List.of(first, sameKey, other));

    assertThat(results)
        .containsExactly(
            new EnqueueResult(first.id(), true),
            new EnqueueResult(first.id(), false),
            new EnqueueResult(other.id(), true));
    assertThat(store().get(sameKey.id())).isEmpty();
    assertThat(listAll(JobQuery.builder())).hasSize(2);
  }

  @Test
  void the_same_id_twice_in_one_batch_writes_one_job() {
    TestJob job = newJob(TYPE);

    List<EnqueueResult> results = store().enqueue(List.of(job.build(), job.build()));

    assertThat(results)
        .containsExactly(new EnqueueResult(job.id, true), new EnqueueResult(job.id, false));
    assertThat(listAll(JobQuery.builder())).hasSize(1);
  }

  // ---------------------------------------------------------------- retry by hand

  @Test
  void retry_puts_a_failed_job_back_to_pending_with_attempts_reset_and_error_kept() {
    JobId id = enqueue(newJob(TYPE).maxAttempts(1));
    Lease lease = claimOne().lease();
    assertThat(store().reportProgress(List.of(new ProgressUpdate(lease, 30, "a third"))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(store().complete(List.of(Completion.failure(lease, "SMTP said 550"))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    advanceTime(Duration.ofMinutes(1));

    assertThat(store().retry(id)).isTrue();

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.attempt()).isZero();
    assertThat(job.lastError()).isEqualTo("SMTP said 550");
    assertThat(job.finishedAt()).isNull();
    assertThat(job.progressPercent()).isNull();
    assertThat(job.progressMessage()).isNull();
    assertThat(job.cancelRequested()).isFalse();
    assertThat(job.runAt()).isCloseTo(job.updatedAt(), CLOSE);
    ClaimedJob again = claimOne();
    assertThat(again.lease().jobId()).isEqualTo(id);
    assertThat(again.attempt()).isEqualTo(1);
  }

  @Test
  void retry_puts_a_canceled_job_back_to_pending_without_its_cancel_request() {
    JobId id = enqueue(newJob(TYPE));
    Lease lease = claimOne().lease();
    store().cancel(id);
    assertThat(store().complete(List.of(Completion.canceled(lease))))
        .isEqualTo(WriteResult.ALL_WRITTEN);

    assertThat(store().retry(id)).isTrue();

    JobInfo job = get(id);
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.cancelRequested()).isFalse();
    assertThat(job.attempt()).isZero();
    assertThat(job.finishedAt()).isNull();
    assertThat(claimOne().lease().jobId()).isEqualTo(id);
  }

  @Test
  void retry_refuses_jobs_that_have_not_ended_in_failure_or_canceled() {
    JobId pending = enqueue(newJob(OTHER_TYPE));
    JobId queued = enqueue(newJob(TYPE).runAt(LONG_AGO));
    JobId running = enqueue(newJob(TYPE).runAt(LONG_AGO.plusSeconds(1)));
    JobId succeeded = enqueue(newJob(TYPE).runAt(LONG_AGO.plusSeconds(2)));
    JobId warned = enqueue(newJob(TYPE).runAt(LONG_AGO.plusSeconds(3)));
    JobId toCancel = enqueue(newJob(TYPE).runAt(LONG_AGO.plusSeconds(4)));
    claimOne();
    claimOne();
    assertThat(store().complete(List.of(Completion.success(claimOne().lease()))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(store().complete(List.of(Completion.warning(claimOne().lease(), List.of("w")))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    claimOne();
    store().cancel(toCancel);

    for (JobId id : List.of(pending, queued, running, succeeded, warned, toCancel)) {
      JobInfo before = get(id);
      assertThat(store().retry(id)).as("retry of a %s job", before.status()).isFalse();
      assertUnchanged(before);
    }
    assertThat(store().retry(JobId.generate())).as("retry of a missing job").isFalse();
  }

  @Test
  void retry_is_refused_while_another_unfinished_job_holds_the_unique_key() {
    JobId failed = enqueue(newJob(TYPE).uniqueKey("report-2024-06").maxAttempts(1));
    assertThat(store().complete(List.of(Completion.failure(claimOne().lease(), "boom"))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    JobId holder = enqueue(newJob(TYPE).uniqueKey("report-2024-06"));
    JobInfo before = get(failed);

    assertThat(store().retry(failed)).isFalse();

    assertUnchanged(before);
    assertThat(get(holder).status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void a_retried_job_holds_its_unique_key_again() {
    JobId failed = enqueue(newJob(TYPE).uniqueKey("report-2024-06").maxAttempts(1));
    assertThat(store().complete(List.of(Completion.failure(claimOne().lease(), "boom"))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(store().retry(failed)).isTrue();

    NewJob duplicate = newJob(TYPE).uniqueKey("report-2024-06").build();

    assertThat(store().enqueue(List.of(duplicate)))
        .containsExactly(new EnqueueResult(failed, false));
  }

  // ---------------------------------------------------------------- reads

  @Test
  void get_of_a_missing_id_is_empty() {
    enqueue(newJob(TYPE));

    assertThat(store().get(JobId.generate())).isEmpty();
  }

  @Test
  void updated_at_moves_with_every_write() {
    JobId id = enqueue(newJob(TYPE));
    Instant last = get(id).updatedAt();
    List<Runnable> writes = new ArrayList<>();
    Lease[] lease = new Lease[1];
    writes.add(() -> lease[0] = claimOne().lease());
    writes.add(() -> store().reportProgress(List.of(new ProgressUpdate(lease[0], 10, null))));
    writes.add(() -> store().renewLeases(NODE, List.of(lease[0]), LEASE));
    writes.add(() -> store().cancel(id));
    writes.add(() -> store().complete(List.of(Completion.canceled(lease[0]))));
    writes.add(() -> store().retry(id));

    for (Runnable write : writes) {
      advanceTime(Duration.ofSeconds(1));
      write.run();
      Instant updated = get(id).updatedAt();
      assertThat(updated).as("updatedAt after write to %s", get(id).status()).isAfter(last);
      last = updated;
    }
  }

  @Test
  void list_returns_all_jobs_in_id_order() {
    List<JobId> ids = sortedIds(4);
    for (JobId id : List.of(ids.get(2), ids.get(0), ids.get(3), ids.get(1))) {
      enqueue(newJob(TYPE).id(id));
    }

    JobPage page = store().list(JobQuery.all());

    assertThat(page.jobs()).extracting(JobInfo::id).containsExactlyElementsOf(ids);
    assertThat(page.next()).isEmpty();
  }

  @Test
  void list_filters_by_status_type_and_queue() {
    List<JobId> ids = sortedIds(4);
    JobId claimed = enqueue(newJob(TYPE).id(ids.get(0)));
    JobId otherType = enqueue(newJob(OTHER_TYPE).id(ids.get(1)));
    JobId otherQueue = enqueue(newJob(TYPE).id(ids.get(2)).queue(OTHER_QUEUE));
    JobId canceled = enqueue(newJob(OTHER_TYPE).id(ids.get(3)).queue(OTHER_QUEUE));
    assertThat(claimOne().lease().jobId()).isEqualTo(claimed);
    store().cancel(canceled);

    assertThat(ids(JobQuery.builder().status(JobStatus.RUNNING))).containsExactly(claimed);
    assertThat(ids(JobQuery.builder().status(JobStatus.PENDING)))
        .containsExactly(otherType, otherQueue);
    assertThat(ids(JobQuery.builder().status(JobStatus.RUNNING, JobStatus.CANCELED)))
        .containsExactly(claimed, canceled);
    assertThat(ids(JobQuery.builder().type(OTHER_TYPE))).containsExactly(otherType, canceled);
    assertThat(ids(JobQuery.builder().queue(OTHER_QUEUE))).containsExactly(otherQueue, canceled);
    assertThat(ids(JobQuery.builder().type(TYPE).queue(QUEUE))).containsExactly(claimed);
    assertThat(ids(JobQuery.builder().type(TYPE).status(JobStatus.PENDING)))
        .containsExactly(otherQueue);
    assertThat(ids(JobQuery.builder().status(JobStatus.FAILURE))).isEmpty();
  }

  @Test
  void list_pages_through_all_jobs_with_the_cursor() {
    List<JobId> ids = sortedIds(7);
    for (JobId id : ids) {
      enqueue(newJob(TYPE).id(id));
    }

    JobPage first = store().list(JobQuery.builder().limit(3).build());
    JobPage second = store().list(JobQuery.builder().limit(3).after(first.nextCursor()).build());
    JobPage third = store().list(JobQuery.builder().limit(3).after(second.nextCursor()).build());

    assertThat(first.jobs()).extracting(JobInfo::id).containsExactlyElementsOf(ids.subList(0, 3));
    assertThat(first.nextCursor()).isEqualTo(ids.get(2));
    assertThat(second.jobs()).extracting(JobInfo::id).containsExactlyElementsOf(ids.subList(3, 6));
    assertThat(second.nextCursor()).isEqualTo(ids.get(5));
    assertThat(third.jobs()).extracting(JobInfo::id).containsExactly(ids.get(6));
    assertThat(third.next()).isEmpty();
  }

  @Test
  void list_of_an_exact_multiple_of_the_page_size_ends_without_a_cursor() {
    List<JobId> ids = sortedIds(4);
    for (JobId id : ids) {
      enqueue(newJob(TYPE).id(id));
    }

    JobPage first = store().list(JobQuery.builder().limit(2).build());
    JobPage second = store().list(JobQuery.builder().limit(2).after(first.nextCursor()).build());

    assertThat(first.next()).contains(ids.get(1));
    assertThat(second.jobs()).extracting(JobInfo::id).containsExactly(ids.get(2), ids.get(3));
    assertThat(second.next()).isEmpty();
  }

  @Test
  void list_pages_apply_the_filters_across_pages() {
    List<JobId> ids = sortedIds(6);
    List<JobId> wanted = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      boolean mine = i % 2 == 0;
      enqueue(newJob(mine ? TYPE : OTHER_TYPE).id(ids.get(i)));
      if (mine) {
        wanted.add(ids.get(i));
      }
    }

    JobPage first = store().list(JobQuery.builder().type(TYPE).limit(2).build());
    JobPage second =
        store().list(JobQuery.builder().type(TYPE).limit(2).after(first.nextCursor()).build());

    assertThat(first.jobs()).extracting(JobInfo::id).containsExactlyElementsOf(wanted.subList(0, 2));
    assertThat(second.jobs()).extracting(JobInfo::id).containsExactly(wanted.get(2));
    assertThat(second.next()).isEmpty();
  }

  // ---------------------------------------------------------------- node registry

  /** The instance of the tests' first engine run under a name. */
  private static final String INSTANCE = "instance-1";
  /** The instance of a second engine run under the same name (a restart, or a second process). */
  private static final String OTHER_INSTANCE = "instance-2";

  private static NodeRegistration node(String name) {
    return node(name, INSTANCE, "host-1", 4242);
  }

  private static NodeRegistration node(String name, String instance, String host, long pid) {
    return new NodeRegistration(
        name, instance, host, pid, java.util.Map.of("default", 8, "mail", 2), LEASE);
  }

  private NodeInfo nodeNamed(String name) {
    return store().nodes().stream()
        .filter(n -> n.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("node " + name + " is not registered"));
  }

  @Test
  void a_registered_node_is_listed_alive_with_its_queues() {
    assertThat(store().registerNode(node(NODE))).isEmpty();

    NodeInfo node = nodeNamed(NODE);
    assertThat(node.state()).isEqualTo(NodeInfo.State.ALIVE);
    assertThat(node.host()).isEqualTo("host-1");
    assertThat(node.pid()).isEqualTo(4242);
    assertThat(node.queues()).containsEntry("default", 8).containsEntry("mail", 2);
    assertThat(node.heartbeatAge()).isLessThan(Duration.ofSeconds(5));
    assertThat(node.stoppedAt()).isNull();
  }

  @Test
  void nodes_are_listed_by_name() {
    store().registerNode(node(OTHER_NODE));
    store().registerNode(node(NODE));

    assertThat(store().nodes()).extracting(NodeInfo::name).containsExactly(NODE, OTHER_NODE);
  }

  @Test
  void a_node_without_heartbeats_for_longer_than_its_lease_is_listed_dead() {
    store().registerNode(node(NODE));

    advanceTime(PAST_LEASE);

    NodeInfo node = nodeNamed(NODE);
    assertThat(node.state()).isEqualTo(NodeInfo.State.DEAD);
    assertThat(node.heartbeatAge()).isGreaterThanOrEqualTo(PAST_LEASE);
  }

  @Test
  void a_heartbeat_keeps_a_node_alive_and_records_its_running_jobs() {
    store().registerNode(node(NODE));
    advanceTime(PAST_LEASE);

    assertThat(store().nodeHeartbeat(NODE, INSTANCE, 7)).isEqualTo(HeartbeatResult.RECORDED);

    NodeInfo node = nodeNamed(NODE);
    assertThat(node.state()).isEqualTo(NodeInfo.State.ALIVE);
    assertThat(node.runningJobs()).isEqualTo(7);
    assertThat(node.heartbeatAge()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void a_deregistered_node_is_listed_stopped() {
    store().registerNode(node(NODE));

    store().deregisterNode(NODE, INSTANCE);

    NodeInfo node = nodeNamed(NODE);
    assertThat(node.state()).isEqualTo(NodeInfo.State.STOPPED);
    assertThat(node.stoppedAt()).isNotNull();
  }

  @Test
  void a_restarted_node_registers_again_under_its_name() {
    store().registerNode(node(NODE));
    store().deregisterNode(NODE, INSTANCE);

    assertThat(store().registerNode(node(NODE, OTHER_INSTANCE, "host-2", 99))).isEmpty();

    assertThat(store().nodes()).hasSize(1);
    NodeInfo node = nodeNamed(NODE);
    assertThat(node.state()).isEqualTo(NodeInfo.State.ALIVE);
    assertThat(node.host()).isEqualTo("host-2");
    assertThat(node.pid()).isEqualTo(99);
    assertThat(node.stoppedAt()).isNull();
  }

  @Test
  void the_same_instance_may_register_again() {
    store().registerNode(node(NODE));

    assertThat(store().registerNode(node(NODE))).isEmpty();
    assertThat(nodeNamed(NODE).state()).isEqualTo(NodeInfo.State.ALIVE);
  }

  @Test
  void a_live_node_keeps_its_name_against_another_instance_and_nothing_is_written() {
    store().registerNode(node(NODE));

    java.util.Optional<NodeInfo> holder =
        store().registerNode(node(NODE, OTHER_INSTANCE, "host-2", 99));

    assertThat(holder).hasValueSatisfying(h -> {
      assertThat(h.name()).isEqualTo(NODE);
      assertThat(h.host()).isEqualTo("host-1");
      assertThat(h.pid()).isEqualTo(4242);
      assertThat(h.state()).isEqualTo(NodeInfo.State.ALIVE);
    });
    NodeInfo node = nodeNamed(NODE);
    assertThat(node.host()).isEqualTo("host-1");
    assertThat(node.pid()).isEqualTo(4242);
    assertThat(store().nodeHeartbeat(NODE, OTHER_INSTANCE, 3)).isEqualTo(HeartbeatResult.NOT_OWNER);
    assertThat(store().nodeHeartbeat(NODE, INSTANCE, 3)).isEqualTo(HeartbeatResult.RECORDED);
  }

  @Test
  void a_node_whose_heartbeat_went_stale_hands_its_name_to_a_new_instance() {
    store().registerNode(node(NODE));
    advanceTime(PAST_LEASE);

    assertThat(store().registerNode(node(NODE, OTHER_INSTANCE, "host-2", 99))).isEmpty();

    NodeInfo node = nodeNamed(NODE);
    assertThat(node.state()).isEqualTo(NodeInfo.State.ALIVE);
    assertThat(node.host()).isEqualTo("host-2");
    assertThat(node.pid()).isEqualTo(99);
    assertThat(node.heartbeatAge()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void a_superseded_instance_can_neither_heartbeat_nor_deregister_the_new_owners_row() {
    store().registerNode(node(NODE));
    advanceTime(PAST_LEASE);
    store().registerNode(node(NODE, OTHER_INSTANCE, "host-2", 99));

    assertThat(store().nodeHeartbeat(NODE, INSTANCE, 5)).isEqualTo(HeartbeatResult.NOT_OWNER);
    store().deregisterNode(NODE, INSTANCE);

    NodeInfo node = nodeNamed(NODE);
    assertThat(node.state()).isEqualTo(NodeInfo.State.ALIVE);
    assertThat(node.pid()).isEqualTo(99);
    assertThat(node.runningJobs()).isZero();
    assertThat(store().nodeHeartbeat(NODE, OTHER_INSTANCE, 2)).isEqualTo(HeartbeatResult.RECORDED);
    assertThat(nodeNamed(NODE).runningJobs()).isEqualTo(2);
  }

  @Test
  void a_heartbeat_of_a_name_never_registered_records_nothing() {
    assertThat(store().nodeHeartbeat(NODE, INSTANCE, 1)).isEqualTo(HeartbeatResult.NOT_OWNER);
    assertThat(store().nodes()).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A test-data builder for a job of {@code type} in {@link #QUEUE}, due now, 3 attempts.
   *
   * @param type the job type
   * @return a builder
   */
  protected static TestJob newJob(String type) {
    return new TestJob(type);
  }

  /**
   * Enqueues one job and checks that it was written.
   *
   * @param job the job
   * @return its id
   */
  protected JobId enqueue(TestJob job) {
    NewJob newJob = job.build();
    assertThat(store().enqueue(List.of(newJob)))
        .as("enqueue of job %s", newJob.id())
        .containsExactly(new EnqueueResult(newJob.id(), true));
    return newJob.id();
  }

  /**
   * Reads a job that must exist.
   *
   * @param id the id
   * @return the job
   */
  protected JobInfo get(JobId id) {
    return store().get(id).orElseThrow(() -> new AssertionError("No job " + id + " in the store"));
  }

  /**
   * Claims as {@link #NODE} from {@link #QUEUE}.
   *
   * @param limit the most jobs
   * @param types the types
   * @return the claimed jobs
   */
  protected List<ClaimedJob> claim(int limit, String... types) {
    return claimAs(NODE, limit, types);
  }

  /**
   * Claims from {@link #QUEUE} with a {@link #LEASE}.
   *
   * @param owner the claiming node
   * @param limit the most jobs
   * @param types the types
   * @return the claimed jobs
   */
  protected List<ClaimedJob> claimAs(String owner, int limit, String... types) {
    return store().claim(new ClaimRequest(owner, QUEUE, Set.of(types), limit, LEASE));
  }

  /**
   * Claims exactly one job of {@link #TYPE} as {@link #NODE}.
   *
   * @return the claimed job
   */
  protected ClaimedJob claimOne() {
    List<ClaimedJob> claimed = claim(1, TYPE);
    assertThat(claimed).as("jobs claimed").hasSize(1);
    return claimed.get(0);
  }

  private void assertUnchanged(JobInfo before) {
    assertThat(store().get(before.id())).contains(before);
  }

  /** Two leases on one job: the first attempt's (expired, reaped) and the second's (live). */
  private record Attempts(Lease stale, Lease current) {}

  /** Claims the job, lets the lease expire and be reaped, and claims it again. */
  private Attempts expireAndReclaim(JobId id) {
    Lease stale = claimOne().lease();
    assertThat(stale.jobId()).isEqualTo(id);
    advanceTime(PAST_LEASE);
    assertThat(store().reapExpiredLeases()).isEqualTo(1);
    Lease current = claimOne().lease();
    assertThat(current.jobId()).isEqualTo(id);
    assertThat(current.token()).isNotEqualTo(stale.token());
    return new Attempts(stale, current);
  }

  private static Completion completion(Lease lease, Outcome outcome) {
    return switch (outcome) {
      case SUCCESS -> Completion.success(lease);
      case WARNING -> Completion.warning(lease, List.of("late warning"));
      case FAILURE -> Completion.failure(lease, "late failure");
      case CANCELED -> Completion.canceled(lease);
      case RETRY -> Completion.retry(lease, "late retry", Duration.ZERO);
      case RELEASE -> Completion.release(lease);
    };
  }

  private static List<JobId> claimedIds(List<ClaimedJob> claimed) {
    return claimed.stream().map(c -> c.lease().jobId()).toList();
  }

  /** New ids in id order (ids made in the same millisecond are not ordered by creation). */
  private static List<JobId> sortedIds(int count) {
    JobId[] ids = new JobId[count];
    for (int i = 0; i < count; i++) {
      ids[i] = JobId.generate();
    }
    Arrays.sort(ids);
    return List.of(ids);
  }

  private List<JobId> ids(JobQuery.Builder query) {
    return listAll(query).stream().map(JobInfo::id).toList();
  }

  /** Every job the query matches, following the cursor page by page. */
  private List<JobInfo> listAll(JobQuery.Builder query) {
    List<JobInfo> all = new ArrayList<>();
    JobQuery page = query.limit(JobQuery.MAX_LIMIT).build();
    while (true) {
      JobPage result = store().list(page);
      all.addAll(result.jobs());
      if (result.next().isEmpty()) {
        return all;
      }
      page = query.after(result.nextCursor()).build();
    }
  }

  /** A test-data builder for {@link NewJob}: a job due now, in {@link #QUEUE}, 3 attempts. */
  protected static final class TestJob {
    private JobId id = JobId.generate();
    private final String type;
    private String queue = QUEUE;
    private int priority;
    private String payload = "{}";
    private Instant runAt;
    private Duration delay = Duration.ZERO;
    private Integer maxAttempts = 3;
    private Duration timeout;
    private String uniqueKey;

    private TestJob(String type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    /** Sets the id; a new one by default. */
    public TestJob id(JobId id) {
      this.id = id;
      return this;
    }

    /** Sets the queue; {@link #QUEUE} by default. */
    public TestJob queue(String queue) {
      this.queue = queue;
      return this;
    }

    /** Sets the priority; 0 by default. */
    public TestJob priority(int priority) {
      this.priority = priority;
      return this;
    }

    /** Sets the JSON payload; {@code {}} by default. */
    public TestJob payload(String payload) {
      this.payload = payload;
      return this;
    }

    /** Sets the run time; none by default (the delay applies). */
    public TestJob runAt(Instant runAt) {
      this.runAt = runAt;
      return this;
    }

    /** Sets the delay after enqueue; zero by default. */
    public TestJob delay(Duration delay) {
      this.delay = delay;
      return this;
    }

    /** Sets the most attempts; 3 by default. */
    public TestJob maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Leaves the most attempts unset, as a request without them: the claim decides. */
    public TestJob withoutMaxAttempts() {
      this.maxAttempts = null;
      return this;
    }

    /** Sets the per-attempt timeout; none by default. */
    public TestJob timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Sets the unique key; none by default. */
    public TestJob uniqueKey(String uniqueKey) {
      this.uniqueKey = uniqueKey;
      return this;
    }

    /** Builds the job. */
    public NewJob build() {
      return new NewJob(
          id, type, queue, priority, payload, runAt, delay, maxAttempts, timeout, uniqueKey);
    }
  }
}
