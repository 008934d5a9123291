package io.jobengine.examples;

import io.jobengine.testservers.PrivateServer;
import io.jobengine.testservers.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the fault tests find their server, in the order of jobengine-mysql's TestDatabase: {@code
 * JOBENGINE_TEST_JDBC_URL} (with {@code JOBENGINE_TEST_JDBC_USER}, default root, and {@code
 * JOBENGINE_TEST_JDBC_PASSWORD}, default empty), else the private server the system property
 * {@code jobengine.test.server} names ({@link TestServers}; one per test JVM), else the local
 * server at 127.0.0.1:3306 (root, no password, database {@code test}), else the tests fail saying
 * how to provide one. No
 * Testcontainers here: worker processes must reach the server with the same URL.
 *
 * @param url the JDBC URL
 * @param user the user
 * @param password the password
 */
record FaultDatabase(String url, String user, String password) {

  static final String LOCAL_URL = "jdbc:mysql://127.0.0.1:3306/test";

  private static FaultDatabase resolved;

  static synchronized FaultDatabase get() {
    if (resolved == null) {
      resolved = resolve();
    }
    return resolved;
  }

  private static FaultDatabase resolve() {
    String env = System.getenv("JOBENGINE_TEST_JDBC_URL");
    if (env != null && !env.isBlank()) {
      return new FaultDatabase(
          env,
          System.getenv().getOrDefault("JOBENGINE_TEST_JDBC_USER", "root"),
          System.getenv().getOrDefault("JOBENGINE_TEST_JDBC_PASSWORD", ""));
    }
    Optional<PrivateServer> server = TestServers.requested();
    if (server.isPresent()) {
      return of(server.get());
    }
    FaultDatabase local = new FaultDatabase(LOCAL_URL, "root", "");
    try {
      local.connect().close();
      return local;
    } catch (SQLException e) {
      throw new IllegalStateException(
          "No MySQL server for the fault tests (" + e.getMessage() + "). Provide one of: (1) the"
              + " environment variable JOBENGINE_TEST_JDBC_URL, e.g. jdbc:mysql://db:3306/test"
              + " (with JOBENGINE_TEST_JDBC_USER and JOBENGINE_TEST_JDBC_PASSWORD; the user needs"
              + " to create tables and, for one test, users); (2) a MySQL 8.0+ or MariaDB 10.6+"
              + " server at 127.0.0.1:3306 with a database 'test' and user root without password."
              + " The worker processes these tests start connect with the same URL, so a"
              + " Testcontainers server is not used here", e);
    }
  }

  /** The database {@code test} of a private server, as root. */
  static FaultDatabase of(PrivateServer server) {
    return new FaultDatabase(server.jdbcUrl("test"), server.user(), server.password());
  }

  Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "3000");
    p.setProperty("socketTimeout", "60000");
    return DriverManager.getConnection(url, p);
  }

  /** The same server as another user. */
  FaultDatabase as(String otherUser, String otherPassword) {
    return new FaultDatabase(url, otherUser, otherPassword);
  }

  /** Runs statements of the tests' own. */
  void execute(String... sql) {
    try (Connection c = connect();
        java.sql.Statement s = c.createStatement()) {
      for (String each : sql) {
        s.execute(each);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Test SQL failed: " + String.join("; ", sql), e);
    }
  }

  /** The rows of a query, each as a list of its columns' values. */
  List<List<Object>> rows(String sql, Object... args) {
    try (Connection c = connect();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      List<List<Object>> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>(n);
          for (int i = 1; i <= n; i++) {
            row.add(rs.getObject(i));
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("Test query failed: " + sql, e);
    }
  }

  long count(String sql, Object... args) {
    List<List<Object>> rows = rows(sql, args);
    return ((Number) rows.get(0).get(0)).longValue();
  }

  @Override
  public String toString() {
    return url + " as " + user;
  }
}
