package io.jobengine.mysql;

import io.jobengine.JobId;
import io.jobengine.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that builds {@link DSLContext}s and runs transactions.
 *
 * <p>A transaction is a lambda given a {@link DSLContext} on one connection, with autocommit off,
 * at READ COMMITTED. It commits when the lambda returns and rolls back when it throws (an explicit
 * rollback: after a lock-wait timeout MySQL rolls back only the statement, not the transaction).
 * Deadlocks (1213) and lock-wait timeouts (1205) run the whole lambda again, at most {@link
 * #MAX_ATTEMPTS} times, after a short random pause that grows with each attempt, so that the
 * transactions that collided do not collide again in step. Every other failure is thrown at once
 * as a {@link io.jobengine.StoreException}; a broken connection is thrown away by the pool and the
 * next call gets a fresh one.
 */
final class Db {

  private static final Logger log = LoggerFactory.getLogger(Db.class);

  /** How many times a transaction runs at most when it keeps deadlocking. */
  static final int MAX_ATTEMPTS = 5;

  /** The first pause before running a deadlocked transaction again; doubles with each attempt. */
  static final Duration FIRST_BACKOFF = Duration.ofMillis(5);

  private final DataSource dataSource;
  /** The store's own autocommit pool for single statements, or null with a host DataSource. */
  private final DataSource singles;
  private final ServerCheck.ServerVersion server;
  private final SQLDialect dialect;
  private final Settings settings;
  /** True for a host's DataSource, whose sessions may not be at READ COMMITTED. */
  private final boolean setIsolationPerTransaction;
  private final SessionIds sessionIds = new SessionIds();

  Db(
      DataSource dataSource, DataSource singles, ServerCheck.ServerVersion server,
      boolean setIsolationPerTransaction) {
    this.dataSource = dataSource;
    this.singles = singles;
    this.server = server;
    this.dialect = server.dialect();
    this.setIsolationPerTransaction = setIsolationPerTransaction;
    this.settings = settings();
  }

  /**
   * The store's jOOQ settings. Execute logging is off because jOOQ's debug log prints bind values,
   * and a bind value may be a payload: payloads are never logged. The jOOQ logo and tips are the
   * host's business (system properties {@code org.jooq.no-logo}, {@code org.jooq.no-tips}); a
   * library sets no system properties.
   */
  static Settings settings() {
    return new Settings()
        .withRenderSchema(false)
        .withRenderCatalog(false)
        .withExecuteLogging(false)
        .withExecuteLoggingSQLExceptions(false)
        .withDiagnosticsLogging(false)
        .withFetchWarnings(false)
        .withExecuteWithOptimisticLocking(false);
  }

  SQLDialect dialect() {
    return dialect;
  }

  DataSource dataSource() {
    return dataSource;
  }

  /**
   * A context on a connection the caller manages (commit, close). jOOQ gets the connection through
   * {@link VersionReportingConnection}, so that its check of the server version sees the version
   * the store read, not the driver's (which made it warn at every start on MariaDB).
   */
  DSLContext using(Connection connection) {
    return DSL.using(VersionReportingConnection.wrap(connection, server), dialect, settings);
  }

  /**
   * Runs {@code work} in a READ COMMITTED transaction, again after a deadlock or lock-wait timeout.
   *
   * @param operation what is being done, for error messages ("claim jobs of queue 'mail'")
   * @param jobId the job concerned, for error messages, or null
   * @throws StoreException if it failed for good; then nothing was written
   */
  <T> T inTransaction(String operation, JobId jobId, Function<DSLContext, T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return runOnce(work);
      } catch (RuntimeException | SQLException e) {
        if (StoreErrors.isRetryableConflict(e) && attempt < MAX_ATTEMPTS) {
          log.debug("{} (attempt {}) ran into MySQL error {}; running it again",
              operation, attempt, StoreErrors.errorCode(e));
          pause(attempt, operation, jobId);
          continue;
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
          throw (RuntimeException) e;
        }
        if (e instanceof CommitOutcome.UnknownException unknown) {
          throw new CommitOutcome.UnknownException(
              "MySqlJobStore could not " + operation + (jobId == null ? "" : " (job " + jobId + ")")
                  + ": " + unknown.getMessage(), unknown.getCause(), unknown.sessionId());
        }
        throw StoreErrors.translate(operation, jobId, e, attempt);
      }
    }
  }

  /**
   * Runs one statement on its own, in autocommit, again after a deadlock or lock-wait timeout: a
   * commit without the three statements that open and close a transaction (autocommit off,
   * COMMIT, autocommit on). For single-statement writes and reads only (a node heartbeat, the
   * reaper, the idle probe). A host DataSource, whose sessions may not be at READ COMMITTED or in
   * autocommit, gets a transaction as usual.
   *
   * @param operation what is being done, for error messages
   * @param jobId the job concerned, for error messages, or null
   * @throws StoreException if it failed for good
   */
  <T> T single(String operation, JobId jobId, Function<DSLContext, T> work) {
    if (setIsolationPerTransaction || singles == null) {
      return inTransaction(operation, jobId, work);
    }
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = singles.getConnection()) {
        if (!connection.getAutoCommit()) {
          return inTransaction(operation, jobId, work);
        }
        return work.apply(using(connection));
      } catch (RuntimeException | SQLException e) {
        if (StoreErrors.isRetryableConflict(e) && attempt < MAX_ATTEMPTS) {
          log.debug("{} (attempt {}) ran into MySQL error {}; running it again",
              operation, attempt, StoreErrors.errorCode(e));
          pause(attempt, operation, jobId);
          continue;
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
          throw (RuntimeException) e;
        }
        throw StoreErrors.translate(operation, jobId, e, attempt);
      }
    }
  }

  private <T> T runOnce(Function<DSLContext, T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      if (autoCommit) {
        connection.setAutoCommit(false);
      }
      try {
        if (setIsolationPerTransaction) {
          try (Statement s = connection.createStatement()) {
            // Applies to the next transaction only, so the host's session keeps its own level.
            s.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
          }
        }
        // Known before the COMMIT, for the case that the connection breaks during it.
        long sessionId = sessionIds.of(connection);
        T result = work.apply(using(connection));
        try {
          connection.commit();
        } catch (SQLException e) {
          if (StoreErrors.isConnectionFailure(e)) {
            // The server may have committed before the connection broke: nobody knows yet.
            throw new CommitOutcome.UnknownException(
                "The connection broke during COMMIT; whether the transaction was committed is"
                    + " unknown (" + e.getMessage() + ")", e, sessionId);
          }
          throw e;
        }
        return result;
      } catch (Throwable t) {
        rollback(connection, t);
        throw t;
      } finally {
        if (autoCommit) {
          restoreAutoCommit(connection);
        }
      }
    }
  }

  private static void rollback(Connection connection, Throwable cause) {
    try {
      connection.rollback();
    } catch (SQLException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private static void restoreAutoCommit(Connection connection) {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      // The connection is broken; the pool will find out and discard it.
      log.debug("Could not restore autocommit on a connection: {}", e.toString());
    }
  }

  /**
   * A random pause between half and all of 5 ms * 2^(attempt-1) ("equal jitter"): growing, so a
   * hot row gets room, and random, so the transactions that collided drift apart.
   */
  private static void pause(int attempt, String operation, JobId jobId) {
    long maxMicros = FIRST_BACKOFF.toNanos() / 1000 << (attempt - 1);
    long micros = ThreadLocalRandom.current().nextLong(maxMicros / 2, maxMicros + 1);
    try {
      Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(
          "Interrupted while waiting to run '" + operation + "' again after a deadlock"
              + (jobId == null ? "" : " (job " + jobId + ")") + "; nothing was written", e);
    }
  }
}
