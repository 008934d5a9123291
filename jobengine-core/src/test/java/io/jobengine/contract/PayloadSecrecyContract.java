package io.jobengine.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobStatus;
import io.jobengine.core.JobEngine;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9, defect 4: a payload that does not fit its handler's type fails the job without its
 * values reaching the stored error or any log line. Run through an engine over each store, since
 * the error travels from the codec through the engine into the store and the log.
 *
 * <p>Each case stores a payload holding a marker where the handler's type cannot take it, runs
 * it, and looks for the marker in {@link JobInfo#lastError()} and in every log line (message, MDC,
 * exceptions with their causes).
 */
public abstract class PayloadSecrecyContract {

  /** The marker a leak would show. */
  protected static final String SECRET = "s3cr3t-m4rk3r";

  private static final String TYPE = "secrecy";

  /** The handler's payload type, with a field of each kind the cases break. */
  public record Order(int count, Color color, Address address, Instant at, String code) {
    /**
     * Rejects a code without the {@code ok-} prefix, quoting it, as validating constructors do.
     */
    public Order {
      if (code != null && !code.startsWith("ok-")) {
        throw new IllegalArgumentException("bad code " + code);
      }
    }
  }

  /** An enum field. */
  public enum Color {
    /** Red. */
    RED,
    /** Green. */
    GREEN
  }

  /** A nested object. */
  public record Address(String street) {}

  /**
   * The store the engine runs on: empty, for each test.
   *
   * @return the store
   */
  protected abstract JobStore store();

  static Stream<Arguments> mismatches() {
    String longNumber = "9".repeat(1500);
    return Stream.of(
        Arguments.of("wrong scalar type", "{\"count\":\"" + SECRET + "\"}", SECRET, "$.count"),
        Arguments.of("unknown enum constant", "{\"color\":\"" + SECRET + "\"}", SECRET, "$.color"),
        Arguments.of("malformed JSON", "{\"count\": " + SECRET + "}", SECRET, "line 1"),
        Arguments.of(
            "string where an object is expected",
            "{\"address\":\"" + SECRET + "\"}", SECRET, "$.address"),
        Arguments.of("number out of range", "{\"count\":98765432109876}", "98765432109876", "int"),
        Arguments.of(
            "invalid value for a type", "{\"at\":\"" + SECRET + "\"}", SECRET, "$.at"),
        Arguments.of(
            "value the constructor rejects", "{\"code\":\"" + SECRET + "\"}", SECRET, "constructor"),
        Arguments.of(
            "number longer than the reader allows",
            "{\"count\":" + longNumber + "}", longNumber.substring(0, 30), "longer"),
        Arguments.of(
            "object where a number is expected",
            "{\"count\":{\"" + SECRET + "\":\"" + SECRET + "\"}}", SECRET, "$.count"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mismatches")
  void a_payload_that_does_not_fit_fails_without_its_values_in_the_error_or_the_log(
      String kind, String json, String marker, String hint) {
    JobStore store = store();
    JobId id = JobId.generate();
    try (LogCapture log = new LogCapture()) {
      JobEngine engine =
          JobEngine.builder()
              .store(store)
              .nodeName("secrecy-node")
              .discoverHandlers(false)
              .pollInterval(Duration.ofMillis(50))
              .handler(JobHandler.of(TYPE, Order.class, (order, ctx) -> {}))
              .start();
      try {
        store.enqueue(
            List.of(
                new NewJob(
                    id, TYPE, "default", 0, json, null, Duration.ZERO, 3, null, null)));
        JobInfo job = awaitEnd(store, id);

        assertThat(job.status()).as(kind).isEqualTo(JobStatus.FAILURE);
        assertThat(job.attempt()).as("no retry of an undecodable payload").isEqualTo(1);
        assertThat(job.lastError())
            .as("the stored error says what and where")
            .contains(Order.class.getName())
            .contains(hint)
            .doesNotContain(marker);
      } finally {
        engine.close();
      }
      assertThat(log.lines()).as("log lines").isNotEmpty().noneMatch(line -> line.contains(marker));
    }
  }

  private static JobInfo awaitEnd(JobStore store, JobId id) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      Optional<JobInfo> job = store.get(id);
      if (job.isPresent() && job.get().status().isTerminal()) {
        return job.get();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("Job " + id + " did not end within 20 s: " + job.map(JobInfo::status));
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }
}
