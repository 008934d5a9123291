package io.jobengine.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jobengine.JobId;
import io.jobengine.testservers.PrivateServer;
import io.jobengine.testservers.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The one place tests get their database from, in this order:
 *
 * <ol>
 *   <li>{@code JOBENGINE_TEST_JDBC_URL} (with {@code JOBENGINE_TEST_JDBC_USER}, default root, and
 *       {@code JOBENGINE_TEST_JDBC_PASSWORD}, default empty), if set;
 *   <li>a private server of the test JVM if the system property {@code jobengine.test.server}
 *       names one ({@code mysql-8.0}, {@code mariadb-11.4}, {@code mariadb-10.11}; see {@link
 *       TestServers}), started on first use;
 *   <li>the local server at {@code jdbc:mysql://127.0.0.1:3306/test}, user root, no password;
 *   <li>a Testcontainers MySQL {@value #MYSQL_IMAGE}, where Docker runs;
 * </ol>
 *
 * and otherwise the tests fail, saying how to provide one. Never a mock. Test classes isolate
 * themselves by table prefix ({@link #uniquePrefix}).
 */
final class TestDatabase {

  static final String MYSQL_IMAGE = "mysql:8.4.6";

  static final String LOCAL_URL = "jdbc:mysql://127.0.0.1:3306/test";

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private static volatile Target target;
  private static volatile HikariDataSource shared;

  /**
   * Where the tests connect.
   *
   * @param url the JDBC URL
   * @param user the user
   * @param password the password
   * @param source where it came from, for messages
   */
  record Target(String url, String user, String password, String source) {}

  private TestDatabase() {}

  static synchronized Target target() {
    if (target == null) {
      target = resolve();
    }
    return target;
  }

  private static Target resolve() {
    String env = System.getenv("JOBENGINE_TEST_JDBC_URL");
    if (env != null && !env.isBlank()) {
      String user = System.getenv().getOrDefault("JOBENGINE_TEST_JDBC_USER", "root");
      String password = System.getenv().getOrDefault("JOBENGINE_TEST_JDBC_PASSWORD", "");
      return new Target(env, user, password, "JOBENGINE_TEST_JDBC_URL");
    }
    Optional<PrivateServer> server = TestServers.requested();
    if (server.isPresent()) {
      PrivateServer s = server.get();
      return new Target(s.jdbcUrl("test"), s.user(), s.password(), s.toString());
    }
    if (reachable(LOCAL_URL, "root", "")) {
      return new Target(LOCAL_URL, "root", "", "local server");
    }
    if (dockerAvailable()) {
      return Containers.start();
    }
    throw new IllegalStateException(
        "No MySQL server for the jobengine-mysql tests. Provide one of: (1) the environment"
            + " variable JOBENGINE_TEST_JDBC_URL, e.g. jdbc:mysql://db:3306/test (with"
            + " JOBENGINE_TEST_JDBC_USER and JOBENGINE_TEST_JDBC_PASSWORD; the user needs to"
            + " create tables); (2) a MySQL 8.0+ or MariaDB 10.6+ server at 127.0.0.1:3306 with a"
            + " database 'test' and user root without password; (3) a running Docker, for a"
            + " Testcontainers " + MYSQL_IMAGE);
  }

  private static boolean reachable(String url, String user, String password) {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "2000");
    try (Connection c = DriverManager.getConnection(url, p)) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Kept apart so that Testcontainers' classes load only when Docker is used. */
  private static final class Containers {
    @SuppressWarnings("resource") // lives as long as the test JVM; Testcontainers removes it
    static Target start() {
      MySQLContainer<?> mysql =
          new MySQLContainer<>(DockerImageName.parse(MYSQL_IMAGE))
              .withDatabaseName("test")
              .withUsername("root")
              .withPassword("test")
              .withStartupTimeout(Duration.ofMinutes(3));
      mysql.start();
      return new Target(mysql.getJdbcUrl(), "root", "test", "Testcontainers " + MYSQL_IMAGE);
    }
  }

  /** A pool shared by all tests, standing for a host application's DataSource. */
  static synchronized DataSource dataSource() {
    if (shared == null) {
      shared = pool(24, null);
    }
    return shared;
  }

  /** A new pool; {@code initSql} runs on each new connection (may be null). */
  static HikariDataSource pool(int size, String initSql, String... properties) {
    Target t = target();
    HikariConfig c = new HikariConfig();
    c.setPoolName("test-pool");
    c.setJdbcUrl(t.url());
    c.setUsername(t.user());
    c.setPassword(t.password());
    c.setMaximumPoolSize(size);
    c.setMinimumIdle(1);
    if (initSql != null) {
      c.setConnectionInitSql(initSql);
    }
    for (int i = 0; i + 1 < properties.length; i += 2) {
      c.addDataSourceProperty(properties[i], properties[i + 1]);
    }
    return new HikariDataSource(c);
  }

  /** A table prefix no other test uses in this run (tables of earlier runs are dropped). */
  static String uniquePrefix(String name) {
    String prefix = "t" + name + PREFIXES.incrementAndGet() + "_";
    dropTables(prefix);
    return prefix;
  }

  static void dropTables(String prefix) {
    execute(
        "DROP TABLE IF EXISTS `" + prefix + "job`, `" + prefix + "job_event`, `" + prefix
            + "node`, `" + prefix + "schema_version`");
  }

  /** Runs SQL of the tests' own (never with values from outside). */
  static void execute(String... sql) {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String each : sql) {
        s.execute(each);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Test SQL failed: " + String.join("; ", sql), e);
    }
  }

  /** A store on the shared DataSource with its own tables. */
  static MySqlJobStore store(String prefix) {
    return MySqlJobStore.builder().dataSource(dataSource()).tablePrefix(prefix).build();
  }

  /** A store with its own pool, as a production node would run it. */
  static MySqlJobStore storeWithOwnPool(String prefix, int poolSize) {
    Target t = target();
    return MySqlJobStore.builder()
        .jdbcUrl(t.url(), t.user(), t.password())
        .poolSize(poolSize)
        .tablePrefix(prefix)
        .build();
  }

  /** The statuses of a job's history rows, oldest first. */
  static List<String> events(String prefix, JobId id) {
    List<String> statuses = new ArrayList<>();
    try (Connection c = dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT `status` FROM `" + prefix + "job_event` WHERE `job_id` = ? ORDER BY `id`")) {
      s.setBytes(1, id.toBytes());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          statuses.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Test SQL failed: the history of job " + id, e);
    }
    return statuses;
  }

  /** Empties the job tables. */
  static void clear(String prefix) {
    execute(
        "DELETE FROM `" + prefix + "job`",
        "DELETE FROM `" + prefix + "job_event`",
        "DELETE FROM `" + prefix + "node`");
  }

  /**
   * Moves the store's clock forward: shifts every stored time back by {@code d}, which is the
   * same to every query that compares with UTC_TIMESTAMP(6).
   */
  static void advanceTime(String prefix, Duration d) {
    long micros = SqlTime.micros(d);
    StringBuilder sql = new StringBuilder("UPDATE `" + prefix + "job` SET ");
    String[] columns = {
      "run_at", "lease_expires_at", "created_at", "started_at", "finished_at", "updated_at"
    };
    for (int i = 0; i < columns.length; i++) {
      if (i > 0) {
        sql.append(", ");
      }
      sql.append('`').append(columns[i]).append("` = DATE_SUB(`").append(columns[i])
          .append("`, INTERVAL ").append(micros).append(" MICROSECOND)");
    }
    String back = " - INTERVAL " + micros + " MICROSECOND";
    execute(
        sql.toString(),
        "UPDATE `" + prefix + "job_event` SET `at` = `at`" + back,
        "UPDATE `" + prefix + "node` SET `started_at` = `started_at`" + back
            + ", `heartbeat_at` = `heartbeat_at`" + back + ", `stopped_at` = `stopped_at`" + back);
  }
}
