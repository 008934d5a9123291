package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.examples.Cluster.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SIGTERM of a worker whose jobs run longer than its shutdown grace. */
class FaultShutdownTest {
  private Cluster cluster;

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  @Test
  void sigterm_releases_long_jobs_which_another_node_picks_up_at_once_with_the_same_attempt() {
    cluster = closer.add(Cluster.create("term"));
    List<Worker> workers =
        cluster.startAll(List.of("term-w1", "term-w2"), "--queues", "default:4", "--grace", "1s");
    List<JobRequest> requests = FaultTests.naps(4, 5000);
    List<JobId> ids = cluster.enqueue(requests);
    Cluster.await("all jobs to run", Duration.ofSeconds(30),
        () -> cluster.count(cluster.table("attempt")) == ids.size() ? Boolean.TRUE : null);

    Worker victim = FaultTests.busiest(cluster, workers);
    Worker survivor = workers.get(0) == victim ? workers.get(1) : workers.get(0);
    List<JobId> victimJobs = FaultTests.jobsOf(cluster, victim.node, ids);
    long termAt = System.nanoTime();
    cluster.terminate(victim);

    Cluster.await("the released jobs to run on the other node", Duration.ofSeconds(30),
        () -> cluster.count(cluster.table("attempt") + " WHERE node = ? AND HEX(job_id) IN "
            + Cluster.hexIds(victimJobs), survivor.node) == victimJobs.size() ? Boolean.TRUE : null);
    Duration pickedUp = Duration.ofNanos(System.nanoTime() - termAt);
    int exit = victim.awaitExit(Duration.ofSeconds(30));
    cluster.awaitAllEnded(Duration.ofSeconds(30));
    Duration finished = Duration.ofNanos(System.nanoTime() - termAt);
    System.out.printf(
        "[fault] SIGTERM of %s holding %d job(s) (grace 1 s): picked up by %s after %s (lease %s),"
            + " all done %s after the signal%n",
        victim.node, victimJobs.size(), survivor.node, Cluster.millis(pickedUp),
        Cluster.millis(Cluster.LEASE), Cluster.millis(finished));

    assertThat(exit).as("exit code after SIGTERM with shutdown hooks").isEqualTo(143);
    cluster.assertInvariants(ids.size());
    assertThat(cluster.count(cluster.table("job") + " WHERE status = 'SUCCESS' AND attempt = 1"))
        .as("every job succeeded without using up an attempt").isEqualTo(ids.size());
    String inVictimJobs = " AND HEX(job_id) IN " + Cluster.hexIds(victimJobs);
    assertThat(cluster.count(cluster.table("attempt") + " WHERE node = ? AND attempt = 1"
            + " AND outcome = 'stopped:SHUTDOWN'" + inVictimJobs, victim.node))
        .as("attempts stopped by the shutdown").isEqualTo(victimJobs.size());
    assertThat(cluster.count(cluster.table("job_event") + " WHERE status = 'PENDING' AND node = ?"
            + " AND message = 'released'" + inVictimJobs, victim.node))
        .as("releases in the history (not lease expiries)").isEqualTo(victimJobs.size());
    assertThat(cluster.count(cluster.table("node") + " WHERE name = ? AND stopped_at IS NOT NULL",
            victim.node))
        .as("the stopped node deregistered").isEqualTo(1);
    String status = FaultTests.jobctlStatus(cluster);
    System.out.print("[fault] jobctl status after the SIGTERM:\n" + status);
    assertThat(status.lines().filter(l -> l.startsWith(victim.node + " "))).singleElement().asString()
        .contains(" STOPPED ");
  }
}
