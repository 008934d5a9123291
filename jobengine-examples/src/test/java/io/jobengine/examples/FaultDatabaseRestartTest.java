package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.examples.Cluster.Worker;
import io.jobengine.testservers.PrivateServer;
import io.jobengine.testservers.ServerKind;
import io.jobengine.testservers.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database crashes (kill -9 of the server) in the middle of a run and comes back after more
 * than a lease. On a private server that the test starts, since restarting a shared one would
 * break everyone else's work on it: of the kind the system property {@code jobengine.test.server}
 * names, else the machine's MariaDB.
 */
class FaultDatabaseRestartTest {
  private PrivateServer server;
  private Cluster cluster;

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  @Test
  void every_engine_survives_a_database_crash_and_restart_and_finishes_the_work() {
    String name = System.getProperty(TestServers.PROPERTY, "local").trim();
    ServerKind kind = name.isEmpty() || name.equalsIgnoreCase("local")
        ? ServerKind.MARIADB_10_11 : ServerKind.ofPropertyName(name);
    assumeThat(PrivateServer.available(kind))
        .as("needs %s on this machine to run a server it may restart", kind)
        .isTrue();
    server = closer.add(PrivateServer.start(kind));
    cluster = closer.add(Cluster.create("dbrestart", FaultDatabase.of(server)));
    List<Worker> workers =
        cluster.startAll(List.of("dbr-w1", "dbr-w2", "dbr-w3"), "--queues", "default:4");
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < 90; i++) {
      requests.add(
          JobRequest.builder("fault-sleep").payload(new FaultHandlers.Nap(500, true))
              .maxAttempts(10).build());
    }
    List<JobId> ids = cluster.enqueue(requests);
    Cluster.await("a third of the jobs to end", Duration.ofSeconds(60),
        () -> cluster.unfinished() <= 60 ? Boolean.TRUE : null);

    long crashedAt = System.nanoTime();
    server.crash();
    // Down for longer than a lease: every engine notices, stops claiming, and stops its own
    // handlers at its local lease deadline.
    Cluster.await("every engine to notice the outage and stop claiming", Duration.ofSeconds(60),
        () -> workers.stream().allMatch(w -> w.logText().contains("claiming no new jobs"))
            && System.nanoTime() - crashedAt > Cluster.LEASE.multipliedBy(2).toNanos()
            ? Boolean.TRUE : null);
    Duration down = Duration.ofNanos(System.nanoTime() - crashedAt);
    long restartedAt = System.nanoTime();
    server.startServer();
    Cluster.await("every engine to claim jobs again", Duration.ofSeconds(60),
        () -> workers.stream().allMatch(w -> w.logText().contains("claims jobs again"))
            ? Boolean.TRUE : null);
    Duration resumed = Duration.ofNanos(System.nanoTime() - restartedAt);
    Duration drained = cluster.awaitAllEnded(Duration.ofSeconds(90));
    System.out.printf(
        "[fault] database crashed and down for %s: engines claim again %s after the restart, all"
            + " done %s after that%n",
        Cluster.millis(down), Cluster.millis(resumed),
        Cluster.millis(resumed.plus(drained)));

    assertThat(workers).allSatisfy(w -> assertThat(w.alive()).as("%s survived", w.node).isTrue());
    cluster.assertInvariants(ids.size());
    assertThat(cluster.count(cluster.table("job") + " WHERE status = 'SUCCESS'")).isEqualTo(ids.size());
  }
}
