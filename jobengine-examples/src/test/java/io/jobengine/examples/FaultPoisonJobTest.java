package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.examples.Cluster.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A job whose handler halts its JVM, on workers a supervisor restarts. */
class FaultPoisonJobTest {
  private Cluster cluster;

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  @Test
  void a_poison_job_ends_failure_after_its_max_attempts_while_other_jobs_keep_flowing() {
    cluster = closer.add(Cluster.create("poison"));
    List<Worker> workers = cluster.startAll(List.of("poison-w1", "poison-w2"), "--queues", "default:4");
    workers.forEach(cluster::supervise);
    List<JobId> ids = new ArrayList<>();
    JobId poison =
        cluster.client().enqueue(
            JobRequest.builder("fault-poison").payload(new FaultHandlers.Item(0)).maxAttempts(3).build());
    ids.add(poison);
    long start = System.nanoTime();
    AtomicInteger n = new AtomicInteger();
    // Other jobs arrive all the time, 20 every 200 ms, until the poison job has ended.
    while (cluster.count(cluster.table("job") + " WHERE id = ? AND status = 'FAILURE'",
        (Object) poison.toBytes()) == 0) {
      if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(60)) {
        throw new AssertionError("The poison job did not end within 60 s");
      }
      List<JobRequest> batch = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        batch.add(JobRequest.builder("fault-noop").payload(new FaultHandlers.Item(n.incrementAndGet()))
            .maxAttempts(10).build());
      }
      ids.addAll(cluster.enqueue(batch));
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    Duration poisonEnded = Duration.ofNanos(System.nanoTime() - start);
    Duration drained = cluster.awaitAllEnded(Duration.ofSeconds(60));
    int restarts = workers.stream().mapToInt(w -> w.starts - 1).sum();
    List<List<Object>> poisonAttempts =
        cluster.db.rows("SELECT started_at FROM " + cluster.table("attempt")
            + " WHERE job_id = ? ORDER BY token", (Object) poison.toBytes());
    long flowed =
        cluster.count(cluster.table("job") + " WHERE type = 'fault-noop' AND status = 'SUCCESS'"
            + " AND finished_at > ? AND finished_at < (SELECT finished_at FROM "
            + cluster.table("job") + " WHERE id = ?)", poisonAttempts.get(0).get(0),
            (Object) poison.toBytes());
    System.out.printf(
        "[fault] poison job halted its JVM %d time(s) (%d supervisor restarts): FAILURE after %s;"
            + " %d other jobs finished meanwhile, the rest %s later%n",
        poisonAttempts.size(), restarts, Cluster.millis(poisonEnded), flowed,
        Cluster.millis(drained));

    cluster.assertInvariants(ids.size());
    assertThat(cluster.db.rows("SELECT status, attempt, last_error FROM " + cluster.table("job")
            + " WHERE id = ?", (Object) poison.toBytes()).get(0))
        .satisfies(row -> {
          assertThat(row.get(0)).isEqualTo("FAILURE");
          assertThat(row.get(1)).isEqualTo(3);
          assertThat((String) row.get(2)).contains("expired (attempt 3 of 3)");
        });
    assertThat(poisonAttempts).as("the poison job's attempts").hasSize(3);
    assertThat(cluster.count(cluster.table("job") + " WHERE type = 'fault-noop' AND status = 'SUCCESS'"))
        .as("the other jobs all succeeded").isEqualTo(ids.size() - 1);
    assertThat(flowed).as("other jobs finished while the poison job was still being retried")
        .isPositive();
  }
}
