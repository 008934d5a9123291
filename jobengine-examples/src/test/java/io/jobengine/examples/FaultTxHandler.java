package io.jobengine.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobStoppedException;
import io.jobengine.RetryPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The fault tests' handler that completes its job in its own transaction ({@link
 * JobContext#completeInTransaction}): it inserts an effect row ({@code <prefix>effect}, keyed by
 * job and fencing token, so that a second effect of one job shows as a second row), completes, and
 * commits. On its first attempt it can stop at a point of the transaction and wait there, with a
 * row in {@code <prefix>hold} saying where, until the test releases it, so that the test can kill
 * or pause the worker exactly there. Records its attempts in {@link AttemptLog}.
 */
public final class FaultTxHandler implements JobHandler<FaultTxHandler.Order> {

  /** Where the first attempt waits for the test. */
  public enum Hold {
    /** Nowhere. */
    NONE,
    /** After the effect's INSERT, before the completion: the job's row is not locked yet. */
    BEFORE_COMPLETE,
    /** After the completion, before COMMIT: the job's row is locked by the transaction. */
    BEFORE_COMMIT,
    /** After COMMIT, before the handler returns. */
    AFTER_COMMIT
  }

  /**
   * The payload.
   *
   * @param workMillis how long the work takes before the completion
   * @param hold where the first attempt waits for the test
   */
  public record Order(long workMillis, Hold hold) {}

  private static HikariDataSource pool;

  @Override
  public String type() {
    return "fault-tx";
  }

  @Override
  public Class<Order> payloadType() {
    return Order.class;
  }

  @Override
  public Optional<RetryPolicy> retryPolicy() {
    return Optional.of(FaultHandlers.QUICK_RETRIES);
  }

  /** The tables of this test: the attempt log's prefix. */
  static String prefix() {
    return System.getProperty(AttemptLog.TABLE).replaceFirst("attempt$", "");
  }

  static String effectDdl(String prefix) {
    return "CREATE TABLE `" + prefix + "effect` (job_id BINARY(16) NOT NULL,"
        + " token BIGINT NOT NULL, PRIMARY KEY (job_id, token)) ENGINE=InnoDB";
  }

  static String holdDdl(String prefix) {
    return "CREATE TABLE `" + prefix + "hold` (job_id BINARY(16) NOT NULL PRIMARY KEY,"
        + " point VARCHAR(20) NOT NULL, node VARCHAR(100) NOT NULL, pid BIGINT NOT NULL,"
        + " released TINYINT NOT NULL DEFAULT 0) ENGINE=InnoDB";
  }

  private static synchronized HikariDataSource pool() {
    if (pool == null) {
      HikariConfig c = new HikariConfig();
      c.setPoolName("fault-tx-handler");
      c.setJdbcUrl(System.getProperty(AttemptLog.URL));
      c.setUsername(System.getProperty(AttemptLog.USER));
      c.setPassword(System.getProperty(AttemptLog.PASSWORD, ""));
      c.setMaximumPoolSize(12);
      c.setMinimumIdle(1);
      c.setConnectionTimeout(5000);
      pool = new HikariDataSource(c);
    }
    return pool;
  }

  @Override
  public void run(Order order, JobContext ctx) throws Exception {
    AttemptLog.Attempt attempt = AttemptLog.begin(ctx);
    Hold hold = ctx.attempt() == 1 ? order.hold() : Hold.NONE;
    try (Connection c = pool().getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s =
          c.prepareStatement("INSERT INTO `" + prefix() + "effect` (job_id, token) VALUES (?, ?)")) {
        s.setBytes(1, ctx.jobId().toBytes());
        s.setLong(2, ctx.fencingToken());
        s.executeUpdate();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(order.workMillis()));
      waitIf(hold, Hold.BEFORE_COMPLETE, ctx);
      try {
        ctx.completeInTransaction(c);
      } catch (JobStoppedException e) {
        attempt.end("stopped:" + e.reason(), e.reason() == JobStoppedException.Reason.LEASE_LOST);
        throw e; // closing the connection rolls the effect back
      }
      // The attempt's work is done; if the commit below does not happen, its result does not
      // stand, which the invariants allow for an attempt whose process was killed.
      attempt.end("ok", false);
      waitIf(hold, Hold.BEFORE_COMMIT, ctx);
      c.commit();
      waitIf(hold, Hold.AFTER_COMMIT, ctx);
    } catch (RuntimeException | SQLException e) {
      if (!(e instanceof JobStoppedException)) {
        attempt.end("error", false);
      }
      throw e;
    }
  }

  /**
   * At {@code point}, if it is where this attempt holds: records it and waits until the test
   * releases it (or kills the process). Ignores interrupts there: the point is to stand still.
   */
  private static void waitIf(Hold hold, Hold point, JobContext ctx) throws SQLException {
    if (hold != point) {
      return;
    }
    Thread.interrupted();
    try (Connection c = pool().getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO `" + prefix() + "hold` (job_id, point, node, pid) VALUES (?, ?, ?, ?)")) {
        s.setBytes(1, ctx.jobId().toBytes());
        s.setString(2, point.name());
        s.setString(3, ctx.nodeName());
        s.setLong(4, ProcessHandle.current().pid());
        s.executeUpdate();
      }
      try (PreparedStatement s =
          c.prepareStatement("SELECT released FROM `" + prefix() + "hold` WHERE job_id = ?")) {
        s.setBytes(1, ctx.jobId().toBytes());
        while (true) {
          try (ResultSet rs = s.executeQuery()) {
            if (rs.next() && rs.getInt(1) == 1) {
              return;
            }
          }
          Thread.interrupted();
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
      }
    }
  }
}
