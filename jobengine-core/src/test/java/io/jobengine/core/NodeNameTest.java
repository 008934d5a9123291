package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobEngineException;
import io.jobengine.NodeInfo;
import io.jobengine.spi.HeartbeatResult;
import io.jobengine.spi.NodeRegistration;
import io.jobengine.testing.InMemoryJobStore;
import io.jobengine.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One node name is one engine (issue 9, defect 9): a second engine under the name of a live one is
 * refused, and a restart after a crash takes the name over once the old heartbeat has gone stale.
 * The store's clock is a {@link SettableClock}, so "stale" is the test's decision.
 */
class NodeNameTest {
  private static final Duration LEASE = Duration.ofSeconds(3);

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SwitchableStore store =
      new SwitchableStore(InMemoryJobStore.builder().clock(clock).build());
  private final List<JobEngine> engines = new ArrayList<>();

  @AfterEach
  void stopEngines() {
    engines.forEach(JobEngine::close);
  }

  private JobEngine.Builder builder(String name) {
    return JobEngine.builder()
        .store(store)
        .nodeName(name)
        .discoverHandlers(false)
        .handler(new DiscoveredHandler())
        .leaseDuration(LEASE)
        .pollInterval(Duration.ofMillis(50));
  }

  private JobEngine start(JobEngine.Builder builder) {
    JobEngine engine = builder.start();
    engines.add(engine);
    return engine;
  }

  private NodeInfo node(String name) {
    return store.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void a_second_engine_with_the_same_name_is_refused_while_the_first_runs() {
    start(builder("worker01"));
    NodeInfo first = node("worker01");

    assertThatThrownBy(() -> start(builder("worker01")))
        .isInstanceOf(JobEngineException.class)
        .hasMessageContaining("Node name 'worker01' is in use by another live engine")
        .hasMessageContaining("host " + first.host())
        .hasMessageContaining("pid " + first.pid())
        .hasMessageContaining("its own node name");

    assertThat(store.nodes()).hasSize(1);
    assertThat(node("worker01").startedAt()).isEqualTo(first.startedAt());
  }

  @Test
  void an_engine_restarted_after_a_crash_takes_the_name_over_once_the_old_heartbeat_is_stale()
      throws Exception {
    // What a worker killed with kill -9 leaves behind: its row, alive until its lease passes.
    store.registerNode(
        new NodeRegistration(
            "worker01", "crashed-instance", "old-host", 999_999, Map.of("default", 1), LEASE));
    int before = store.registrations();

    CompletableFuture<JobEngine> restarted =
        CompletableFuture.supplyAsync(() -> start(builder("worker01")));
    Await.untilTrue("the restarted engine to find the name held", () -> store.registrations() > before);
    assertThat(restarted).isNotDone();

    clock.advance(LEASE.plusSeconds(1));

    JobEngine engine = restarted.get(10, TimeUnit.SECONDS);
    NodeInfo node = node("worker01");
    assertThat(node.state()).isEqualTo(NodeInfo.State.ALIVE);
    assertThat(node.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(node.host()).isNotEqualTo("old-host");
    // The crashed process, should it come back, can no longer write the row.
    assertThat(store.nodeHeartbeat("worker01", "crashed-instance", 0))
        .isEqualTo(HeartbeatResult.NOT_OWNER);
    assertThat(engine.nodeName()).isEqualTo("worker01");
  }

  @Test
  void a_node_stopped_cleanly_hands_its_name_to_the_next_start_at_once() {
    JobEngine first = start(builder("worker01"));
    first.close();

    start(builder("worker01"));

    assertThat(node("worker01").state()).isEqualTo(NodeInfo.State.ALIVE);
  }

  @Test
  void an_engine_whose_name_was_taken_over_leaves_the_new_owners_row_alone() {
    start(builder("worker01"));
    clock.advance(LEASE.plusSeconds(1));
    store.registerNode(
        new NodeRegistration(
            "worker01", "other-instance", "other-host", 4242, Map.of("default", 1), LEASE));

    // Its next heartbeat is refused: the node is no longer healthy, and its deregistration at
    // close leaves the new owner's row alone.
    engines.get(0).close();
    assertThat(node("worker01").state()).isEqualTo(NodeInfo.State.ALIVE);
    assertThat(node("worker01").pid()).isEqualTo(4242);
  }
}
