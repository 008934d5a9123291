package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.examples.Cluster.Worker;
import io.jobengine.examples.FaultTxHandler.Hold;
import io.jobengine.examples.FaultTxHandler.Order;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Completion in the handler's transaction under kill -9 and SIGSTOP of workers around its commit:
 * every job's effect row and its end commit together, so the effect rows equal the ended jobs one
 * for one, whatever was killed or paused where.
 */
class FaultTxCompletionTest {
  private Cluster cluster;

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  private final List<JobId> ids = new ArrayList<>();

  @Test
  void effects_and_job_ends_commit_together_across_kills_and_pauses_around_the_commit() {
    cluster = closer.add(Cluster.create("txdone"));
    cluster.db.execute(
        "DROP TABLE IF EXISTS " + cluster.table("effect") + ", " + cluster.table("hold"),
        FaultTxHandler.effectDdl(cluster.prefix), FaultTxHandler.holdDdl(cluster.prefix));
    List<Worker> workers =
        cluster.startAll(List.of("tx-w1", "tx-w2", "tx-w3"), "--queues", "default:4");
    workers.forEach(cluster::supervise);
    String job = cluster.table("job");

    // 1. kill -9 while the transaction holds the job's row, before COMMIT: the server rolls it
    // back, the lease runs out, and another attempt does the work once.
    JobId killedBeforeCommit = enqueueWithHold(Hold.BEFORE_COMMIT);
    cluster.kill(holder(workers, killedBeforeCommit, Hold.BEFORE_COMMIT));
    awaitEnded(killedBeforeCommit);
    assertThat(attemptOf(killedBeforeCommit)).as("ended by a later attempt").isGreaterThan(1);

    // 2. SIGSTOP before COMMIT, past the lease, then SIGCONT: the row stayed locked, so nobody
    // took the job over, and the late commit stands.
    JobId pausedBeforeCommit = enqueueWithHold(Hold.BEFORE_COMMIT);
    Worker paused = holder(workers, pausedBeforeCommit, Hold.BEFORE_COMMIT);
    cluster.pause(paused);
    Cluster.await("the paused attempt's lease to have expired", Duration.ofSeconds(30),
        () -> cluster.count(job + " WHERE HEX(id) IN " + Cluster.hexIds(List.of(pausedBeforeCommit))
            + " AND lease_expires_at < UTC_TIMESTAMP(6) - INTERVAL 1 SECOND") == 1
            ? Boolean.TRUE : null);
    cluster.resume(paused);
    release(pausedBeforeCommit);
    awaitEnded(pausedBeforeCommit);
    assertThat(attemptOf(pausedBeforeCommit)).as("the paused attempt's commit stands").isEqualTo(1);

    // 3. SIGSTOP before the completion (the row not yet locked), past the lease: another node
    // runs the job and ends it; on SIGCONT the stale attempt is refused and its effect rolls back.
    // Alone: a frozen job of that worker between completion and COMMIT would hold its row lock,
    // and the reaper's single UPDATE would wait on it instead of recovering this job.
    cluster.awaitAllEnded(Duration.ofSeconds(60));
    JobId zombie = enqueueWithHold(Hold.BEFORE_COMPLETE, 0);
    Worker zombieWorker = holder(workers, zombie, Hold.BEFORE_COMPLETE);
    long zombiePid = zombieWorker.pid();
    cluster.pause(zombieWorker);
    awaitEnded(zombie);
    cluster.resume(zombieWorker);
    release(zombie);
    Cluster.await("the stale attempt to be told that its lease was lost", Duration.ofSeconds(30),
        () -> cluster.count(cluster.table("attempt") + " WHERE pid = ? AND attempt = 1"
            + " AND outcome = 'stopped:LEASE_LOST' AND HEX(job_id) IN "
            + Cluster.hexIds(List.of(zombie)), zombiePid) == 1 ? Boolean.TRUE : null);
    assertThat(attemptOf(zombie)).isGreaterThan(1);
    Cluster.await("the stale attempt's outcome to be rejected", Duration.ofSeconds(30),
        () -> zombieWorker.logText().matches(
            "(?s).*Outcome [A-Z]+ of job " + zombie + " .*was rejected: this node no longer holds.*")
            ? Boolean.TRUE : null);

    // 4. kill -9 after COMMIT, before the handler returns: the job has ended; nothing runs again.
    JobId killedAfterCommit = enqueueWithHold(Hold.AFTER_COMMIT);
    cluster.kill(holder(workers, killedAfterCommit, Hold.AFTER_COMMIT));
    awaitEnded(killedAfterCommit);
    assertThat(attemptOf(killedAfterCommit)).as("not run again").isEqualTo(1);

    cluster.awaitAllEnded(Duration.ofSeconds(60));
    String effect = cluster.table("effect");
    long ended = cluster.count(job + " WHERE status IN ('SUCCESS','WARNING')");
    System.out.printf(
        "[fault] completion in the handler's transaction: %d jobs, %d ended SUCCESS, %d effect"
            + " rows, %d attempts%n",
        ids.size(), ended, cluster.count(effect), cluster.count(cluster.table("attempt")));
    cluster.assertInvariants(ids.size());
    assertThat(ended).as("jobs that ended in SUCCESS").isEqualTo(ids.size());
    assertThat(cluster.count(effect)).as("effect rows, one per SUCCESS").isEqualTo(ended);
    assertThat(
            cluster.db.rows(
                "SELECT HEX(e.job_id), e.token, j.status, j.lease_token FROM " + effect + " e"
                    + " LEFT JOIN " + job + " j ON j.id = e.job_id"
                    + " WHERE j.id IS NULL OR j.status <> 'SUCCESS' OR j.lease_token <> e.token"))
        .as("effects without the SUCCESS of the attempt that wrote them").isEmpty();
    assertThat(
            cluster.db.rows(
                "SELECT HEX(j.id) FROM " + job + " j WHERE (SELECT COUNT(*) FROM " + effect
                    + " e WHERE e.job_id = j.id) <> 1"))
        .as("jobs without exactly one effect").isEmpty();
  }

