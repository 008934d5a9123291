package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobStatus;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import io.jobengine.spi.Lease;
import io.jobengine.spi.NewJob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A job's completion written in the caller's transaction: it commits with the caller's writes or
 * not at all, and it is refused, writing nothing, once the attempt's lease was taken over.
 */
class TransactionalCompletionTest {

  private static String prefix;
  private static MySqlJobStore store;

  @BeforeAll
  static void start() {
    prefix = TestDatabase.uniquePrefix("txdone");
    store = TestDatabase.store(prefix);
    TestDatabase.execute(
        "CREATE TABLE IF NOT EXISTS `" + prefix + "effect` (job_id BINARY(16) PRIMARY KEY)"
            + " ENGINE=InnoDB");
  }

  @AfterAll
  static void stop() {
    store.close();
    TestDatabase.execute("DROP TABLE IF EXISTS `" + prefix + "effect`");
    TestDatabase.dropTables(prefix);
  }

  @BeforeEach
  void clear() {
    TestDatabase.clear(prefix);
    TestDatabase.execute("DELETE FROM `" + prefix + "effect`");
  }

  private static Lease claimOne(MySqlJobStore by, String node) {
    return by.claim(new ClaimRequest(node, "default", Set.of("t"), 1, Duration.ofSeconds(30)))
        .get(0).lease();
  }

  private static Lease enqueueAndClaim() {
    store.enqueue(List.of(new NewJob(JobId.generate(), "t", "default", 0, "{}", null, Duration.ZERO,
        3, null, null)));
    return claimOne(store, "node-1");
  }

