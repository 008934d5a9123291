package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobClient;
import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.StoreDataException;
import io.jobengine.core.JobEngine;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.ProgressUpdate;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 2 on MySQL: a handler that warns with a 20 MB text while other jobs end beside
 * it. The server's {@code max_allowed_packet} is 16 MB by default, so an outcome carrying the text
 * cannot be written; before, it made the whole batched completion fail, the writer retried the
 * batch until the leases ran out, and the jobs written with it lost their SUCCESS and ran again.
 */
class OversizeOutcomeTest {

  private static final int TWENTY_MB = 20 * 1024 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final String prefix = TestDatabase.uniquePrefix("oversize");
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    TestDatabase.dropTables(prefix);
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("Timed out after " + WAIT + " waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  @Test
  void a_twenty_megabyte_warning_costs_no_other_job_its_success_and_is_stored_bounded() throws Exception {
    MySqlJobStore mysql = TestDatabase.storeWithOwnPool(prefix, 4);
    closeables.add(mysql);
    AtomicInteger bigProgressWrites = new AtomicInteger();
    JobStore store = countingProgressWrites(mysql, u -> u.warnings().size() > 0, bigProgressWrites);
    int quick = 20;
    CountDownLatch started = new CountDownLatch(quick + 1);
    CountDownLatch go = new CountDownLatch(1);
    Map<JobId, AtomicInteger> runs = new ConcurrentHashMap<>();
    JobHandler<String> quickHandler =
        JobHandler.of(
            "quick", String.class,
            (p, ctx) -> {
              runs.computeIfAbsent(ctx.jobId(), k -> new AtomicInteger()).incrementAndGet();
              started.countDown();
              go.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            });
    JobHandler<String> bigHandler =
        JobHandler.of(
            "big", String.class,
            (p, ctx) -> {
              runs.computeIfAbsent(ctx.jobId(), k -> new AtomicInteger()).incrementAndGet();
              ctx.warn("w".repeat(TWENTY_MB));
              started.countDown();
              go.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            });
    JobEngine engine =
        JobEngine.builder()
            .store(store)
            .nodeName("oversize-node")
            .discoverHandlers(false)
            .queue("default", quick + 4)
            .leaseDuration(Duration.ofSeconds(3))
            .pollInterval(Duration.ofMillis(50))
            .handler(quickHandler)
            .handler(bigHandler)
            .start();
    closeables.add(engine);
    JobClient client = engine.client();
    JobId big = client.enqueue(JobRequest.of("big", "x"));
    List<JobId> others = new ArrayList<>();
    for (int i = 0; i < quick; i++) {
      others.add(client.enqueue(JobRequest.of("quick", "q" + i)));
    }
    assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    // A progress flush has taken the warning (and, without bounds, failed to write it): the big
    // outcome then goes to the writer as fast as the others', and they share batches.
    await("a progress write of the big job's warning", () -> bigProgressWrites.get() > 0);

    go.countDown();

    await("every job to end", () -> {
      List<JobId> all = new ArrayList<>(others);
      all.add(big);
      return all.stream().allMatch(id -> client.get(id).orElseThrow().status().isTerminal());
    });
    for (JobId id : others) {
      JobInfo job = client.get(id).orElseThrow();
      assertThat(job.status()).as("job %s", id).isEqualTo(JobStatus.SUCCESS);
      assertThat(job.attempt()).as("attempts of job %s", id).isEqualTo(1);
    }
    JobInfo bigJob = client.get(big).orElseThrow();
    assertThat(bigJob.status()).isEqualTo(JobStatus.WARNING);
    assertThat(bigJob.attempt()).isEqualTo(1);
    assertThat(bigJob.warnings()).singleElement().asString()
        .hasSize(JobContext.MAX_WARNING_LENGTH)
        .endsWith("... (truncated)");
    assertThat(runs).hasSize(quick + 1).allSatisfy((id, n) -> assertThat(n).as("runs of %s", id).hasValue(1));
  }

  /** The store, counting the progress writes that hold an update {@code counted} matches. */
  private static JobStore countingProgressWrites(
      JobStore delegate, Predicate<ProgressUpdate> counted, AtomicInteger count) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getName().equals("reportProgress")) {
            @SuppressWarnings("unchecked")
            List<ProgressUpdate> updates = (List<ProgressUpdate>) args[0];
            if (updates.stream().anyMatch(counted)) {
              count.incrementAndGet();
            }
          }
          try {
            return method.invoke(delegate, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (JobStore)
        Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class}, handler);
  }

  @Test
  void a_completion_too_large_for_the_packet_is_refused_as_a_data_error_and_the_store_carries_on() {
    MySqlJobStore store = TestDatabase.storeWithOwnPool(prefix, 1);
    closeables.add(store);
    JobClient client = JobClient.of(store);
    client.enqueue(JobRequest.of("t", "a"));
    client.enqueue(JobRequest.of("t", "b"));
    List<ClaimedJob> claimed =
        store.claim(new ClaimRequest("node-1", "default", Set.of("t"), 2, Duration.ofMinutes(1)));
    assertThat(claimed).hasSize(2);
    // Past the engine's limits, straight to the store: what its batch must survive.
    Completion huge = Completion.warning(claimed.get(0).lease(), List.of("w".repeat(TWENTY_MB)));
    Completion fine = Completion.success(claimed.get(1).lease());

    assertThatThrownBy(() -> store.complete(List.of(huge, fine)))
        .isInstanceOf(StoreDataException.class)
        .hasMessageContaining("refused the data");

    // Nothing was written, and the next call works: the batch without the row lands.
    assertThat(store.complete(List.of(fine))).isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(client.get(claimed.get(1).lease().jobId()).orElseThrow().status())
        .isEqualTo(JobStatus.SUCCESS);
    assertThat(client.get(claimed.get(0).lease().jobId()).orElseThrow().status())
        .isEqualTo(JobStatus.RUNNING);
  }
}
