package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobEngineException;
import io.jobengine.NodeInfo;
import io.jobengine.core.JobEngine;
import io.jobengine.mysql.MySqlJobStore;
import io.jobengine.spi.HeartbeatResult;
import io.jobengine.spi.NodeRegistration;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One node name is one engine, on MySQL with the database's own clock (issue 9, defect 9): a
 * second engine under the name of a running one is refused, naming it; an engine restarted at once
 * after a kill -9 (its old row still alive) waits for the old heartbeat to go stale and takes the
 * name over.
 */
class NodeNameOnMySqlTest {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final String PREFIX = "nn_";

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  private final FaultDatabase db = FaultDatabase.get();

  @BeforeEach
  @AfterEach
  void dropTables() {
    db.execute(
        "DROP TABLE IF EXISTS `" + PREFIX + "job`, `" + PREFIX + "job_event`, `" + PREFIX
            + "node`, `" + PREFIX + "schema_version`");
  }

  private MySqlJobStore store() {
    return closer.add(
        MySqlJobStore.builder().jdbcUrl(db.url(), db.user(), db.password()).poolSize(2)
            .tablePrefix(PREFIX).build());
  }

  private JobEngine start(MySqlJobStore store, String name) {
    return closer.add(
        JobEngine.builder()
            .store(store)
            .nodeName(name)
            .queue("default", 1)
            .leaseDuration(LEASE)
            .pollInterval(Duration.ofMillis(200))
            .start());
  }

  private static NodeInfo node(MySqlJobStore store, String name) {
    return store.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void a_second_engine_with_the_name_of_a_running_one_is_refused_naming_it() {
    MySqlJobStore first = store();
    start(first, "nn-w1");
    NodeInfo running = node(first, "nn-w1");

    MySqlJobStore second = store();
    assertThatThrownBy(() -> start(second, "nn-w1"))
        .isInstanceOf(JobEngineException.class)
        .hasMessageContaining("Node name 'nn-w1' is in use by another live engine")
        .hasMessageContaining("host " + running.host())
        .hasMessageContaining("pid " + running.pid());

    NodeInfo after = node(first, "nn-w1");
    assertThat(after.startedAt()).isEqualTo(running.startedAt());
    assertThat(after.state()).isEqualTo(NodeInfo.State.ALIVE);
  }

  @Test
  void an_engine_restarted_right_after_a_kill_takes_its_name_over_once_the_old_row_is_stale() {
    MySqlJobStore store = store();
    // The row a worker killed with kill -9 a moment ago leaves: alive for one more lease.
    store.registerNode(
        new NodeRegistration("nn-w1", "killed-instance", "old-host", 999_999, Map.of("default", 1),
            LEASE));

    start(store, "nn-w1");

    NodeInfo node = node(store, "nn-w1");
    assertThat(node.state()).isEqualTo(NodeInfo.State.ALIVE);
    assertThat(node.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(store.nodeHeartbeat("nn-w1", "killed-instance", 0))
        .isEqualTo(HeartbeatResult.NOT_OWNER);
  }
}
