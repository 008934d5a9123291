package io.jobengine.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jobengine.JobContext;
import io.jobengine.JobStoppedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The fault tests' record of every attempt, written by the test handlers inside the worker
 * processes with plain JDBC into the table {@code <prefix>attempt}: job id, attempt, fencing
 * token, node and process id, when its work started and ended (the database's UTC_TIMESTAMP(6)),
 * how it ended, and whether the engine told it that its lease was lost.
 *
 * <p>The start is written before the handler does any work, so no work goes unrecorded; if the
 * database is down the handler waits (and stops when the engine asks it to). The end is written
 * with the time the work really ended (the write's time minus what passed since), so a write
 * delayed by an outage does not stretch the attempt. Configured by system properties that {@link
 * Cluster} passes to the worker processes.
 */
final class AttemptLog {
  static final String URL = "jobengine.fault.url";
  static final String USER = "jobengine.fault.user";
  static final String PASSWORD = "jobengine.fault.password";
  static final String TABLE = "jobengine.fault.table";

  private static final Duration GIVE_UP = Duration.ofSeconds(60);
  private static final long PID = ProcessHandle.current().pid();
  private static HikariDataSource pool;

  private AttemptLog() {}

  static String ddl(String table) {
    return "CREATE TABLE `" + table + "` ("
        + " job_id BINARY(16) NOT NULL, token BIGINT NOT NULL, attempt INT NOT NULL,"
        + " node VARCHAR(100) NOT NULL, pid BIGINT NOT NULL,"
        + " started_at DATETIME(6) NOT NULL, ended_at DATETIME(6) NULL,"
        + " outcome VARCHAR(40) NULL, lease_lost TINYINT NOT NULL DEFAULT 0,"
        + " PRIMARY KEY (job_id, token))";
  }

  private static synchronized HikariDataSource pool() {
    if (pool == null) {
      HikariConfig c = new HikariConfig();
      c.setPoolName("fault-attempt-log");
      c.setJdbcUrl(System.getProperty(URL));
      c.setUsername(System.getProperty(USER));
      c.setPassword(System.getProperty(PASSWORD, ""));
      c.setMaximumPoolSize(8);
      c.setMinimumIdle(1);
      c.setConnectionTimeout(1000);
      c.setValidationTimeout(500);
      c.setInitializationFailTimeout(-1);
      c.addDataSourceProperty("connectTimeout", "1000");
      c.addDataSourceProperty("socketTimeout", "5000");
      pool = new HikariDataSource(c);
    }
    return pool;
  }

  private static String table() {
    return "`" + System.getProperty(TABLE) + "`";
  }

  /**
   * Records that an attempt starts its work; waits while the database is down, but throws {@link
   * io.jobengine.JobStoppedException} as soon as the engine asks the attempt to stop.
   */
  static Attempt begin(JobContext ctx) {
    insertWhileTheDatabaseIsDown(
        ctx,
        "INSERT INTO " + table() + " (job_id, token, attempt, node, pid, started_at)"
            + " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
        "Could not record the start of an attempt");
    return new Attempt(ctx);
  }

  /**
   * Records an attempt that did its (empty) work at once: one INSERT, started and ended now. An
   * attempt killed before it leaves no record, and did nothing.
   */
  static void instant(JobContext ctx) {
    insertWhileTheDatabaseIsDown(
        ctx,
        "INSERT INTO " + table() + " (job_id, token, attempt, node, pid, started_at, ended_at,"
            + " outcome) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 'ok')",
        "Could not record an attempt");
  }

  /**
   * Runs an attempt-record INSERT, again while the database is down, until it gives up. A failed
   * INSERT may still have landed (the connection broke after the server had it), so when the
   * engine stops the attempt after such a failure, the record is closed as stopped, with the
   * engine's reason, before the stop is passed on: otherwise a record that did land would stay
   * open, and look like an attempt still running when the next one started.
   */
  private static void insertWhileTheDatabaseIsDown(JobContext ctx, String sql, String failure) {
    long giveUp = System.nanoTime() + GIVE_UP.toNanos();
    boolean unsure = false;
    while (true) {
      try {
        ctx.checkpoint();
      } catch (JobStoppedException e) {
        if (unsure) {
          new Attempt(ctx).end("stopped:" + e.reason(), e.reason() == JobStoppedException.Reason.LEASE_LOST);
        }
        throw e;
      }
      try (Connection c = pool().getConnection();
          PreparedStatement s = c.prepareStatement(sql)) {
        s.setBytes(1, ctx.jobId().toBytes());
        s.setLong(2, ctx.fencingToken());
        s.setInt(3, ctx.attempt());
        s.setString(4, ctx.nodeName());
        s.setLong(5, PID);
        s.executeUpdate();
        return;
      } catch (SQLException e) {
        if (System.nanoTime() - giveUp > 0) {
          throw new IllegalStateException(failure, e);
        }
        unsure = true;
        pause();
      }
    }
  }

  private static void pause() {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
  }

  /** One attempt's record. */
  static final class Attempt {
    private final JobContext ctx;

    private Attempt(JobContext ctx) {
      this.ctx = ctx;
    }

    /** Records how the attempt ended; keeps trying while the database is down. */
    void end(String outcome, boolean leaseLost) {
      long ended = System.nanoTime();
      boolean interrupted = Thread.interrupted();
      String sql =
          "UPDATE " + table() + " SET outcome = ?, lease_lost = ?,"
              + " ended_at = UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND"
              + " WHERE job_id = ? AND token = ?";
      long giveUp = ended + GIVE_UP.toNanos();
      try {
        while (true) {
          try (Connection c = pool().getConnection();
              PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, outcome);
            s.setInt(2, leaseLost ? 1 : 0);
            s.setLong(3, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - ended));
            s.setBytes(4, ctx.jobId().toBytes());
            s.setLong(5, ctx.fencingToken());
            s.executeUpdate();
            return;
          } catch (SQLException e) {
            if (System.nanoTime() - giveUp > 0) {
              throw new IllegalStateException("Could not record the end of an attempt", e);
            }
            pause();
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
