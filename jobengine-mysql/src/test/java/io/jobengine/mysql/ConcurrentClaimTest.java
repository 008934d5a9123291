package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import io.jobengine.spi.Lease;
import io.jobengine.spi.NewJob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two store instances (two nodes, each with its own pool) and eight claiming threads each work
 * through 10,000 jobs: every job is claimed exactly once and ends in SUCCESS, and no error reaches
 * a caller (deadlocks and lock waits are retried inside the store).
 */
class ConcurrentClaimTest {

  private static final Logger log = LoggerFactory.getLogger(ConcurrentClaimTest.class);

  private static final int JOBS = 10_000;
  private static final int THREADS_PER_NODE = 8;

  @Test
  void two_nodes_with_eight_threads_each_claim_every_job_exactly_once() throws Exception {
    String prefix = TestDatabase.uniquePrefix("conc");
    try (MySqlJobStore nodeA = TestDatabase.storeWithOwnPool(prefix, THREADS_PER_NODE);
        MySqlJobStore nodeB = TestDatabase.storeWithOwnPool(prefix, THREADS_PER_NODE)) {
      List<NewJob> batch = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        batch.add(
            new NewJob(JobId.generate(), i % 2 == 0 ? "a" : "b", "work", i % 3, "{\"i\":" + i + "}",
                null, Duration.ZERO, 3, null, null));
        if (batch.size() == 1000) {
          nodeA.enqueue(batch);
          batch = new ArrayList<>();
        }
      }

      Map<JobId, AtomicInteger> claims = new ConcurrentHashMap<>();
      Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
      AtomicInteger done = new AtomicInteger();
      java.util.concurrent.atomic.LongAdder claimNanos = new java.util.concurrent.atomic.LongAdder();
      java.util.concurrent.atomic.LongAdder completeNanos =
          new java.util.concurrent.atomic.LongAdder();
      java.util.concurrent.atomic.LongAdder claims0 = new java.util.concurrent.atomic.LongAdder();
      ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_NODE);
      CountDownLatch gate = new CountDownLatch(1);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 2 * THREADS_PER_NODE; t++) {
        MySqlJobStore store = t % 2 == 0 ? nodeA : nodeB;
        String node = t % 2 == 0 ? "node-a" : "node-b";
        workers.add(
            pool.submit(
                () -> {
                  gate.await();
                  ClaimRequest request =
                      new ClaimRequest(node, "work", Set.of("a", "b"), 10, Duration.ofMinutes(5));
                  while (done.get() < JOBS && System.nanoTime() < deadline) {
                    try {
                      long t0 = System.nanoTime();
                      List<ClaimedJob> got = store.claim(request);
                      claimNanos.add(System.nanoTime() - t0);
                      claims0.increment();
                      if (got.isEmpty()) {
                        continue;
                      }
                      List<Lease> leases = got.stream().map(ClaimedJob::lease).toList();
                      long t2 = System.nanoTime();
                      assertThat(store.complete(leases.stream().map(Completion::success).toList()))
                          .isEqualTo(WriteResult.ALL_WRITTEN);
                      completeNanos.add(System.nanoTime() - t2);
                      for (Lease lease : leases) {
                        claims.computeIfAbsent(lease.jobId(), id -> new AtomicInteger())
                            .incrementAndGet();
                      }
                      done.addAndGet(leases.size());
                    } catch (Throwable e) {
                      errors.add(e);
                      return null;
                    }
                  }
                  return null;
                }));
      }
      long start = System.nanoTime();
      gate.countDown();
      for (Future<?> worker : workers) {
        worker.get(3, TimeUnit.MINUTES);
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      pool.shutdown();
      log.info("{} jobs claimed, started and completed by 2 x {} threads in {} ms ({} jobs/s)",
          JOBS, THREADS_PER_NODE, millis, JOBS * 1000L / Math.max(1, millis));
      log.info("{} claims, mean {} us; complete mean {} us",
          claims0.sum(), claimNanos.sum() / 1000 / Math.max(1, claims0.sum()),
          completeNanos.sum() / 1000 / (JOBS / 10));

      assertThat(errors).isEmpty();
      assertThat(claims).hasSize(JOBS);
      assertThat(claims.values()).allMatch(n -> n.get() == 1);
      assertThat(count(prefix, "status = 'SUCCESS' AND attempt = 1 AND lease_token = 1"))
          .isEqualTo(JOBS);
      assertThat(count(prefix, "1=1")).isEqualTo(JOBS);
    }
  }

  private static int count(String prefix, String where) throws Exception {
    try (Connection c = TestDatabase.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM `" + prefix + "job` WHERE " + where)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
