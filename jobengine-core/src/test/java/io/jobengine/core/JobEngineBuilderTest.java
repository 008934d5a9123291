package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobHandler;
import io.jobengine.testing.InMemoryJobStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobEngineBuilderTest {

  private final InMemoryJobStore store = InMemoryJobStore.create();

  @Test
  void zero_threads_is_rejected_naming_the_queue() {
    assertThatThrownBy(() -> JobEngine.builder().queue("mail", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Queue 'mail'")
        .hasMessageContaining("got 0");
  }

  @Test
  void an_invalid_queue_name_is_rejected_naming_it() {
    assertThatThrownBy(() -> JobEngine.builder().queue("no spaces", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'no spaces'");
  }

  @Test
  void a_queue_configured_twice_is_rejected() {
    assertThatThrownBy(() -> JobEngine.builder().queue("q", 2).queue("q", 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already configured with 2 threads");
  }

  @Test
  void two_handlers_for_one_type_are_rejected_naming_the_type() {
    JobEngine.Builder builder =
        JobEngine.builder()
            .store(store)
            .discoverHandlers(false)
            .handler(JobHandler.of("mail", String.class, (p, c) -> {}))
            .handler(JobHandler.of("mail", String.class, (p, c) -> {}));
    assertThatThrownBy(builder::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Two handlers for job type 'mail'");
  }

  @Test
  void a_missing_store_or_missing_handlers_are_explained() {
    assertThatThrownBy(() -> JobEngine.builder().discoverHandlers(false).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No store");
    assertThatThrownBy(() -> JobEngine.builder().store(store).discoverHandlers(false).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No job handlers");
  }

  @Test
  void a_lease_shorter_than_three_heartbeats_is_rejected() {
    JobEngine.Builder builder =
        JobEngine.builder()
            .store(store)
            .discoverHandlers(false)
            .handler(JobHandler.of("t", String.class, (p, c) -> {}))
            .leaseDuration(Duration.ofSeconds(10))
            .heartbeatInterval(Duration.ofSeconds(5));
    assertThatThrownBy(builder::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least 3 heartbeats")
        .hasMessageContaining("PT5S");
  }

  @Test
  void durations_out_of_range_are_rejected_naming_them() {
    assertThatThrownBy(() -> JobEngine.builder().leaseDuration(Duration.ofMillis(5)))
        .hasMessageContaining("PT0.005S");
    assertThatThrownBy(() -> JobEngine.builder().pollInterval(Duration.ofMinutes(5)))
        .hasMessageContaining("PT5M");
    assertThatThrownBy(() -> JobEngine.builder().shutdownGrace(Duration.ofSeconds(-1)))
        .hasMessageContaining("PT-1S");
  }

  @Test
  void the_default_configuration_serves_the_default_queue() {
    EngineConfig config = JobEngine.builder().store(store).config();
    assertThat(config.queues()).containsEntry("default", JobEngine.Builder.DEFAULT_THREADS);
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.nodeName()).matches(io.jobengine.JobNames.NODE.pattern());
  }

  @Test
  void handlers_listed_for_the_service_loader_are_discovered() {
    try (JobEngine engine = JobEngine.builder().store(store).nodeName("discovery").start()) {
      io.jobengine.JobId id =
          engine.client().enqueue(io.jobengine.JobRequest.of(DiscoveredHandler.TYPE, "hi"));
      io.jobengine.JobInfo job =
          Await.until(
              "the discovered handler to run the job",
              () -> store.get(id).filter(j -> j.status().isTerminal()).orElse(null));
      assertThat(job.status()).isEqualTo(io.jobengine.JobStatus.SUCCESS);
    }
  }
}