  /** Ten quick jobs to keep the workers busy across the fault, and one that holds on attempt 1. */
  private JobId enqueueWithHold(Hold hold) {
    return enqueueWithHold(hold, 10);
  }

  private JobId enqueueWithHold(Hold hold, int quickJobs) {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < quickJobs; i++) {
      requests.add(request(new Order(100, Hold.NONE)));
    }
    JobRequest held = request(new Order(50, hold));
    requests.add(held);
    ids.addAll(cluster.enqueue(requests));
    return held.id();
  }

  private static JobRequest request(Order order) {
    return JobRequest.builder("fault-tx").payload(order).maxAttempts(5).build();
  }

  /** Waits until the job's first attempt stands at {@code point}; returns its worker. */
  private Worker holder(List<Worker> workers, JobId id, Hold point) {
    long pid =
        Cluster.await("job " + id + " to hold at " + point, Duration.ofSeconds(60), () -> {
          List<List<Object>> rows =
              cluster.db.rows(
                  "SELECT pid FROM " + cluster.table("hold") + " WHERE point = ? AND HEX(job_id) IN "
                      + Cluster.hexIds(List.of(id)),
                  point.name());
          return rows.isEmpty() ? null : ((Number) rows.get(0).get(0)).longValue();
        });
    return workers.stream().filter(w -> w.pid() == pid).findFirst()
        .orElseThrow(() -> new AssertionError("no worker has pid " + pid));
  }

  private void release(JobId id) {
    cluster.db.execute(
        "UPDATE " + cluster.table("hold") + " SET released = 1 WHERE HEX(job_id) IN "
            + Cluster.hexIds(List.of(id)));
  }

  private void awaitEnded(JobId id) {
    Cluster.await("job " + id + " to end", Duration.ofSeconds(60),
        () -> cluster.count(cluster.table("job") + " WHERE status IN " + terminal()
            + " AND HEX(id) IN " + Cluster.hexIds(List.of(id))) == 1 ? Boolean.TRUE : null);
  }

  private static String terminal() {
    return "('SUCCESS','WARNING','FAILURE','CANCELED')";
  }

  private int attemptOf(JobId id) {
    return ((Number) cluster.db.rows(
            "SELECT attempt FROM " + cluster.table("job") + " WHERE HEX(id) IN "
                + Cluster.hexIds(List.of(id)))
        .get(0).get(0)).intValue();
  }
}
