package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MigratorTest {

  @Test
  void migration_is_idempotent() {
    String prefix = TestDatabase.uniquePrefix("mig");
    TestDatabase.store(prefix).close();
    TestDatabase.store(prefix).close();
    assertThat(versions(prefix)).containsExactlyElementsOf(allVersions());
  }

  @Test
  void four_nodes_starting_at_once_migrate_once_under_the_lock() throws Exception {
    String prefix = TestDatabase.uniquePrefix("race");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch gate = new CountDownLatch(1);
      List<Future<MySqlJobStore>> nodes = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        nodes.add(
            pool.submit(
                () -> {
                  gate.await();
                  return TestDatabase.store(prefix);
                }));
      }
      gate.countDown();
      for (Future<MySqlJobStore> node : nodes) {
        node.get(2, TimeUnit.MINUTES).close();
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(versions(prefix)).containsExactlyElementsOf(allVersions());
  }

  @Test
  void a_schema_newer_than_the_code_is_refused_with_or_without_migration() {
    String prefix = TestDatabase.uniquePrefix("newer");
    TestDatabase.store(prefix).close();
    int future = Migrator.LATEST + 1;
    TestDatabase.execute(
        "INSERT INTO `" + prefix + "schema_version` VALUES (" + future
            + ", 'from the future', UTC_TIMESTAMP(6))");

    for (boolean migrate : new boolean[] {true, false}) {
      assertThatThrownBy(
              () ->
                  MySqlJobStore.builder()
                      .dataSource(TestDatabase.dataSource())
                      .tablePrefix(prefix)
                      .autoMigrate(migrate)
                      .build())
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("is at version " + future)
          .hasMessageContaining("newer than the version " + Migrator.LATEST)
          .hasMessageContaining("Upgrade jobengine");
    }
  }

  @Test
  void a_missing_schema_with_migration_off_is_refused_with_what_to_do() {
    String prefix = TestDatabase.uniquePrefix("missing");
    assertThatThrownBy(
            () ->
                MySqlJobStore.builder()
                    .dataSource(TestDatabase.dataSource())
                    .tablePrefix(prefix)
                    .autoMigrate(false)
                    .build())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema is missing")
        .hasMessageContaining(prefix + "schema_version")
        .hasMessageContaining("docs/mysql-schema.md")
        .hasMessageContaining("autoMigrate(true)");
  }

  @Test
  void an_older_schema_with_migration_off_is_refused() {
    String prefix = TestDatabase.uniquePrefix("older");
    TestDatabase.execute(Migrator.statements("schema_version.sql", prefix).toArray(String[]::new));
    assertThatThrownBy(
            () ->
                MySqlJobStore.builder()
                    .dataSource(TestDatabase.dataSource())
                    .tablePrefix(prefix)
                    .autoMigrate(false)
                    .build())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("is at version 0")
        .hasMessageContaining("needs version " + Migrator.LATEST);
  }

  @Test
  void a_schema_applied_by_hand_from_the_scripts_is_accepted_with_migration_off() {
    String prefix = TestDatabase.uniquePrefix("byhand");
    List<String> ddl = new ArrayList<>(Migrator.statements("schema_version.sql", prefix));
    for (Migrator.Migration m : Migrator.MIGRATIONS) {
      ddl.addAll(Migrator.statements("migrations/" + m.resource(), prefix));
      ddl.add("INSERT INTO `" + prefix + "schema_version` VALUES (" + m.version() + ", '"
          + m.description() + "', UTC_TIMESTAMP(6))");
    }
    TestDatabase.execute(ddl.toArray(String[]::new));
    MySqlJobStore.builder()
        .dataSource(TestDatabase.dataSource())
        .tablePrefix(prefix)
        .autoMigrate(false)
        .build()
        .close();
  }

  @Test
  void scripts_split_into_statements_with_the_prefix_in_place() {
    List<String> statements = Migrator.statements("migrations/V1__jobs.sql", "acme_");
    assertThat(statements).hasSize(3);
    assertThat(statements.get(0)).startsWith("CREATE TABLE IF NOT EXISTS `acme_job` (");
    assertThat(statements).noneMatch(s -> s.contains("${prefix}") || s.endsWith(";"));
    assertThatThrownBy(() -> Migrator.statements("migrations/V1__jobs.sql", "x`; DROP"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void the_published_schema_document_holds_every_script_verbatim() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "mysql-schema.md"), StandardCharsets.UTF_8);
    assertThat(doc).contains(Migrator.read("schema_version.sql").strip());
    for (Migrator.Migration m : Migrator.MIGRATIONS) {
      assertThat(doc).contains(Migrator.read("migrations/" + m.resource()).strip());
    }
  }

  @Test
  void a_version_1_schema_is_migrated_to_unset_max_attempts_keeping_its_jobs() {
    String prefix = TestDatabase.uniquePrefix("v1up");
    List<String> ddl = new ArrayList<>(Migrator.statements("schema_version.sql", prefix));
    ddl.addAll(Migrator.statements("migrations/V1__jobs.sql", prefix));
    ddl.add("INSERT INTO `" + prefix + "schema_version` VALUES (1, 'jobs', UTC_TIMESTAMP(6))");
    ddl.add(
        "INSERT INTO `" + prefix + "job` (id, queue, type, status, priority, run_at, max_attempts,"
            + " payload, created_at, updated_at) VALUES (UNHEX(REPLACE(UUID(), '-', '')),"
            + " 'default', 't', 'PENDING', 0, UTC_TIMESTAMP(6), 7, '{}', UTC_TIMESTAMP(6),"
            + " UTC_TIMESTAMP(6))");
    TestDatabase.execute(ddl.toArray(String[]::new));

    TestDatabase.store(prefix).close();

    assertThat(versions(prefix)).containsExactlyElementsOf(allVersions());
    TestDatabase.execute(
        "INSERT INTO `" + prefix + "job` (id, queue, type, status, priority, run_at, max_attempts,"
            + " payload, created_at, updated_at) VALUES (UNHEX(REPLACE(UUID(), '-', '')),"
            + " 'default', 't', 'PENDING', 0, UTC_TIMESTAMP(6), NULL, '{}', UTC_TIMESTAMP(6),"
            + " UTC_TIMESTAMP(6))");
    try (Connection c = TestDatabase.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT max_attempts FROM `" + prefix + "job` ORDER BY max_attempts IS NULL")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(7);
      assertThat(rs.next()).isTrue();
      assertThat(rs.getObject(1)).isNull();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void lock_names_stay_within_mysqls_64_characters() {
    assertThat(Migrator.lockName("test", "jobengine_")).isEqualTo("jobengine_migrate:test:jobengine_");
    assertThat(Migrator.lockName("d".repeat(64), "p".repeat(24))).hasSizeLessThanOrEqualTo(64);
  }

  @Test
  void a_version_1_schema_is_upgraded_and_its_nodes_keep_their_rows() {
    String prefix = TestDatabase.uniquePrefix("v1up");
    List<String> ddl = new ArrayList<>(Migrator.statements("schema_version.sql", prefix));
    ddl.addAll(Migrator.statements("migrations/V1__jobs.sql", prefix));
    ddl.add("INSERT INTO `" + prefix + "schema_version` VALUES (1, 'jobs', UTC_TIMESTAMP(6))");
    ddl.add("INSERT INTO `" + prefix + "node` (name, host, pid, queues, lease_micros, started_at,"
        + " heartbeat_at) VALUES ('old-node', 'h', 1, '{}', 30000000, UTC_TIMESTAMP(6),"
        + " UTC_TIMESTAMP(6))");
    TestDatabase.execute(ddl.toArray(String[]::new));

    try (MySqlJobStore store = TestDatabase.store(prefix)) {
      assertThat(versions(prefix)).containsExactlyElementsOf(allVersions());
      assertThat(store.nodes()).extracting(io.jobengine.NodeInfo::name).containsExactly("old-node");
    }
  }

  @Test
  void a_migration_interrupted_after_its_alter_runs_again_without_failing() {
    String prefix = TestDatabase.uniquePrefix("v2again");
    List<String> ddl = new ArrayList<>(Migrator.statements("schema_version.sql", prefix));
    ddl.addAll(Migrator.statements("migrations/V1__jobs.sql", prefix));
    ddl.addAll(Migrator.statements("migrations/V2__node_instance.sql", prefix));
    // The crash came before version 2 was recorded.
    ddl.add("INSERT INTO `" + prefix + "schema_version` VALUES (1, 'jobs', UTC_TIMESTAMP(6))");
    TestDatabase.execute(ddl.toArray(String[]::new));

    TestDatabase.store(prefix).close();
    assertThat(versions(prefix)).containsExactlyElementsOf(allVersions());
  }

  private static List<Integer> allVersions() {
    return Migrator.MIGRATIONS.stream().map(Migrator.Migration::version).toList();
  }

  private static List<Integer> versions(String prefix) {
    List<Integer> versions = new ArrayList<>();
    try (Connection c = TestDatabase.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT version FROM `" + prefix + "schema_version` ORDER BY version")) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return versions;
  }
}
