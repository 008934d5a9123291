package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.zaxxer.hikari.HikariDataSource;
import io.jobengine.JobId;
import io.jobengine.StoreException;
import io.jobengine.spi.NewJob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the store does when the database fails it: clear errors, and it carries on afterwards. */
class FailureTest {

  @Test
  void a_killed_connection_costs_at_most_one_call_and_the_next_gets_a_fresh_one() throws Exception {
    String prefix = TestDatabase.uniquePrefix("lost");
    try (MySqlJobStore store = TestDatabase.storeWithOwnPool(prefix, 1)) {
      NewJob job = new NewJob(JobId.generate(), "t", "default", 0, "{}", null, Duration.ZERO, 3,
          null, null);
      store.enqueue(List.of(job));
      Long connectionId =
          store.db().<Long>inTransaction(
              "test", null,
              ctx -> ctx.fetchValue(org.jooq.impl.DSL.field("CONNECTION_ID()", Long.class)));
      TestDatabase.execute("KILL " + connectionId);

      try {
        store.get(job.id());
      } catch (StoreException e) {
        org.slf4j.LoggerFactory.getLogger(FailureTest.class).info("First call after KILL: {}",
            e.getMessage());
        assertThat(e).hasMessageContaining("read a job").hasMessageContaining(job.id().toString())
            .hasMessageContaining("connection");
      }
      assertThat(store.get(job.id())).isPresent();
    }
  }

  @Test
  void a_user_without_write_privileges_gets_an_error_naming_what_is_missing() throws Exception {
    String prefix = TestDatabase.uniquePrefix("priv");
    TestDatabase.store(prefix).close();
    String database;
    try (Connection c = TestDatabase.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
      rs.next();
      database = rs.getString(1);
    }
    boolean created;
    try {
      TestDatabase.execute(
          "DROP USER IF EXISTS 'jobengine_ro'@'%'",
          "CREATE USER 'jobengine_ro'@'%' IDENTIFIED BY 'ro-Passw0rd!'",
          "GRANT SELECT ON `" + database + "`.* TO 'jobengine_ro'@'%'");
      created = true;
    } catch (IllegalStateException e) {
      created = false;
    }
    assumeThat(created).as("the test user may create users").isTrue();
    TestDatabase.Target t = TestDatabase.target();
    try (HikariDataSource readOnly = readOnlyPool(t)) {
      // Migration needs CREATE: refused at start, naming it.
      assertThatThrownBy(
              () ->
                  MySqlJobStore.builder().dataSource(readOnly).tablePrefix(prefix + "x").build())
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("lacks a privilege")
          .hasMessageContaining("CREATE");

      // With migration off the schema check passes, and the first write names INSERT. (MySQL
      // 8.0.22+ also wants UPDATE for the SKIP LOCKED probe at start.)
      try {
        MySqlJobStore store =
            MySqlJobStore.builder().dataSource(readOnly).tablePrefix(prefix).autoMigrate(false)
                .build();
        try (store) {
          NewJob job = new NewJob(JobId.generate(), "t", "default", 0, "{}", null, Duration.ZERO,
              3, null, null);
          assertThatThrownBy(() -> store.enqueue(List.of(job)))
              .isInstanceOf(StoreException.class)
              .hasMessageContaining("lacks a privilege")
              .hasMessageContaining("INSERT")
              .hasMessageContaining("SELECT, INSERT, UPDATE and DELETE");
        }
      } catch (StoreException e) {
        org.slf4j.LoggerFactory.getLogger(FailureTest.class).info("Start refused: {}",
            e.getMessage());
        assertThat(e).hasMessageContaining("lacks a privilege");
      }
    } finally {
      TestDatabase.execute("DROP USER IF EXISTS 'jobengine_ro'@'%'");
    }
  }

  private static HikariDataSource readOnlyPool(TestDatabase.Target t) throws SQLException {
    com.zaxxer.hikari.HikariConfig c = new com.zaxxer.hikari.HikariConfig();
    c.setJdbcUrl(t.url());
    c.setUsername("jobengine_ro");
    c.setPassword("ro-Passw0rd!");
    c.setMaximumPoolSize(2);
    return new HikariDataSource(c);
  }
}
