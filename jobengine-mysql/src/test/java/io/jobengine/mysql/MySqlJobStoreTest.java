package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.CancelResult;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobQuery;
import io.jobengine.JobStatus;
import io.jobengine.PayloadException;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import io.jobengine.spi.EnqueueResult;
import io.jobengine.spi.Lease;
import io.jobengine.spi.LeaseRenewal;
import io.jobengine.spi.NewJob;
import io.jobengine.spi.ProgressUpdate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MySQL-specific behaviour of the store, beyond the contract suite. */
class MySqlJobStoreTest {

  private static String prefix;
  private static MySqlJobStore store;

  @BeforeAll
  static void start() {
    prefix = TestDatabase.uniquePrefix("store");
    store = TestDatabase.store(prefix);
  }

  @AfterAll
  static void stop() {
    store.close();
  }

  @BeforeEach
  void clear() {
    TestDatabase.clear(prefix);
  }

  static NewJob job(String type) {
    return new NewJob(JobId.generate(), type, "default", 0, "{\"n\":1}", null, Duration.ZERO, 3, null,
        null);
  }

  static NewJob keyed(String key) {
    return new NewJob(JobId.generate(), "t", "default", 0, "{}", null, Duration.ZERO, 3, null, key);
  }

  static ClaimRequest claimAll(int limit) {
    return new ClaimRequest("node-1", "default", Set.of("t"), limit, Duration.ofSeconds(30));
  }

