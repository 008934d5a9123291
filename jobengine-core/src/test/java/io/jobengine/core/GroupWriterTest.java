package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.NewJob;
import io.jobengine.spi.WriteResult;
import io.jobengine.testing.InMemoryJobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group-commit writers: batches form while a store call is in flight; fences stay per job. */
class GroupWriterTest {
  private static final Duration LEASE = Duration.ofSeconds(30);

  private final InMemoryJobStore memory = InMemoryJobStore.create();
  private final CountDownLatch gate = new CountDownLatch(1);
  private final CountDownLatch firstCallEntered = new CountDownLatch(1);
  private final List<Integer> completeSizes = new CopyOnWriteArrayList<>();
  private final GatedStore store = new GatedStore();
  private final OutcomeWriter outcomes = new OutcomeWriter(store, "node-1");

  @AfterEach
  void stop() {
    gate.countDown();
    outcomes.stop(Duration.ofSeconds(5));
  }

  @Test
  void outcomes_handed_in_while_a_write_is_in_flight_go_in_one_batch_and_each_fence_is_checked()
      throws Exception {
    List<RunningJob> jobs = claim(4);
    // A newer attempt owns the last job: its lease is stale.
    RunningJob stale = jobs.get(3);
    memory.complete(List.of(Completion.release(stale.lease())));
    outcomes.start();
    Map<JobId, Boolean> landed = new ConcurrentHashMap<>();
    CountDownLatch allDone = new CountDownLatch(4);
    outcomes.submit(jobs.get(0), Completion.success(jobs.get(0).lease()), ok -> {
      landed.put(jobs.get(0).id(), ok);
      allDone.countDown();
    });
    assertThat(firstCallEntered.await(5, TimeUnit.SECONDS)).isTrue();
    for (RunningJob job : jobs.subList(1, 4)) {
      outcomes.submit(job, Completion.success(job.lease()), ok -> {
        landed.put(job.id(), ok);
        allDone.countDown();
      });
    }
    gate.countDown();
    assertThat(allDone.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(completeSizes).containsExactly(1, 3);
    assertThat(landed)
        .containsEntry(jobs.get(0).id(), true)
        .containsEntry(jobs.get(1).id(), true)
        .containsEntry(jobs.get(2).id(), true)
        .containsEntry(stale.id(), false);
    assertThat(memory.get(jobs.get(1).id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(memory.get(stale.id()).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void after_stop_a_writer_writes_on_the_callers_thread() {
    gate.countDown();
    List<RunningJob> jobs = claim(1);
    outcomes.start();
    outcomes.stop(Duration.ofSeconds(5));
    assertThat(outcomes.write(jobs.get(0), Completion.success(jobs.get(0).lease()))).isTrue();
    assertThat(memory.get(jobs.get(0).id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
  }

  private List<RunningJob> claim(int n) {
    List<NewJob> news = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      news.add(new NewJob(JobId.generate(), "t", "default", 0, "\"x\"", null, Duration.ZERO, 3, null, null));
    }
    memory.enqueue(news);
    List<ClaimedJob> claimed = memory.claim(new ClaimRequest("node-1", "default", Set.of("t"), n, LEASE));
    assertThat(claimed).hasSize(n);
    JobHandler<String> handler = JobHandler.of("t", String.class, (p, ctx) -> {});
    List<RunningJob> running = new ArrayList<>();
    for (ClaimedJob c : claimed) {
      running.add(new RunningJob(c, handler, null, System.nanoTime() + LEASE.toNanos()));
    }
    return running;
  }

  /** The in-memory store, whose first complete() waits at the gate. */
  private final class GatedStore extends SwitchableStore {
    GatedStore() {
      super(memory);
    }

    @Override
    public WriteResult complete(List<Completion> completions) {
      completeSizes.add(completions.size());
      firstCallEntered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return super.complete(completions);
    }
  }
}
