package io.jobengine.examples.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The harness's own connection: reads the server's global status counters and the job table, and
 * counts its own statements so that they can be taken off the counters' deltas.
 */
final class ServerProbe implements AutoCloseable {
  static final List<String> COUNTERS =
      List.of("Questions", "Com_commit", "Handler_commit", "Com_select", "Com_insert", "Com_update");

  private final Connection c;
  private final String prefix;
  private long own;

  ServerProbe(BenchOptions o) throws SQLException {
    this.c = DriverManager.getConnection(o.jdbcUrl(), o.user(), o.password());
    this.prefix = o.prefix();
  }

  /** A snapshot of the global counters. */
  Map<String, Long> status() throws SQLException {
    Map<String, Long> values = new HashMap<>();
    own++;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SHOW GLOBAL STATUS WHERE Variable_name IN ('" + String.join("','", COUNTERS) + "')")) {
      while (rs.next()) {
        values.put(rs.getString(1), rs.getLong(2));
      }
    }
    values.put("own", own);
    values.put("client", StatementCounter.STATEMENTS.get());
    return values;
  }

  /** Jobs in the benchmark's table that have not ended. */
  long unfinished() throws SQLException {
    return count("status IN ('PENDING','QUEUED','RUNNING','TO_CANCEL')");
  }

  long count(String where) throws SQLException {
    own++;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM `" + prefix + "job` WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Empties the benchmark's tables. */
  void clear() throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String t : List.of("job", "job_event", "node")) {
        own++;
        s.execute("TRUNCATE TABLE `" + prefix + t + "`");
      }
    }
  }

  String variable(String name) throws SQLException {
    own++;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@" + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The work done between two snapshots, the harness's own statements taken off. */
  static Work between(Map<String, Long> before, Map<String, Long> after) {
    long own = after.get("own") - before.get("own");
    return new Work(
        after.get("Questions") - before.get("Questions") - own,
        after.get("Com_commit") - before.get("Com_commit"),
        after.get("Handler_commit") - before.get("Handler_commit"),
        after.get("client") - before.get("client"));
  }

  /**
   * Server work between two snapshots.
   *
   * @param questions statements received by the server (Questions), less the harness's own
   * @param commits explicit COMMITs (Com_commit): the transactions
   * @param handlerCommits storage-engine commits (Handler_commit)
   * @param clientStatements statements the nodes under test sent, counted on the client
   */
  record Work(long questions, long commits, long handlerCommits, long clientStatements) {
    double per(long n, long v) {
      return n == 0 ? 0 : (double) v / n;
    }
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