  @Test
  void a_job_makes_the_round_trip_enqueue_claim_run_complete() {
    NewJob job =
        new NewJob(JobId.generate(), "t", "default", 5, "{\"x\":\"é😀\"}", null, Duration.ZERO, 3,
            Duration.ofMinutes(2), "key-1");
    assertThat(store.enqueue(List.of(job))).containsExactly(new EnqueueResult(job.id(), true));

    List<ClaimedJob> claimed = store.claim(claimAll(10));
    assertThat(claimed).hasSize(1);
    ClaimedJob c = claimed.get(0);
    assertThat(c.lease()).isEqualTo(new Lease(job.id(), "node-1", 1));
    assertThat(c.payload()).isEqualTo("{\"x\":\"é😀\"}");
    assertThat(c.attempt()).isEqualTo(1);
    assertThat(c.timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.priority()).isEqualTo(5);

    assertThat(store.reportProgress(List.of(new ProgressUpdate(c.lease(), 40, "half"))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    JobInfo running = store.get(job.id()).orElseThrow();
    assertThat(running.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(running.progressPercent()).isEqualTo(40);
    assertThat(running.leaseOwner()).isEqualTo("node-1");
    assertThat(running.leaseExpiresAt()).isAfter(running.startedAt());

    assertThat(store.complete(List.of(Completion.warning(c.lease(), List.of("a \"b\"\n", "c")))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    JobInfo done = store.get(job.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(JobStatus.WARNING);
    assertThat(done.warnings()).containsExactly("a \"b\"\n", "c");
    assertThat(done.leaseOwner()).isNull();
    assertThat(done.finishedAt()).isNotNull();
    assertThat(TestDatabase.events(prefix, job.id()))
        .containsExactly("PENDING", "RUNNING", "WARNING");
  }

  @Test
  void a_stale_lease_is_rejected_and_writes_nothing() {
    NewJob job = job("t");
    store.enqueue(List.of(job));
    Lease first = store.claim(claimAll(1)).get(0).lease();
    store.complete(List.of(Completion.release(first)));
    Lease second = store.claim(claimAll(1)).get(0).lease();
    assertThat(second.token()).isEqualTo(2);

    assertThat(store.reportProgress(List.of(new ProgressUpdate(first, 99, "stale"))))
        .isEqualTo(WriteResult.rejected(Set.of(job.id())));
    assertThat(store.complete(List.of(Completion.success(first))))
        .isEqualTo(WriteResult.rejected(Set.of(job.id())));
    JobInfo info = store.get(job.id()).orElseThrow();
    assertThat(info.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(info.progressPercent()).isNull();
    assertThat(info.attempt()).isEqualTo(1); // the released attempt was given back
  }

  @Test
  void duplicates_return_the_existing_id_within_a_batch_and_across_calls() {
    NewJob a = keyed("k");
    NewJob b = keyed("k");
    NewJob c = keyed(null);
    List<EnqueueResult> results = store.enqueue(List.of(a, b, c, a));
    assertThat(results)
        .containsExactly(
            new EnqueueResult(a.id(), true), new EnqueueResult(a.id(), false),
            new EnqueueResult(c.id(), true), new EnqueueResult(a.id(), false));
    assertThat(store.enqueue(List.of(keyed("k"), c)))
        .containsExactly(new EnqueueResult(a.id(), false), new EnqueueResult(c.id(), false));
  }

  @Test
  void a_unique_key_is_free_again_once_its_job_ends_and_retry_refuses_a_taken_key() {
    NewJob a = keyed("k");
    store.enqueue(List.of(a));
    Lease lease = store.claim(claimAll(1)).get(0).lease();
    store.complete(List.of(Completion.failure(lease, "boom")));
    NewJob b = keyed("k");
    assertThat(store.enqueue(List.of(b))).containsExactly(new EnqueueResult(b.id(), true));

    assertThat(store.retry(a.id())).isFalse();
    assertThat(store.get(a.id()).orElseThrow().status()).isEqualTo(JobStatus.FAILURE);
    assertThat(store.cancel(b.id())).isEqualTo(CancelResult.CANCELED);
    assertThat(store.retry(a.id())).isTrue();
    JobInfo retried = store.get(a.id()).orElseThrow();
    assertThat(retried.status()).isEqualTo(JobStatus.PENDING);
    assertThat(retried.attempt()).isZero();
    assertThat(retried.lastError()).isEqualTo("boom");
  }

  @Test
  void the_reaper_puts_expired_jobs_back_fails_exhausted_ones_and_cancels_to_cancel_ones() {
    NewJob again = new NewJob(JobId.generate(), "t", "default", 0, "{}", null, Duration.ZERO, 2,
        null, null);
    NewJob exhausted = new NewJob(JobId.generate(), "t", "default", 1, "{}", null, Duration.ZERO,
        1, null, null);
    NewJob canceled = new NewJob(JobId.generate(), "t", "default", 2, "{}", null, Duration.ZERO, 5,
        null, null);
    store.enqueue(List.of(again, exhausted, canceled));
    assertThat(store.claim(claimAll(10))).hasSize(3);
    assertThat(store.cancel(canceled.id())).isEqualTo(CancelResult.CANCEL_REQUESTED);
    assertThat(store.reapExpiredLeases()).isZero();

    TestDatabase.advanceTime(prefix, Duration.ofMinutes(1));
    assertThat(store.reapExpiredLeases()).isEqualTo(3);
    assertThat(store.reapExpiredLeases()).isZero();

    JobInfo a = store.get(again.id()).orElseThrow();
    assertThat(a.status()).isEqualTo(JobStatus.PENDING);
    assertThat(a.lastError()).isEqualTo("lease of node node-1 expired (attempt 1 of 2)");
    assertThat(a.leaseOwner()).isNull();
    JobInfo e = store.get(exhausted.id()).orElseThrow();
    assertThat(e.status()).isEqualTo(JobStatus.FAILURE);
    assertThat(e.finishedAt()).isNotNull();
    assertThat(store.get(canceled.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELED);
  }

  @Test
  void renewal_extends_live_leases_and_reports_lost_ones_and_cancel_requests() {
    store.enqueue(List.of(job("t"), job("t"), job("t")));
    List<ClaimedJob> claimed = store.claim(claimAll(3));
    Lease kept = claimed.get(0).lease();
    Lease canceled = claimed.get(1).lease();
    Lease ended = claimed.get(2).lease();
    store.cancel(canceled.jobId());
    store.complete(List.of(Completion.success(ended)));
    Lease foreign = new Lease(kept.jobId(), "node-2", kept.token());
    Lease unknown = new Lease(JobId.generate(), "node-1", 1);
    Instant before = store.get(kept.jobId()).orElseThrow().leaseExpiresAt();

    LeaseRenewal r =
        store.renewLeases("node-1", List.of(kept, canceled, ended, unknown), Duration.ofMinutes(5));
    assertThat(r.lost()).containsExactlyInAnyOrder(ended.jobId(), unknown.jobId());
    assertThat(r.cancelRequested()).containsExactly(canceled.jobId());
    assertThat(store.get(kept.jobId()).orElseThrow().leaseExpiresAt())
        .isAfter(before.plus(Duration.ofMinutes(4)));
    assertThat(store.renewLeases("node-2", List.of(foreign), Duration.ofMinutes(5)).lost())
        .containsExactly(kept.jobId());
  }

  @Test
  void claim_takes_due_jobs_of_the_queue_and_types_in_priority_then_run_time_order() {
    Instant past = Instant.now().minus(1, ChronoUnit.HOURS);
    NewJob late = new NewJob(JobId.generate(), "t", "default", 0, "{}", past.plusSeconds(10),
        Duration.ZERO, 3, null, null);
    NewJob early = new NewJob(JobId.generate(), "t", "default", 0, "{}", past, Duration.ZERO, 3,
        null, null);
    NewJob urgent = new NewJob(JobId.generate(), "t", "default", -5, "{}", null, Duration.ZERO, 3,
        null, null);
    NewJob future = new NewJob(JobId.generate(), "t", "default", -9, "{}", null,
        Duration.ofHours(1), 3, null, null);
    NewJob otherType = new NewJob(JobId.generate(), "u", "default", -9, "{}", null, Duration.ZERO,
        3, null, null);
    NewJob otherQueue = new NewJob(JobId.generate(), "t", "other", -9, "{}", null, Duration.ZERO,
        3, null, null);
    store.enqueue(List.of(late, early, urgent, future, otherType, otherQueue));
    assertThat(store.claim(claimAll(10)).stream().map(c -> c.lease().jobId()))
        .containsExactly(urgent.id(), early.id(), late.id());
    assertThat(store.get(early.id()).orElseThrow().runAt())
        .isEqualTo(past.truncatedTo(ChronoUnit.MICROS));
  }

  @Test
  void an_oversized_payload_is_refused_before_any_sql() {
    MySqlJobStore small =
        MySqlJobStore.builder().dataSource(TestDatabase.dataSource()).tablePrefix(prefix)
            .maxPayloadBytes(10).build();
    try (small) {
      NewJob ok = job("t");
      NewJob big = new NewJob(JobId.generate(), "t", "default", 0, "\"ééééééé\"", null,
          Duration.ZERO, 3, null, null);
      assertThatThrownBy(() -> small.enqueue(List.of(ok, big)))
          .isInstanceOf(PayloadException.class)
          .hasMessageContaining(big.id().toString())
          .hasMessageContaining("limit of 10 bytes");
      assertThat(small.get(ok.id())).isEmpty();
    }
  }

  @Test
  void a_big_batch_goes_in_as_several_inserts_in_one_transaction() {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 1_234; i++) {
      jobs.add(job("t"));
    }
    assertThat(store.enqueue(jobs)).allMatch(EnqueueResult::created).hasSize(1_234);
    assertThat(store.list(JobQuery.builder().limit(1000).build()).jobs()).hasSize(1000);
  }

  @Test
  void list_pages_in_id_order_with_filters() {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      jobs.add(job(i % 2 == 0 ? "t" : "u"));
    }
    store.enqueue(jobs);
    jobs.sort(java.util.Comparator.comparing(NewJob::id)); // ids of one millisecond are random
    jobs.removeIf(j -> !j.type().equals("t"));
    var page = store.list(JobQuery.builder().type("t").limit(2).build());
    assertThat(page.jobs()).extracting(JobInfo::id).containsExactly(jobs.get(0).id(), jobs.get(1).id());
    var next = store.list(JobQuery.builder().type("t").limit(2).after(page.nextCursor()).build());
    assertThat(next.jobs()).extracting(JobInfo::id).containsExactly(jobs.get(2).id());
    assertThat(next.nextCursor()).isNull();
    assertThat(store.list(JobQuery.builder().status(JobStatus.FAILURE).build()).jobs()).isEmpty();
  }

  @Test
  void the_history_tells_which_node_ran_which_attempt() {
    NewJob job = job("t");
    store.enqueue(List.of(job));
    ClaimedJob first = store.claim(claimAll(1)).get(0);
    store.complete(List.of(Completion.retry(first.lease(), "boom", Duration.ZERO)));
    ClaimedJob second =
        store.claim(new ClaimRequest("node-2", "default", Set.of("t"), 1, Duration.ofSeconds(30)))
            .get(0);
    store.complete(List.of(Completion.success(second.lease())));

    assertThat(history(job.id()))
        .containsExactly(
            "PENDING 0 null", "RUNNING 1 node-1", "PENDING 1 node-1", "RUNNING 2 node-2",
            "SUCCESS 2 node-2");
  }

  /** "status attempt node" of each history row of the job, oldest first. */
  private static List<String> history(JobId id) {
    List<String> rows = new ArrayList<>();
    try (Connection c = TestDatabase.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT status, attempt, node FROM `" + prefix + "job_event` WHERE job_id = ?"
                    + " ORDER BY id")) {
      s.setBytes(1, id.toBytes());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }
}
