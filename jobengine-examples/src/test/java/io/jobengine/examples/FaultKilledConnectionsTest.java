package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.examples.Cluster.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KILL of the engines' connections from SQL, again and again, while they work. The engines connect
 * as a user of their own so that the test kills their connections and nobody else's.
 */
class FaultKilledConnectionsTest {
  static final String USER = "jobengine_fault";
  static final String PASSWORD = "fault-only-pw";
  static final int KILL_ROUNDS = 6;

  private Cluster cluster;

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  @Test
  void engines_whose_connections_are_killed_mid_run_carry_on_and_finish_every_job() {
    FaultDatabase root = FaultDatabase.get();
    String database = (String) root.rows("SELECT DATABASE()").get(0).get(0);
    try {
      root.execute(
          "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
          "GRANT ALL ON `" + database + "`.* TO '" + USER + "'@'%'");
    } catch (IllegalStateException e) {
      assumeThat(false).as("the test user cannot create a user of its own for the engines: %s", e.getMessage()).isTrue();
    }
    cluster = closer.add(Cluster.create("kconn", root, root.as(USER, PASSWORD)));
    List<Worker> workers =
        cluster.startAll(List.of("kconn-w1", "kconn-w2", "kconn-w3"), "--queues", "default:6");
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      requests.add(
          JobRequest.builder("fault-sleep").payload(new FaultHandlers.Nap(200, true))
              .maxAttempts(10).build());
    }
    List<JobId> ids = cluster.enqueue(requests);
    Cluster.await("the first 50 jobs to end", Duration.ofSeconds(60),
        () -> cluster.unfinished() <= 550 ? Boolean.TRUE : null);

    long firstKill = System.nanoTime();
    int killed = 0;
    for (int round = 0; round < KILL_ROUNDS; round++) {
      for (List<Object> row :
          root.rows("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?", USER)) {
        try {
          root.execute("KILL " + ((Number) row.get(0)).longValue());
          killed++;
        } catch (IllegalStateException e) {
          // Gone already (it ended or was just killed): nothing to do.
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
    }
    long lastKill = System.nanoTime();
    long leftAtLastKill = cluster.unfinished();
    Duration drained = cluster.awaitAllEnded(Duration.ofSeconds(90));
    System.out.printf(
        "[fault] KILL of %d engine connections in %d rounds over %s (%d jobs left then): all done %s"
            + " after the last KILL%n",
        killed, KILL_ROUNDS, Cluster.millis(Duration.ofNanos(lastKill - firstKill)), leftAtLastKill,
        Cluster.millis(drained));

    assertThat(killed).as("connections killed").isPositive();
    assertThat(workers).allSatisfy(w -> assertThat(w.alive()).as("%s survived", w.node).isTrue());
    cluster.assertInvariants(ids.size());
    assertThat(cluster.count(cluster.table("job") + " WHERE status = 'SUCCESS'")).isEqualTo(ids.size());
  }
}
