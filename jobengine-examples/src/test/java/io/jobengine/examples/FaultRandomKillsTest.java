package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.examples.Cluster.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Four worker JVMs over 20,000 jobs, killed with kill -9 at random and restarted. */
class FaultRandomKillsTest {
  static final int JOBS = 20_000;
  static final int KILLS = 3;

  private Cluster cluster;

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  @Test
  void four_workers_finish_twenty_thousand_jobs_through_random_kills_each_exactly_once() {
    long seed = Long.getLong("jobengine.fault.seed", System.nanoTime());
    Random random = new Random(seed);
    System.out.println("[fault] random kills: seed " + seed + " (rerun with -Djobengine.fault.seed=" + seed + ")");
    cluster = closer.add(Cluster.create("bulk"));
    List<Worker> workers =
        cluster.startAll(List.of("bulk-w1", "bulk-w2", "bulk-w3", "bulk-w4"), "--queues", "default:8");
    workers.forEach(cluster::supervise);
    List<JobRequest> requests = new ArrayList<>(JOBS);
    for (int i = 0; i < JOBS; i++) {
      requests.add(JobRequest.builder("fault-noop").payload(new FaultHandlers.Item(i)).maxAttempts(5).build());
    }
    long start = System.nanoTime();
    List<JobId> ids = cluster.enqueue(requests);
    for (int k = 0; k < KILLS; k++) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(1500)));
      Worker victim = workers.get(random.nextInt(workers.size()));
      long killedAt = System.nanoTime();
      cluster.kill(victim);
      // Right after the kill, before its restarted process can claim anything: what it held.
      List<JobId> held = cluster.leasedBy(victim.node);
      String inHeld = held.isEmpty() ? "('')" : Cluster.hexIds(held);
      Cluster.await("the jobs killed with " + victim.node + " to end", Duration.ofSeconds(60),
          () -> cluster.count(cluster.table("job") + " WHERE HEX(id) IN " + inHeld
              + " AND status NOT IN ('SUCCESS','WARNING','FAILURE','CANCELED')") == 0 ? Boolean.TRUE : null);
      System.out.printf(
          "[fault] random kill %d: kill -9 of %s holding %d job(s); they ended elsewhere %s later"
              + " (%d of %d jobs still to do)%n",
          k + 1, victim.node, held.size(), Cluster.millis(Duration.ofNanos(System.nanoTime() - killedAt)),
          cluster.unfinished(), JOBS);
    }
    cluster.awaitAllEnded(Duration.ofSeconds(240));
    Duration total = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf("[fault] random kills: %d jobs on 4 workers with %d kills done in %s (%.0f jobs/s)%n",
        JOBS, KILLS, Cluster.millis(total), JOBS / (total.toNanos() / 1e9));

    cluster.assertInvariants(ids.size());
    assertThat(cluster.count(cluster.table("job") + " WHERE status = 'SUCCESS'")).isEqualTo(JOBS);
  }
}
