package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.NodeInfo;
import io.jobengine.StoreException;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import io.jobengine.spi.NewJob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A database user with only SELECT, INSERT, UPDATE and DELETE, what docs/mysql-schema.md says a
 * node needs at run time (issue 9, defect 8): it starts on a current schema with automatic
 * migration on, and is told what is missing when the schema is missing or older.
 */
class LeastPrivilegeTest {

  private static final String PASSWORD = "lp-Passw0rd!";
  private static final List<String> HOSTS = List.of("%", "localhost", "127.0.0.1");
  private static String user;
  private static String database;

  @BeforeAll
  static void createUser() throws Exception {
    try (Connection c = TestDatabase.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
      rs.next();
      database = rs.getString(1);
    }
    // Unique per database, so tests on other databases of the same server do not collide.
    user = "je_lp_" + database.replaceAll("[^A-Za-z0-9_]", "_");
    List<String> sql = new ArrayList<>();
    for (String host : HOSTS) {
      sql.add("DROP USER IF EXISTS '" + user + "'@'" + host + "'");
      sql.add("CREATE USER '" + user + "'@'" + host + "' IDENTIFIED BY '" + PASSWORD + "'");
      sql.add("GRANT SELECT, INSERT, UPDATE, DELETE ON `" + database + "`.* TO '" + user + "'@'"
          + host + "'");
    }
    boolean created;
    try {
      TestDatabase.execute(sql.toArray(String[]::new));
      created = true;
    } catch (IllegalStateException e) {
      created = false;
    }
    assumeThat(created).as("the test user may create users").isTrue();
  }

  @AfterAll
  static void dropUser() {
    if (user != null) {
      TestDatabase.execute(
          HOSTS.stream().map(h -> "DROP USER IF EXISTS '" + user + "'@'" + h + "'")
              .toArray(String[]::new));
    }
  }

  private static MySqlJobStore.Builder asLeastPrivilegeUser(String prefix) {
    return MySqlJobStore.builder()
        .jdbcUrl(TestDatabase.target().url(), user, PASSWORD)
        .poolSize(2)
        .tablePrefix(prefix);
  }

  @Test
  void a_current_schema_needs_no_ddl_so_the_run_time_grants_suffice_with_migration_on() {
    String prefix = TestDatabase.uniquePrefix("lp");
    TestDatabase.store(prefix).close();

    try (MySqlJobStore store = asLeastPrivilegeUser(prefix).autoMigrate(true).build()) {
      NewJob job = new NewJob(JobId.generate(), "t", "default", 0, "{}", null, Duration.ZERO, 3,
          null, null);
      store.enqueue(List.of(job));
      List<ClaimedJob> claimed =
          store.claim(new ClaimRequest("lp-node", "default", Set.of("t"), 1, Duration.ofSeconds(30)));
      assertThat(claimed).hasSize(1);
      assertThat(store.complete(List.of(Completion.success(claimed.get(0).lease()))))
          .isEqualTo(WriteResult.ALL_WRITTEN);
      assertThat(store.get(job.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
    }
  }

  @Test
  void a_missing_schema_is_refused_naming_the_grant_or_the_step_that_is_missing() {
    String prefix = TestDatabase.uniquePrefix("lpmissing");
    assertThatThrownBy(() -> asLeastPrivilegeUser(prefix).build())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("'" + prefix + "*'")
        .hasMessageContaining("lacks a privilege to create the version table")
        .hasMessageContaining("CREATE, ALTER, INDEX and DROP on `" + database + "`.*")
        .hasMessageContaining("docs/mysql-schema.md");
  }

  @Test
  void an_older_schema_is_refused_naming_the_migration_that_needs_ddl() {
    String prefix = TestDatabase.uniquePrefix("lpolder");
    List<String> ddl = new ArrayList<>(Migrator.statements("schema_version.sql", prefix));
    ddl.addAll(Migrator.statements("migrations/V1__jobs.sql", prefix));
    ddl.add("INSERT INTO `" + prefix + "schema_version` VALUES (1, 'jobs', UTC_TIMESTAMP(6))");
    TestDatabase.execute(ddl.toArray(String[]::new));
    assumeThat(Migrator.LATEST).as("a migration after version 1 exists").isGreaterThan(1);

    assertThatThrownBy(() -> asLeastPrivilegeUser(prefix).build())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("lacks a privilege to apply migration 2")
        .hasMessageContaining("over version 1");
  }
}
