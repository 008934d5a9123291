package io.jobengine.mysql;

import io.jobengine.JobId;
import io.jobengine.StoreDataException;
import io.jobengine.StoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Turns a database failure into a {@link StoreException} whose message names the operation, the
 * job (if there is one), and what to do. A failure caused by the data of a row (see {@link
 * #isDataFailure}) becomes a {@link StoreDataException}, so that the engine splits the batch
 * rather than retry it whole. Messages never contain payloads: the driver's messages
 * hold no bound values, and jOOQ's hold SQL with {@code ?} placeholders only.
 */
final class StoreErrors {

  static final int ER_DUP_ENTRY = 1062;
  static final int ER_LOCK_WAIT_TIMEOUT = 1205;
  static final int ER_LOCK_DEADLOCK = 1213;
  static final int ER_NO_SUCH_TABLE = 1146;
  static final int ER_BAD_FIELD_ERROR = 1054;
  static final int ER_TABLEACCESS_DENIED = 1142;
  static final int ER_COLUMNACCESS_DENIED = 1143;
  static final int ER_DBACCESS_DENIED = 1044;
  static final int ER_ACCESS_DENIED = 1045;
  static final int ER_SPECIFIC_ACCESS_DENIED = 1227;
  static final int ER_PROCACCESS_DENIED = 1370;

  // The data of a row, not the statement or the connection: the same write fails the same way.
  static final int ER_BAD_NULL_ERROR = 1048;
  static final int ER_NET_PACKET_TOO_LARGE = 1153;
  static final int ER_WARN_DATA_OUT_OF_RANGE = 1264;
  static final int WARN_DATA_TRUNCATED = 1265;
  static final int ER_TRUNCATED_WRONG_VALUE = 1292;
  static final int ER_WARN_ALLOWED_PACKET_OVERFLOWED = 1301;
  static final int ER_TRUNCATED_WRONG_VALUE_FOR_FIELD = 1366;
  static final int ER_DATA_TOO_LONG = 1406;
  static final int ER_INVALID_JSON_TEXT = 3140;
  static final int ER_CHECK_CONSTRAINT_VIOLATED = 3819;
  static final int ER_CONSTRAINT_FAILED = 4025;

  /** What the store needs of its database user, for privilege errors. */
  static final String PRIVILEGES_NEEDED =
      "The store needs SELECT, INSERT, UPDATE and DELETE on its tables, and CREATE, ALTER, INDEX"
          + " and DROP as well when automatic migration is on (see docs/mysql-schema.md)";

  private StoreErrors() {}

  /** The first {@link SQLException} in the cause chain, or null. */
  static SQLException sqlException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException e) {
        return e;
      }
    }
    return null;
  }

  /** The MySQL error number of the failure, or 0. */
  static int errorCode(Throwable t) {
    SQLException e = sqlException(t);
    return e == null ? 0 : e.getErrorCode();
  }

  /** Whether the failure is a deadlock or a lock-wait timeout: retry the whole transaction. */
  static boolean isRetryableConflict(Throwable t) {
    int code = errorCode(t);
    return code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT;
  }

  static boolean isDuplicateKey(Throwable t) {
    return errorCode(t) == ER_DUP_ENTRY;
  }

  /** Whether the connection broke or none could be had. */
  static boolean isConnectionFailure(Throwable t) {
    SQLException e = sqlException(t);
    if (e == null) {
      return false;
    }
    String state = e.getSQLState();
    return (state != null && state.startsWith("08")) || e instanceof SQLTransientConnectionException;
  }

  /**
   * Whether the database refused the data of a row: a statement larger than {@code
   * max_allowed_packet} (refused by Connector/J before sending, or by the server, which then drops
   * the connection), a value too long or out of range for its column, or one it cannot take.
   * Retrying the same write cannot help; a batch may succeed without the row.
   */
  static boolean isDataFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof com.mysql.cj.jdbc.exceptions.PacketTooBigException
          || c instanceof com.mysql.cj.exceptions.CJPacketTooBigException) {
        return true;
      }
    }
    return switch (errorCode(t)) {
      case ER_BAD_NULL_ERROR, ER_NET_PACKET_TOO_LARGE, ER_WARN_DATA_OUT_OF_RANGE,
          WARN_DATA_TRUNCATED, ER_TRUNCATED_WRONG_VALUE, ER_WARN_ALLOWED_PACKET_OVERFLOWED,
          ER_TRUNCATED_WRONG_VALUE_FOR_FIELD, ER_DATA_TOO_LONG, ER_INVALID_JSON_TEXT,
          ER_CHECK_CONSTRAINT_VIOLATED, ER_CONSTRAINT_FAILED -> true;
      default -> false;
    };
  }

  static boolean isPrivilegeFailure(Throwable t) {
    return switch (errorCode(t)) {
      case ER_TABLEACCESS_DENIED, ER_COLUMNACCESS_DENIED, ER_DBACCESS_DENIED, ER_ACCESS_DENIED,
          ER_SPECIFIC_ACCESS_DENIED, ER_PROCACCESS_DENIED -> true;
      default -> false;
    };
  }

  /**
   * The exception for a failed operation.
   *
   * @param operation what the store was doing, for example "claim jobs of queue 'mail'"
   * @param jobId the job concerned, or null
   * @param attempts how many times the transaction ran
   */
  static StoreException translate(String operation, JobId jobId, Throwable failure, int attempts) {
    if (failure instanceof StoreException e) {
      return e;
    }
    String what = "MySqlJobStore could not " + operation + (jobId == null ? "" : " (job " + jobId + ")");
    SQLException sql = sqlException(failure);
    String detail = sql == null ? String.valueOf(failure.getMessage()) : describe(sql);
    String message;
    if (isDataFailure(failure)) {
      // Before the connection check: the server answers a too-large packet with 1153, SQLState
      // 08S01, and drops the connection, but nothing of the statement was run.
      return new StoreDataException(
          what + ": the database refused the data (" + detail + "); nothing was written, and"
              + " writing the same data again fails the same way", failure);
    }
    if (isRetryableConflict(failure)) {
      message =
          what + ": " + detail + ", still after " + attempts + " attempts of the whole"
              + " transaction; nothing was written. The caller may try again later.";
    } else if (isConnectionFailure(failure)) {
      message =
          what + ": the connection to the database failed or none could be had (" + detail + ")."
              + " The outcome of a write in flight is unknown; the next call takes a fresh"
              + " connection from the pool.";
    } else if (isPrivilegeFailure(failure)) {
      message = what + ": the database user lacks a privilege (" + detail + "). " + PRIVILEGES_NEEDED;
    } else if (errorCode(failure) == ER_NO_SUCH_TABLE || errorCode(failure) == ER_BAD_FIELD_ERROR) {
      message =
          what + ": " + detail + ". The store's schema is missing or was changed by hand;"
              + " turn on automatic migration or apply the SQL in docs/mysql-schema.md";
    } else {
      message = what + ": " + detail;
    }
    return new StoreException(message, failure);
  }

  private static String describe(SQLException e) {
    return "MySQL error " + e.getErrorCode() + ", SQLState " + e.getSQLState() + ": " + e.getMessage();
  }
}