  private static void insertEffect(Connection c, JobId id) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO `" + prefix + "effect` (job_id) VALUES (?)")) {
      s.setBytes(1, id.toBytes());
      s.executeUpdate();
    }
  }

  private static long effects() {
    try (Connection c = TestDatabase.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM `" + prefix + "effect`");
        var rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JobInfo job(JobId id) {
    return store.get(id).orElseThrow();
  }

  @Test
  void the_completion_commits_with_the_callers_writes() throws Exception {
    Lease lease = enqueueAndClaim();
    Completion success = Completion.success(lease);
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertEffect(c, lease.jobId());
      assertThat(store.completeInTransaction(c, success)).isTrue();
      assertThat(job(lease.jobId()).status()).as("invisible before the commit")
          .isIn(JobStatus.QUEUED, JobStatus.RUNNING);
      assertThat(store.completionLanded(success)).isFalse();
      c.commit();
      assertThat(c.isClosed()).as("the store does not close the caller's connection").isFalse();
      c.setAutoCommit(true);
    }
    JobInfo done = job(lease.jobId());
    assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(done.leaseOwner()).isNull();
    assertThat(done.finishedAt()).isNotNull();
    assertThat(effects()).isEqualTo(1);
    assertThat(store.completionLanded(success)).isTrue();
    assertThat(store.complete(List.of(Completion.success(lease))))
        .as("the lease ended with the commit").isEqualTo(WriteResult.rejected(Set.of(lease.jobId())));
  }

  @Test
  void a_rolled_back_transaction_leaves_the_job_running_under_its_lease() throws Exception {
    Lease lease = enqueueAndClaim();
    Completion success = Completion.success(lease);
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertEffect(c, lease.jobId());
      assertThat(store.completeInTransaction(c, success)).isTrue();
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(effects()).isZero();
    assertThat(job(lease.jobId()).status()).isIn(JobStatus.QUEUED, JobStatus.RUNNING);
    assertThat(job(lease.jobId()).leaseOwner()).isEqualTo("node-1");
    assertThat(store.completionLanded(success)).isFalse();
    // The lease is as it was: the next transaction may complete the job.
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertEffect(c, lease.jobId());
      assertThat(store.completeInTransaction(c, success)).isTrue();
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(job(lease.jobId()).status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(effects()).isEqualTo(1);
  }

  @Test
  void a_lease_taken_over_by_another_store_refuses_the_completion_and_the_effect_rolls_back()
      throws Exception {
    Lease stale = enqueueAndClaim();
    TestDatabase.advanceTime(prefix, Duration.ofMinutes(1));
    Lease current;
    try (MySqlJobStore other = TestDatabase.store(prefix)) {
      assertThat(other.reapExpiredLeases()).isEqualTo(1);
      current = claimOne(other, "node-2");
    }
    assertThat(current.token()).isGreaterThan(stale.token());
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertEffect(c, stale.jobId());
      assertThat(store.completeInTransaction(c, Completion.success(stale))).isFalse();
      c.rollback(); // what a handler does when told LEASE_LOST
      c.setAutoCommit(true);
    }
    assertThat(effects()).isZero();
    JobInfo job = job(stale.jobId());
    assertThat(job.status()).isIn(JobStatus.QUEUED, JobStatus.RUNNING);
    assertThat(job.leaseOwner()).isEqualTo("node-2");
    assertThat(store.completionLanded(Completion.success(stale))).isFalse();
  }

  @Test
  void a_warning_completion_stores_the_warnings_and_its_history_row() throws Exception {
    Lease lease = enqueueAndClaim();
    Completion warning = Completion.warning(lease, List.of("one shelf was empty"));
    DSLContext dsl = DSL.using(TestDatabase.dataSource(), SQLDialect.MYSQL);
    dsl.transaction(
        tx -> tx.dsl().connection(c -> {
          insertEffect(c, lease.jobId());
          assertThat(store.completeInTransaction(c, warning)).isTrue();
        }));
    JobInfo job = job(lease.jobId());
    assertThat(job.status()).isEqualTo(JobStatus.WARNING);
    assertThat(job.warnings()).containsExactly("one shelf was empty");
    assertThat(store.completionLanded(warning)).isTrue();
    assertThat(effects()).isEqualTo(1);
  }

  @Test
  void a_second_completion_by_the_same_attempt_is_refused_as_a_mistake() throws Exception {
    Lease lease = enqueueAndClaim();
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(store.completeInTransaction(c, Completion.success(lease))).isTrue();
      assertThatThrownBy(() -> store.completeInTransaction(c, Completion.success(lease)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already completed (SUCCESS) by this attempt");
      c.rollback();
      c.setAutoCommit(true);
    }
  }

  @Test
  void a_connection_in_auto_commit_is_refused_before_anything_is_written() throws Exception {
    Lease lease = enqueueAndClaim();
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(true);
      assertThatThrownBy(() -> store.completeInTransaction(c, Completion.success(lease)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("auto-commit")
          .hasMessageContaining("setAutoCommit(false)");
    }
    assertThat(job(lease.jobId()).status()).isIn(JobStatus.QUEUED, JobStatus.RUNNING);
  }

  @Test
  void a_connection_that_does_not_reach_the_stores_tables_is_named_as_the_cause() throws Exception {
    Lease lease = enqueueAndClaim();
    String elsewhere = TestDatabase.uniquePrefix("txother");
    try (MySqlJobStore other = TestDatabase.store(elsewhere);
        Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      // Tables of the same name but not holding the job: as a connection to another database.
      assertThatThrownBy(() -> other.completeInTransaction(c, Completion.success(lease)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not see the job")
          .hasMessageContaining("must be to the store's database");
      // No such tables at all (the open transaction would hold the DROP up).
      c.rollback();
      TestDatabase.dropTables(elsewhere);
      assertThatThrownBy(() -> other.completeInTransaction(c, Completion.success(lease)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not reach the store's tables")
          .hasMessageContaining("must be to the store's database");
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(job(lease.jobId()).status()).isIn(JobStatus.QUEUED, JobStatus.RUNNING);
  }

  @Test
  void only_success_or_warning_can_be_written_in_the_callers_transaction() throws Exception {
    Lease lease = enqueueAndClaim();
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> store.completeInTransaction(c, Completion.failure(lease, "x")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("FAILURE");
      c.rollback();
      c.setAutoCommit(true);
    }
  }
}
