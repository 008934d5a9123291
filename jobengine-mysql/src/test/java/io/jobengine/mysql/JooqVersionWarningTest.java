package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;

/**
 * jOOQ's server version check must not warn at a store's start (issue 9, item 12): through
 * Connector/J a MariaDB 10.x server reports version 5.5, and jOOQ printed "Database version is
 * older than what dialect MARIADB supports" at every start, on stdout in the examples.
 *
 * <p>jOOQ logs that check once per JVM, so the store starts in a JVM of its own ({@link Start}),
 * logging to stdout through this module's logback-test.xml (org.jooq at INFO), and the test reads
 * what it printed, on the server this test JVM uses. On a release older than jOOQ supports (MySQL
 * 8.0.15 for jOOQ 3.19) the warning is true and stays; it must then name the server's version.
 */
class JooqVersionWarningTest {

  /** Builds a store and closes it; args: the table prefix. */
  static final class Start {
    private Start() {}

    public static void main(String[] args) {
      TestDatabase.Target t = TestDatabase.target();
      try (MySqlJobStore store =
          MySqlJobStore.builder().jdbcUrl(t.url(), t.user(), t.password()).tablePrefix(args[0])
              .build()) {
        store.nodes();
      }
    }
  }

  @Test
  void starting_a_store_prints_no_jooq_version_warning() throws Exception {
    String prefix = TestDatabase.uniquePrefix("jooqv");
    ServerCheck.ServerVersion server;
    try (MySqlJobStore store = TestDatabase.store(prefix)) {
      server = store.server();
    }

    String output = runStart(prefix);

    assertThat(output).contains("MySqlJobStore started");
    if (server.dialect().supportsDatabaseVersion(server.major(), server.minor(), server.text())) {
      assertThat(output).doesNotContain("older than what dialect");
      // The check ran and saw the version the store read (MariaDB: not the driver's 5.5.5).
      assertThat(output)
          .contains("Database version is supported by dialect SQLDialect." + server.dialect().name());
    } else {
      // A release older than jOOQ supports (MySQL 8.0.15 for jOOQ 3.19): jOOQ's warning is true,
      // and names the version the store read.
      assertThat(output)
          .contains("older than what dialect SQLDialect." + server.dialect().name() + " supports: "
              + server.text());
    }
    assertThat(SQLDialect.MARIADB.supportsDatabaseVersion(5, 5, "5.5.5-10.11.19-MariaDB"))
        .as("what jOOQ concluded from the driver's version before")
        .isFalse();
  }

  private static String runStart(String prefix) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-Dorg.jooq.no-logo=true",
                    "-Dorg.jooq.no-tips=true",
                    Start.class.getName(),
                    prefix))
            .redirectErrorStream(true);
    // The store's JVM uses this JVM's server, whatever chose it (a private server is this JVM's).
    TestDatabase.Target t = TestDatabase.target();
    pb.environment().put("JOBENGINE_TEST_JDBC_URL", t.url());
    pb.environment().put("JOBENGINE_TEST_JDBC_USER", t.user());
    pb.environment().put("JOBENGINE_TEST_JDBC_PASSWORD", t.password());
    Process p = pb.start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the store's JVM ended").isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    return text;
  }
}
