package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.zaxxer.hikari.HikariDataSource;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.NewJob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A session in another time zone, and a driver told so, change nothing: times are DATETIME(6) in
 * UTC from UTC_TIMESTAMP(6), and instants from the JVM are bound as epoch microseconds.
 */
class TimeZoneTest {

  private static String prefix;
  private static HikariDataSource plusFive;
  private static MySqlJobStore store;

  @BeforeAll
  static void start() {
    prefix = TestDatabase.uniquePrefix("tz");
    plusFive =
        TestDatabase.pool(
            4, "SET time_zone = '+05:00'",
            "connectionTimeZone", "+05:00",
            "forceConnectionTimeZoneToSession", "true",
            "preserveInstants", "true");
    store = MySqlJobStore.builder().dataSource(plusFive).tablePrefix(prefix).build();
  }

  @AfterAll
  static void stop() {
    store.close();
    plusFive.close();
  }

  @Test
  void the_session_really_runs_in_another_zone() throws Exception {
    try (Connection c = plusFive.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())")) {
      rs.next();
      assertThat(rs.getInt(1)).isBetween(299, 301);
    }
  }

  @Test
  void run_times_round_trip_exactly_and_store_times_are_utc() {
    Instant runAt = Instant.parse("2031-05-06T07:08:09.123456Z");
    NewJob job =
        new NewJob(JobId.generate(), "t", "tz", 0, "{}", runAt, Duration.ZERO, 3, null, null);
    store.enqueue(List.of(job));

    JobInfo info = store.get(job.id()).orElseThrow();
    assertThat(info.runAt()).isEqualTo(runAt);
    assertThat(info.createdAt()).isCloseTo(Instant.now(), within(30, ChronoUnit.SECONDS));
    assertThat(store.claim(claim())).isEmpty();
  }

  @Test
  void a_job_due_now_is_claimable_and_its_lease_runs_from_utc_now() {
    NewJob job =
        new NewJob(JobId.generate(), "t", "tz", 0, "{}", null, Duration.ZERO, 3, null, null);
    store.enqueue(List.of(job));
    assertThat(store.claim(claim())).hasSize(1);
    JobInfo info = store.get(job.id()).orElseThrow();
    assertThat(info.leaseExpiresAt())
        .isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(30, ChronoUnit.SECONDS));
    assertThat(store.reapExpiredLeases()).isZero();
  }

  private static ClaimRequest claim() {
    return new ClaimRequest("node-tz", "tz", Set.of("t"), 10, Duration.ofMinutes(1));
  }
}
