package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.NewJob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The claim's plan uses the claim index with no filesort, and the reaper's the lease index. On a
 * near-empty table the optimizer may rightly prefer a scan, so the table gets a few thousand rows
 * in several queues and statuses, and fresh statistics, first. EXPLAIN's traditional output has
 * the columns {@code key} and {@code Extra} on both MySQL and MariaDB.
 *
 * <p>The build runs this on MariaDB 10.11.19, MariaDB 11.4.5 and MySQL 8.0.15, and all three choose
 * the same plans: the claim a {@code ref} lookup of (queue, status) in the claim index with index
 * condition pushdown and no sort; the resumed claim (with {@code FORCE INDEX}) a {@code range} of
 * the claim index, no sort; the reaper a {@code range} of the lease expiry index, covering.
 */
class ClaimExplainTest {

  private static String prefix;
  private static MySqlJobStore store;

  @BeforeAll
  static void fill() {
    prefix = TestDatabase.uniquePrefix("explain");
    store = TestDatabase.store(prefix);
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 4_000; i++) {
      jobs.add(
          new NewJob(JobId.generate(), i % 3 == 0 ? "a" : "b", "q" + (i % 8), i % 5, "{}", null,
              Duration.ZERO, 3, null, null));
    }
    store.enqueue(jobs);
    // Most jobs of a real table have ended.
    TestDatabase.execute(
        "UPDATE `" + prefix + "job` SET status = 'SUCCESS' WHERE priority < 4",
        "ANALYZE TABLE `" + prefix + "job`");
  }

  @AfterAll
  static void stop() {
    store.close();
  }

  @Test
  void the_claim_reads_the_claim_index_in_order_without_a_filesort() throws SQLException {
    ClaimRequest request =
        new ClaimRequest("node-1", "q3", Set.of("a", "b"), 10, Duration.ofSeconds(30));
    Map<String, String> plan =
        explain(ctx -> ClaimQueries.selectDue(ctx, store.tables(), request));
    assertThat(plan.get("key")).as("plan %s", plan).isEqualTo("claim");
    // A lookup of (queue, status) in the claim index, never a scan of it or of the table.
    assertThat(plan.get("type")).as("plan %s", plan).isIn("ref", "range");
    assertThat(plan.get("Extra")).as("plan %s", plan).doesNotContainIgnoringCase("filesort");
  }

  @Test
  void a_resumed_claim_reads_a_range_of_the_claim_index_in_order() throws SQLException {
    ClaimRequest request =
        new ClaimRequest("node-1", "q3", Set.of("a", "b"), 10, Duration.ofSeconds(30));
    long aMinuteAgo = (System.currentTimeMillis() - 60_000) * 1_000;
    Map<String, String> plan =
        explain(
            ctx ->
                ClaimQueries.selectDueFrom(
                    ctx, store.tables(), request, new ClaimMemory.Position(4, aMinuteAgo)));
    assertThat(plan.get("key")).as("plan %s", plan).isEqualTo("claim");
    // A range read, not a lookup of (queue, status, priority) filtered row by row.
    assertThat(plan.get("type")).as("plan %s", plan).isEqualTo("range");
    assertThat(plan.get("Extra")).as("plan %s", plan).doesNotContainIgnoringCase("filesort");
  }

  @Test
  void the_reaper_reads_the_lease_expiry_index() throws SQLException {
    Map<String, String> plan = explain(ctx -> LeaseQueries.selectExpired(ctx, store.tables()));
    assertThat(plan.get("key")).as("plan %s", plan).isEqualTo("lease_expiry");
  }

  /** The first row of EXPLAIN for the query, values inlined (they are the test's own). */
  private static Map<String, String> explain(java.util.function.Function<DSLContext, Query> query)
      throws SQLException {
    try (Connection c = TestDatabase.dataSource().getConnection();
        Statement s = c.createStatement()) {
      DSLContext ctx = store.db().using(c);
      String sql = ctx.renderInlined(query.apply(ctx));
      try (ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
        assertThat(rs.next()).isTrue();
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
        }
        row.put("sql", sql);
        row.put("server", c.getMetaData().getDatabaseProductVersion());
        return row;
      }
    }
  }
}
