package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.CancelResult;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobStatus;
import io.jobengine.NodeInfo;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.HeartbeatResult;
import io.jobengine.spi.Lease;
import io.jobengine.spi.LeaseRenewal;
import io.jobengine.spi.NewJob;
import io.jobengine.spi.NodeRegistration;
import io.jobengine.spi.ProgressUpdate;
import io.jobengine.spi.WriteResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 6: a row lock held by an outsider (an operator's {@code SELECT ... FOR UPDATE})
 * costs the lease work that row only. Renewals, the reaper and the cancel-request read pass over
 * the locked row instead of waiting for it; so do the writes of attempts (completions, progress)
 * and of the node (its heartbeat), which write the free rows at once and report the locked ones
 * busy.
 *
 * <p>Each store call runs on another thread and must return within {@link #NO_LOCK_WAIT}, shorter
 * than the store's lock-wait timeout ({@link ConnectionPools#LOCK_WAIT_TIMEOUT}): a call that
 * waited for the outsider's lock could not return before it, since the lock is held until the
 * test releases it after the call.
 */
class OutsiderLockTest {

  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration NO_LOCK_WAIT = ConnectionPools.LOCK_WAIT_TIMEOUT.minusSeconds(2);

  private String prefix;
  private MySqlJobStore store;
  private ExecutorService calls;
  private Connection outsider;

  @BeforeEach
  void start() {
    prefix = TestDatabase.uniquePrefix("outsider");
    store = TestDatabase.storeWithOwnPool(prefix, 4);
    calls = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() throws Exception {
    releaseLock();
    calls.shutdownNow();
    assertThat(calls.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    store.close();
    TestDatabase.dropTables(prefix);
  }

  @Test
  void renewal_passes_over_a_row_an_outsider_holds_locked_and_renews_the_others_at_once()
      throws Exception {
    List<ClaimedJob> claimed = claimRunning("node-1", 3);
    TestDatabase.advanceTime(prefix, Duration.ofSeconds(20));
    JobId locked = claimed.get(0).lease().jobId();
    lockRow(locked);

    LeaseRenewal renewal =
        withinNoLockWait(() -> store.renewLeases("node-1", leases(claimed), LEASE));

    assertThat(renewal.lost()).isEmpty();
    assertThat(renewal.skipped()).containsExactly(locked);
    assertThat(renewal.cancelRequested()).isEmpty();
    JobInfo notRenewed = store.get(locked).orElseThrow();
    for (ClaimedJob other : claimed.subList(1, 3)) {
      JobInfo renewed = store.get(other.lease().jobId()).orElseThrow();
      assertThat(renewed.status().isLeased()).as("still leased: %s", renewed.status()).isTrue();
      // Claimed together, the renewed ones now expire about 20 s after the one passed over.
      assertThat(renewed.leaseExpiresAt()).isAfter(notRenewed.leaseExpiresAt().plusSeconds(15));
    }

    releaseLock();
    LeaseRenewal next = store.renewLeases("node-1", leases(claimed), LEASE);
    assertThat(next.lost()).isEmpty();
    assertThat(next.skipped()).isEmpty();
  }

  @Test
  void reaper_recovers_an_expired_job_while_another_expired_row_is_locked() throws Exception {
    List<ClaimedJob> claimed = claimRunning("dead-node", 2);
    TestDatabase.advanceTime(prefix, LEASE.plusSeconds(1));
    JobId locked = claimed.get(0).lease().jobId();
    JobId free = claimed.get(1).lease().jobId();
    lockRow(locked);

    int reaped = withinNoLockWait(store::reapExpiredLeases);

    assertThat(reaped).isEqualTo(1);
    assertThat(store.get(free).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
    assertThat(store.get(locked).orElseThrow().status().isLeased()).as("the locked job still leased").isTrue();
    assertThat(withinNoLockWait(store::reapExpiredLeases)).isZero();

    releaseLock();
    assertThat(store.reapExpiredLeases()).isEqualTo(1);
    assertThat(store.get(locked).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void cancel_requests_are_read_while_an_outsider_holds_the_row_locked() throws Exception {
    List<ClaimedJob> claimed = claimRunning("node-1", 2);
    JobId canceled = claimed.get(0).lease().jobId();
    assertThat(store.cancel(canceled)).isEqualTo(CancelResult.CANCEL_REQUESTED);
    lockRow(canceled);

    Set<JobId> requested = withinNoLockWait(() -> store.cancelRequests(leases(claimed)));

    assertThat(requested).containsExactly(canceled);
    LeaseRenewal renewal =
        withinNoLockWait(() -> store.renewLeases("node-1", leases(claimed), LEASE));
    assertThat(renewal.skipped()).containsExactly(canceled);
    assertThat(renewal.cancelRequested()).containsExactly(canceled);
  }

  @Test
  void a_completion_batch_writes_the_free_rows_at_once_and_reports_the_locked_one_busy()
      throws Exception {
    List<ClaimedJob> claimed = claimRunning("node-1", 3);
    JobId locked = claimed.get(1).lease().jobId();
    lockRow(locked);
    List<Completion> successes = claimed.stream().map(c -> Completion.success(c.lease())).toList();

    WriteResult result = withinNoLockWait(() -> store.complete(successes));

    assertThat(result).isEqualTo(new WriteResult(Set.of(), Set.of(locked)));
    for (ClaimedJob c : claimed) {
      JobId id = c.lease().jobId();
      assertThat(store.get(id).orElseThrow().status())
          .isEqualTo(id.equals(locked) ? JobStatus.RUNNING : JobStatus.SUCCESS);
      assertThat(TestDatabase.events(prefix, id))
          .isEqualTo(id.equals(locked) ? List.of("PENDING", "RUNNING") : List.of("PENDING", "RUNNING", "SUCCESS"));
    }

    releaseLock();
    assertThat(store.complete(List.of(Completion.success(claimed.get(1).lease()))))
        .isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(store.get(locked).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(TestDatabase.events(prefix, locked))
        .containsExactly("PENDING", "RUNNING", "SUCCESS");
  }

  @Test
  void a_mixed_completion_batch_passes_over_the_locked_row_and_tells_it_from_a_lost_lease()
      throws Exception {
    List<ClaimedJob> claimed = claimRunning("node-1", 4);
    JobId locked = claimed.get(2).lease().jobId();
    Lease lost = claimed.get(3).lease();
    store.complete(List.of(Completion.release(lost)));
    lockRow(locked);
    List<Completion> batch =
        List.of(
            Completion.success(claimed.get(0).lease()),
            Completion.failure(claimed.get(1).lease(), "boom"),
            Completion.retry(claimed.get(2).lease(), "again", Duration.ZERO),
            Completion.success(lost));

    WriteResult result = withinNoLockWait(() -> store.complete(batch));

    assertThat(result).isEqualTo(new WriteResult(Set.of(lost.jobId()), Set.of(locked)));
    assertThat(store.get(claimed.get(0).lease().jobId()).orElseThrow().status())
        .isEqualTo(JobStatus.SUCCESS);
    assertThat(store.get(claimed.get(1).lease().jobId()).orElseThrow().status())
        .isEqualTo(JobStatus.FAILURE);
    assertThat(store.get(locked).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    assertThat(TestDatabase.events(prefix, locked))
        .as("nothing written for it")
        .containsExactly("PENDING", "RUNNING");

    releaseLock();
    assertThat(store.complete(List.of(batch.get(2)))).isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(store.get(locked).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void a_progress_batch_writes_the_free_rows_at_once_and_reports_the_locked_one_busy()
      throws Exception {
    List<ClaimedJob> claimed = claimRunning("node-1", 3);
    JobId locked = claimed.get(0).lease().jobId();
    lockRow(locked);
    List<ProgressUpdate> updates =
        claimed.stream().map(c -> new ProgressUpdate(c.lease(), 40, "forty")).toList();

    WriteResult result = withinNoLockWait(() -> store.reportProgress(updates));

    assertThat(result).isEqualTo(new WriteResult(Set.of(), Set.of(locked)));
    for (ClaimedJob c : claimed) {
      JobId id = c.lease().jobId();
      assertThat(store.get(id).orElseThrow().progressPercent())
          .isEqualTo(id.equals(locked) ? null : 40);
    }

    releaseLock();
    assertThat(store.reportProgress(List.of(updates.get(0)))).isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(store.get(locked).orElseThrow().progressPercent()).isEqualTo(40);
  }

  @Test
  void a_heartbeat_passes_over_the_node_row_an_outsider_holds_locked() throws Exception {
    NodeRegistration node =
        new NodeRegistration("node-1", "instance-1", "host", 1L, Map.of("default", 1), LEASE);
    assertThat(store.registerNode(node)).isEmpty();
    lockNodeRow("node-1");

    HeartbeatResult result = withinNoLockWait(() -> store.nodeHeartbeat("node-1", "instance-1", 3));

    assertThat(result).isEqualTo(HeartbeatResult.BUSY);
    assertThat(withinNoLockWait(() -> store.nodeHeartbeat("node-1", "another-instance", 3)))
        .as("fenced by instance even while locked").isEqualTo(HeartbeatResult.NOT_OWNER);
    assertThat(store.nodes()).singleElement().extracting(NodeInfo::runningJobs).isEqualTo(0);

    releaseLock();
    assertThat(store.nodeHeartbeat("node-1", "instance-1", 3)).isEqualTo(HeartbeatResult.RECORDED);
    assertThat(store.nodes()).singleElement().extracting(NodeInfo::runningJobs).isEqualTo(3);
  }

  /** Locks the node's row in the registry from a connection of its own. */
  private void lockNodeRow(String name) throws SQLException {
    outsider = TestDatabase.dataSource().getConnection();
    outsider.setAutoCommit(false);
    try (PreparedStatement s =
        outsider.prepareStatement(
            "SELECT `name` FROM `" + prefix + "node` WHERE `name` = ? FOR UPDATE")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("the outsider locked the node row").isTrue();
      }
    }
  }

  private List<ClaimedJob> claimRunning(String node, int count) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(new NewJob(JobId.generate(), "t", "default", 0, "{}", null, Duration.ZERO, 3, null,
          null));
    }
    store.enqueue(jobs);
    List<ClaimedJob> claimed =
        store.claim(new ClaimRequest(node, "default", Set.of("t"), count, LEASE));
    assertThat(claimed).hasSize(count);
    return claimed;
  }

  private static List<Lease> leases(List<ClaimedJob> claimed) {
    return claimed.stream().map(ClaimedJob::lease).toList();
  }

  /** Locks the job's row from a connection of its own, as an operator's session would. */
  private void lockRow(JobId id) throws SQLException {
    outsider = TestDatabase.dataSource().getConnection();
    outsider.setAutoCommit(false);
    try (PreparedStatement s =
        outsider.prepareStatement("SELECT `id` FROM `" + prefix + "job` WHERE `id` = ? FOR UPDATE")) {
      s.setBytes(1, id.toBytes());
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("the outsider locked the row").isTrue();
      }
    }
  }

  private void releaseLock() throws SQLException {
    if (outsider != null) {
      try (Connection c = outsider) {
        c.rollback();
        c.setAutoCommit(true);
      }
      outsider = null;
    }
  }

  private <T> T withinNoLockWait(Callable<T> call) throws Exception {
    Future<T> result = calls.submit(call);
    try {
      return result.get(NO_LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "The store call did not return within " + NO_LOCK_WAIT + " while an outsider held a"
              + " row lock: it waits for the lock", e);
    }
  }
}
