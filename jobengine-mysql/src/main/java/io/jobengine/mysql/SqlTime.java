package io.jobengine.mysql;

import io.jobengine.JobRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Time in SQL. Every time the store writes is the database's {@code UTC_TIMESTAMP(6)}, plus a
 * duration bound as microseconds; the JVM clock decides nothing. Columns are {@code DATETIME(6)}
 * holding UTC: they carry no zone, so neither the session's {@code time_zone} nor Connector/J's
 * {@code connectionTimeZone} changes what is stored (unlike {@code NOW(6)} or {@code TIMESTAMP}
 * columns, which follow the session zone).
 *
 * <p>An instant from the JVM (a job's {@code runAt}) is bound as microseconds since the epoch and
 * turned into a DATETIME by the database, never bound as a date-time: Connector/J decides from the
 * server version whether to send fractional seconds, and MariaDB announces itself as {@code
 * 5.5.5-10.x}, older than MySQL 5.6.4's fractional seconds, so a bound date-time would silently
 * lose its microseconds there.
 *
 * <p>Times are read back the same way, as {@code TIMESTAMPDIFF(MICROSECOND, epoch, column)}: a
 * DATETIME read as a date-time is converted by Connector/J when {@code connectionTimeZone} differs
 * from the JVM's zone (with {@code preserveInstants}), and a host's DataSource may set that.
 *
 * <p>The templates below are the store's only plain-SQL fragments; they hold no values (numbers
 * are bind parameters).
 */
final class SqlTime {

  /** The earliest and latest instants a {@code DATETIME} column holds: a job's run time bounds. */
  static final Instant MIN = JobRequest.EARLIEST_RUN_AT;

  static final Instant MAX = JobRequest.LATEST_RUN_AT;

  private SqlTime() {}

  /** The database's current UTC time, to the microsecond. */
  static Field<LocalDateTime> now() {
    return DSL.field("utc_timestamp(6)", SQLDataType.LOCALDATETIME(6));
  }

  /** {@code time + duration}, computed by the database; the duration is bound in microseconds. */
  static Field<LocalDateTime> plus(Field<LocalDateTime> time, Duration duration) {
    return DSL.field(
        "date_add({0}, interval {1} microsecond)",
        SQLDataType.LOCALDATETIME(6), time, DSL.val(micros(duration)));
  }

  /** The database's current UTC time plus {@code duration}. */
  static Field<LocalDateTime> nowPlus(Duration duration) {
    return duration.isZero() ? now() : plus(now(), duration);
  }

  /**
   * An instant as a DATETIME(6) value computed by the database from bound epoch microseconds.
   *
   * @throws IllegalArgumentException if outside the years 1000 to 9999 that the column holds
   */
  static Field<LocalDateTime> at(Instant instant, String what) {
    requireStorable(instant, what);
    return atEpochMicros(epochMicros(instant));
  }

  /** An instant as whole microseconds since the epoch (the precision of DATETIME(6)), rounded down. */
  static long epochMicros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  /** A DATETIME(6) value computed by the database from bound microseconds since the epoch. */
  static Field<LocalDateTime> atEpochMicros(long micros) {
    return DSL.field(
        "date_add(timestamp '1970-01-01 00:00:00', interval {0} microsecond)",
        SQLDataType.LOCALDATETIME(6), DSL.val(micros));
  }

  /**
   * A duration in whole microseconds (the precision of {@code DATETIME(6)}), rounded down.
   *
   * @throws IllegalArgumentException if it does not fit in a long
   */
  static long micros(Duration duration) {
    try {
      return Math.addExact(
          Math.multiplyExact(duration.getSeconds(), 1_000_000L), duration.getNano() / 1_000);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("Duration too long for the store: " + duration, e);
    }
  }

  /** The duration of a number of microseconds, or null for null. */
  static Duration fromMicros(Long micros) {
    return micros == null ? null : Duration.of(micros, ChronoUnit.MICROS);
  }

  /**
   * Checks that an instant fits a DATETIME column.
   *
   * @throws IllegalArgumentException if outside the years 1000 to 9999 that the column holds
   */
  static void requireStorable(Instant instant, String what) {
    if (instant.isBefore(MIN) || instant.isAfter(MAX)) {
      throw new IllegalArgumentException(
          what + " " + instant + " is outside what MySQL's DATETIME holds (" + MIN + " to " + MAX
              + ")");
    }
  }

  /**
   * A DATETIME column read as microseconds since the epoch, named like the column: what every
   * query selects instead of the column itself.
   */
  static Field<Long> read(Field<LocalDateTime> column) {
    return read(column, column.getName());
  }

  /**
   * {@link #read(Field)} under another name. In a query that orders by the column, the alias must
   * differ from the column's name: MySQL would take {@code ORDER BY column} to mean the expression
   * and sort every row instead of reading an index in order.
   */
  static Field<Long> read(Field<LocalDateTime> column, String alias) {
    return DSL.field(
            "timestampdiff(microsecond, timestamp '1970-01-01 00:00:00', {0})",
            SQLDataType.BIGINT, column)
        .as(alias);
  }

  /** The instant of epoch microseconds read with {@link #read}, or null for null. */
  static Instant fromEpochMicros(Long micros) {
    return micros == null
        ? null
        : Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
