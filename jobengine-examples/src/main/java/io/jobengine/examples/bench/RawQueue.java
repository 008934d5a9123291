package io.jobengine.examples.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference: the least database work a correct lease-based queue needs, in raw JDBC on the
 * engine's own table. Each node is one loop that claims up to {@code threads} due jobs in one
 * transaction ({@code SELECT ... FOR UPDATE SKIP LOCKED} plus one UPDATE that sets the lease and
 * RUNNING), runs them (no-ops), and completes them in a second transaction with one fenced UPDATE
 * ({@code (id, lease_token) IN (...)}), checking the row count. Two commits per batch, no history,
 * no heartbeats, no progress: what the engine is measured against.
 */
final class RawQueue {
  private RawQueue() {}

  /** Burns down every due job of the table with {@code nodes} loops; returns the jobs done. */
  static long run(BenchOptions o, int nodes) throws Exception {
    AtomicLong done = new AtomicLong();
    List<Thread> loops = new ArrayList<>();
    List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
    for (int n = 0; n < nodes; n++) {
      String owner = "raw-" + (n + 1);
      Thread t =
          new Thread(
              () -> {
                try {
                  loop(o, owner, done);
                } catch (Exception e) {
                  failures.add(e);
                }
              },
              "bench-" + owner);
      loops.add(t);
      t.start();
    }
    for (Thread t : loops) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    return done.get();
  }

  private static void loop(BenchOptions o, String owner, AtomicLong done) throws SQLException {
    String job = "`" + o.prefix() + "job`";
    int limit = o.threads();
    try (Connection c = DriverManager.getConnection(o.jdbcUrl(), o.user(), o.password())) {
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      c.setAutoCommit(false);
      try (PreparedStatement select =
          c.prepareStatement(
              "SELECT id, lease_token FROM " + job + " WHERE queue = 'default' AND status = 'PENDING'"
                  + " AND run_at <= UTC_TIMESTAMP(6) AND type IN ('bench.noop')"
                  + " ORDER BY priority, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED")) {
        while (true) {
          select.setInt(1, limit);
          List<byte[]> ids = new ArrayList<>(limit);
          List<Long> tokens = new ArrayList<>(limit);
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getBytes(1));
              tokens.add(rs.getLong(2) + 1);
            }
          }
          if (ids.isEmpty()) {
            c.commit();
            return;
          }
          String in = String.join(",", Collections.nCopies(ids.size(), "?"));
          try (PreparedStatement claim =
              c.prepareStatement(
                  "UPDATE " + job + " SET status = 'RUNNING', lease_owner = ?,"
                      + " lease_token = lease_token + 1, attempt = attempt + 1,"
                      + " lease_expires_at = UTC_TIMESTAMP(6) + INTERVAL 30 SECOND,"
                      + " started_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6)"
                      + " WHERE id IN (" + in + ")")) {
            claim.setString(1, owner);
            for (int i = 0; i < ids.size(); i++) {
              claim.setBytes(i + 2, ids.get(i));
            }
            claim.executeUpdate();
          } catch (SQLException e) {
            if (!deadlocked(c, e)) {
              throw e;
            }
            continue; // rolled back: the rows are PENDING again; claim afresh
          }
          c.commit();
          // The jobs run here: no-ops.
          String pairs = String.join(",", Collections.nCopies(ids.size(), "(?,?)"));
          while (!complete(c, job, in, pairs, ids, tokens, owner)) {
            // deadlocked and rolled back: the jobs are still RUNNING under these leases
          }
          done.addAndGet(ids.size());
        }
      }
    }
  }

  /** The fenced completion of a batch; false if it deadlocked (rolled back, to be run again). */
  private static boolean complete(
      Connection c, String job, String in, String pairs, List<byte[]> ids, List<Long> tokens,
      String owner) throws SQLException {
    try (PreparedStatement complete =
        c.prepareStatement(
            "UPDATE " + job + " SET status = 'SUCCESS', lease_owner = NULL,"
                + " lease_expires_at = NULL, finished_at = UTC_TIMESTAMP(6),"
                + " updated_at = UTC_TIMESTAMP(6)"
                + " WHERE id IN (" + in + ") AND (id, lease_token) IN (" + pairs + ")"
                + " AND status = 'RUNNING'")) {
      int k = 1;
      for (byte[] id : ids) {
        complete.setBytes(k++, id);
      }
      for (int i = 0; i < ids.size(); i++) {
        complete.setBytes(k++, ids.get(i));
        complete.setLong(k++, tokens.get(i));
      }
      int n = complete.executeUpdate();
      if (n != ids.size()) {
        throw new IllegalStateException(
            "Completed " + n + " of " + ids.size() + " jobs whose leases " + owner + " held");
      }
    } catch (SQLException e) {
      if (!deadlocked(c, e)) {
        throw e;
      }
      return false;
    }
    c.commit();
    return true;
  }

  /**
   * Whether {@code e} is a deadlock (1213), after which the transaction was rolled back here and
   * is run again, as any queue on InnoDB must: two loops' UPDATEs can lock entries of the claim
   * index in opposite orders.
   */
  private static boolean deadlocked(Connection c, SQLException e) throws SQLException {
    if (e.getErrorCode() != 1213) {
      return false;
    }
    c.rollback();
    return true;
  }
}
