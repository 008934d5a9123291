package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobClient;
import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.PayloadCodec;
import io.jobengine.spi.EnqueueResult;
import io.jobengine.spi.NewJob;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Enqueue inside the caller's transaction: the job exists if and only if the caller commits. */
class TransactionalEnqueueTest {

  private static String prefix;
  private static MySqlJobStore store;
  private static JobClient client;

  /** Payloads here are strings already in JSON; the client needs some codec. */
  private static final PayloadCodec RAW_JSON =
      new PayloadCodec() {
        @Override
        public String encode(Object payload) {
          return payload == null ? "null" : payload.toString();
        }

        @Override
        public <T> T decode(String json, Class<T> type) {
          return type.cast(json);
        }
      };

  @BeforeAll
  static void start() {
    prefix = TestDatabase.uniquePrefix("tx");
    store = TestDatabase.store(prefix);
    client = JobClient.of(store, RAW_JSON);
    TestDatabase.execute(
        "CREATE TABLE IF NOT EXISTS `" + prefix + "orders` (id INT PRIMARY KEY) ENGINE=InnoDB");
  }

  @AfterAll
  static void stop() {
    store.close();
    TestDatabase.execute("DROP TABLE IF EXISTS `" + prefix + "orders`");
  }

  @BeforeEach
  void clear() {
    TestDatabase.clear(prefix);
    TestDatabase.execute("DELETE FROM `" + prefix + "orders`");
  }

  private static JobRequest request() {
    return JobRequest.of("send-receipt", "{\"order\":1}");
  }

  @Test
  void a_job_enqueued_in_a_committed_transaction_exists_with_the_callers_rows() throws Exception {
    JobRequest request = request();
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertOrder(c, 1);
      assertThat(client.enqueue(c, request)).isEqualTo(request.id());
      assertThat(store.get(request.id())).as("invisible before commit").isEmpty();
      c.commit();
      assertThat(c.isClosed()).as("the store does not close the caller's connection").isFalse();
      assertThat(c.getAutoCommit()).isFalse();
      c.setAutoCommit(true);
    }
    assertThat(store.get(request.id()).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void a_job_enqueued_in_a_rolled_back_transaction_does_not_exist() throws Exception {
    JobRequest request = request();
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      insertOrder(c, 2);
      client.enqueue(c, request);
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(store.get(request.id())).isEmpty();
  }

  @Test
  void a_jooq_transaction_commits_or_rolls_back_the_job_with_its_own_rows() {
    DSLContext dsl = DSL.using(TestDatabase.dataSource(), SQLDialect.MYSQL);
    JobRequest committed = request();
    dsl.transaction(
        tx -> {
          tx.dsl().execute("INSERT INTO `" + prefix + "orders` VALUES (3)");
          tx.dsl().connection(c -> client.enqueue(c, committed));
        });
    assertThat(store.get(committed.id())).isPresent();

    JobRequest rolledBack = request();
    assertThatThrownBy(
            () ->
                dsl.transaction(
                    tx -> {
                      tx.dsl().connection(c -> client.enqueue(c, rolledBack));
                      throw new IllegalStateException("the host's work failed");
                    }))
        .hasMessageContaining("the host's work failed");
    assertThat(store.get(rolledBack.id())).isEmpty();
  }

  @Test
  void a_duplicate_unique_key_in_the_callers_transaction_returns_the_existing_job() throws Exception {
    NewJob first = job("order-7");
    store.enqueue(List.of(first));
    NewJob second = job("order-7");
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(store.enqueue(c, second)).isEqualTo(new EnqueueResult(first.id(), false));
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(store.get(second.id())).isEmpty();
  }

  @Test
  void a_key_committed_by_another_transaction_after_our_snapshot_is_found_not_duplicated()
      throws Exception {
    NewJob mine = job("order-8");
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT COUNT(*) FROM `" + prefix + "orders`").close(); // takes a snapshot
      }
      NewJob theirs = job("order-8");
      store.enqueue(List.of(theirs)); // commits in another transaction
      assertThat(store.enqueue(c, mine)).isEqualTo(new EnqueueResult(theirs.id(), false));
      c.commit();
      c.setAutoCommit(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    }
    assertThat(store.get(mine.id())).isEmpty();
  }

  private static NewJob job(String key) {
    return new NewJob(JobId.generate(), "send-receipt", "default", 0, "{}", null, Duration.ZERO,
        3, null, key);
  }

  private static void insertOrder(Connection c, int id) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO `" + prefix + "orders` VALUES (" + id + ")");
    }
  }
}
