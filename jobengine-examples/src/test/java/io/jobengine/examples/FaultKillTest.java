package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.examples.Cluster.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** kill -9 of a worker in the middle of its jobs. */
class FaultKillTest {
  private Cluster cluster;

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  @Test
  void jobs_of_a_killed_worker_finish_on_another_node_after_the_lease_with_the_next_attempt() {
    cluster = closer.add(Cluster.create("kill"));
    List<Worker> workers = cluster.startAll(List.of("kill-w1", "kill-w2"), "--queues", "default:4");
    List<JobRequest> requests = FaultTests.naps(4, 3000);
    List<JobId> ids = cluster.enqueue(requests);
    Cluster.await("all four jobs to run", Duration.ofSeconds(30),
        () -> cluster.count(cluster.table("attempt")) == 4 ? Boolean.TRUE : null);

    Worker victim = FaultTests.busiest(cluster, workers);
    Worker survivor = workers.get(0) == victim ? workers.get(1) : workers.get(0);
    List<JobId> victimJobs = FaultTests.jobsOf(cluster, victim.node, ids);
    long killedAt = System.nanoTime();
    cluster.kill(victim);

    Cluster.await("the killed worker's jobs to run again elsewhere", Duration.ofSeconds(30),
        () -> cluster.count(cluster.table("attempt") + " WHERE attempt = 2 AND node = ? AND HEX(job_id) IN "
            + Cluster.hexIds(victimJobs), survivor.node) == victimJobs.size() ? Boolean.TRUE : null);
    Duration resumed = Duration.ofNanos(System.nanoTime() - killedAt);
    cluster.awaitAllEnded(Duration.ofSeconds(30));
    Duration finished = Duration.ofNanos(System.nanoTime() - killedAt);
    System.out.printf(
        "[fault] kill -9 of %s holding %d job(s): taken over by %s after %s (lease %s), all done %s"
            + " after the kill%n",
        victim.node, victimJobs.size(), survivor.node, Cluster.millis(resumed),
        Cluster.millis(Cluster.LEASE), Cluster.millis(finished));

    cluster.assertInvariants(ids.size());
    assertThat(cluster.count(cluster.table("job") + " WHERE status = 'SUCCESS' AND attempt = 2"
            + " AND HEX(id) IN " + Cluster.hexIds(victimJobs)))
        .as("the killed worker's jobs ended SUCCESS on their second attempt")
        .isEqualTo(victimJobs.size());
    assertThat(cluster.count(cluster.table("job") + " WHERE status = 'SUCCESS'")).isEqualTo(ids.size());
    // The registry shows the killed node DEAD once its heartbeat is older than its lease.
    String status = Cluster.await("jobctl status to show " + victim.node + " DEAD", Duration.ofSeconds(30),
        () -> {
          String text = FaultTests.jobctlStatus(cluster);
          return text.lines().anyMatch(l -> l.startsWith(victim.node + " ") && l.contains(" DEAD "))
              ? text : null;
        });
    System.out.print("[fault] jobctl status after the kill:\n" + status);
    assertThat(status.lines().filter(l -> l.startsWith(survivor.node + " ")))
        .singleElement().asString().contains(" ALIVE ");
    // The survivor's own log has the second attempt's lines, each with node, job, type and attempt.
    assertThat(survivor.logText())
        .contains("node=" + survivor.node + " job=" + victimJobs.get(0) + " type=fault-sleep attempt=2 - Working");
  }
}
