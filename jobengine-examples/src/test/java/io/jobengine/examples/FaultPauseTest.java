package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.examples.Cluster.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SIGSTOP of a worker past its lease, then SIGCONT: the stale attempts must not land. */
class FaultPauseTest {
  private Cluster cluster;

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  @Test
  void a_worker_paused_past_its_lease_is_fenced_and_its_handlers_are_told_the_lease_was_lost() {
    cluster = closer.add(Cluster.create("pause"));
    List<Worker> workers = cluster.startAll(List.of("pause-w1", "pause-w2"), "--queues", "default:6");
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // Half of them check in with checkpoint(); the other half ignore it, and after SIGCONT
      // return at once with a result that must be rejected.
      requests.add(
          JobRequest.builder("fault-sleep").payload(new FaultHandlers.Nap(4000, i % 2 == 0))
              .maxAttempts(3).build());
    }
    List<JobId> ids = cluster.enqueue(requests);
    Cluster.await("all jobs to run", Duration.ofSeconds(30),
        () -> cluster.count(cluster.table("attempt")) == ids.size() ? Boolean.TRUE : null);

    Worker victim = FaultTests.busiest(cluster, workers);
    Worker survivor = workers.get(0) == victim ? workers.get(1) : workers.get(0);
    List<JobId> victimJobs = FaultTests.jobsOf(cluster, victim.node, ids);
    String inVictimJobs = " AND HEX(job_id) IN " + Cluster.hexIds(victimJobs);
    long pausedAt = System.nanoTime();
    cluster.pause(victim);

    // Past its lease: another node has claimed every job the paused one held.
    Cluster.await("another node to take over the paused worker's jobs", Duration.ofSeconds(30),
        () -> cluster.count(cluster.table("attempt") + " WHERE attempt = 2 AND node = ?"
            + inVictimJobs, survivor.node) == victimJobs.size() ? Boolean.TRUE : null);
    Duration takenOver = Duration.ofNanos(System.nanoTime() - pausedAt);
    cluster.resume(victim);
    Duration paused = Duration.ofNanos(System.nanoTime() - pausedAt);

    cluster.awaitAllEnded(Duration.ofSeconds(30));
    Cluster.await("the stale attempts to end", Duration.ofSeconds(30),
        () -> cluster.count(cluster.table("attempt") + " WHERE pid = ? AND ended_at IS NULL",
            victim.pid()) == 0 ? Boolean.TRUE : null);
    Duration finished = Duration.ofNanos(System.nanoTime() - pausedAt);
    System.out.printf(
        "[fault] SIGSTOP of %s holding %d job(s) for %s: taken over by %s after %s (lease %s), all"
            + " done %s after the pause%n",
        victim.node, victimJobs.size(), Cluster.millis(paused), survivor.node,
        Cluster.millis(takenOver), Cluster.millis(Cluster.LEASE), Cluster.millis(finished));

    cluster.assertInvariants(ids.size());
    assertThat(cluster.count(cluster.table("job") + " WHERE status = 'SUCCESS'")).isEqualTo(ids.size());
    assertThat(cluster.count(cluster.table("job") + " WHERE lease_owner IS NULL AND attempt = 2 AND"
            + " HEX(id) IN " + Cluster.hexIds(victimJobs)))
        .as("the paused worker's jobs ended with the newer attempt").isEqualTo(victimJobs.size());
    // The cooperative stale handlers were told through checkpoint() that the lease was lost.
    assertThat(
            cluster.db.rows(
                "SELECT HEX(a.job_id), a.outcome FROM " + cluster.table("attempt") + " a JOIN "
                    + cluster.table("job") + " j ON j.id = a.job_id WHERE a.pid = ?"
                    + " AND j.payload LIKE '%\"cooperative\":true%'"
                    + " AND (a.lease_lost <> 1 OR a.outcome <> 'stopped:LEASE_LOST')",
                victim.pid()))
        .as("stale cooperative attempts that were not told LEASE_LOST").isEmpty();
    // Every stale attempt's late outcome (SUCCESS, or the release after LEASE_LOST) was rejected.
    String log = victim.logText();
    for (JobId id : victimJobs) {
      assertThat(log).as("the paused node's log for job %s", id)
          .containsPattern("Outcome [A-Z]+ of job " + id + " .*was rejected");
    }
  }
}
