package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.jobengine.testing.InMemoryJobStore;
import io.jobengine.CancelResult;
import io.jobengine.JobClient;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 12: the lines about a job's retry, failure, cancel and release are logged on the
 * outcome writer's thread (or shutdown's), not the worker's, and must still carry the job's id,
 * type and attempt in the MDC.
 */
class JobLogMdcTest {

  private final InMemoryJobStore store = InMemoryJobStore.create();
  private final LogCapture log = LogCapture.of("io.jobengine.core", Level.INFO);
  private final CountDownLatch release = new CountDownLatch(1);
  private JobEngine engine;

  @AfterEach
  void stop() {
    release.countDown();
    if (engine != null) {
      engine.close();
    }
    log.close();
  }

  private JobEngine start(JobHandler<?> handler, Duration shutdownGrace) {
    return start(handler, shutdownGrace, Duration.ofSeconds(30));
  }

  private JobEngine start(JobHandler<?> handler, Duration shutdownGrace, Duration lease) {
    engine =
        JobEngine.builder()
            .leaseDuration(lease)
            .store(store)
            .nodeName("node-1")
            .discoverHandlers(false)
            .pollInterval(Duration.ofMillis(20))
            .shutdownGrace(shutdownGrace)
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialDelay(Duration.ZERO).jitter(0).build())
            .handler(handler)
            .start();
    return engine;
  }

  private static Map<String, String> mdc(JobId id, String type, int attempt) {
    return Map.of(
        JobMdc.JOB_ID, id.toString(),
        JobMdc.JOB_TYPE, type,
        JobMdc.ATTEMPT, Integer.toString(attempt),
        JobMdc.NODE, "node-1");
  }

  private LogCapture.Line line(String text) {
    return Await.until("a log line containing '" + text + "'", () -> {
      List<LogCapture.Line> lines = log.containing(text);
      return lines.isEmpty() ? null : lines.get(0);
    });
  }

  @Test
  void the_retry_and_failure_lines_carry_the_job_and_its_attempt() {
    start(JobHandler.of("failing", String.class, (p, ctx) -> { throw new IllegalStateException("no"); }),
        Duration.ofSeconds(5));
    JobId id = engine.client().enqueue(JobRequest.of("failing", "x"));

    assertThat(line("failed and will be retried").mdc()).containsAllEntriesOf(mdc(id, "failing", 1));
    assertThat(line("failed for good").mdc()).containsAllEntriesOf(mdc(id, "failing", 2));
  }

  @Test
  void the_cancel_line_carries_the_job() {
    CountDownLatch started = new CountDownLatch(1);
    start(JobHandler.of("long", String.class, (p, ctx) -> {
      started.countDown();
      release.await();
    }), Duration.ofSeconds(5));
    JobId id = engine.client().enqueue(JobRequest.of("long", "x"));
    Await.untilTrue("the handler to start", () -> started.getCount() == 0);

    assertThat(engine.client().cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

    assertThat(line("was canceled").mdc()).containsAllEntriesOf(mdc(id, "long", 1));
    Await.untilTrue("the job to end", () -> store.get(id).orElseThrow().status() == JobStatus.CANCELED);
  }

  @Test
  void the_lease_keeper_line_of_a_cancel_from_another_process_carries_the_job() {
    CountDownLatch started = new CountDownLatch(1);
    start(JobHandler.of("long", String.class, (p, ctx) -> {
      started.countDown();
      release.await();
    }), Duration.ofSeconds(5), Duration.ofMillis(600));
    JobId id = engine.client().enqueue(JobRequest.of("long", "x"));
    Await.untilTrue("the handler to start", () -> started.getCount() == 0);

    // Not the engine's client: the node learns of the cancel from its next lease renewal.
    assertThat(JobClient.of(store).cancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);

    LogCapture.Line keeper = line("was canceled; stopping its handler");
    assertThat(keeper.logger()).isEqualTo(LeaseKeeper.class.getName());
    assertThat(keeper.mdc()).containsAllEntriesOf(mdc(id, "long", 1));
  }

  @Test
  void the_release_line_at_shutdown_carries_the_job() {
    CountDownLatch started = new CountDownLatch(1);
    start(JobHandler.of("forever", String.class, (p, ctx) -> {
      started.countDown();
      release.await();
    }), Duration.ofMillis(50));
    JobId id = engine.client().enqueue(JobRequest.of("forever", "x"));
    Await.untilTrue("the handler to start", () -> started.getCount() == 0);

    engine.close();

    assertThat(line("was released").mdc()).containsAllEntriesOf(mdc(id, "forever", 1));
  }

  @Test
  void every_line_naming_a_job_carries_that_job() {
    start(JobHandler.of("failing", String.class, (p, ctx) -> { throw new IllegalStateException("no"); }),
        Duration.ofSeconds(5));
    JobId id = engine.client().enqueue(JobRequest.of("failing", "x"));
    line("failed for good");

    assertThat(log.containing(id.toString()))
        .isNotEmpty()
        .allSatisfy(l -> assertThat(l.mdc()).containsEntry(JobMdc.JOB_ID, id.toString()));
  }
}
