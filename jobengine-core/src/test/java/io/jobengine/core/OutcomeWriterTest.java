package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.testing.InMemoryJobStore;
import io.jobengine.JobClient;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 2: one outcome the store refuses for its data must not cost the other jobs of
 * its batch their results, and no write is retried once its lease may have run out.
 */
class OutcomeWriterTest {

  private static final Duration LEASE = Duration.ofMinutes(1);

  private final InMemoryJobStore memory = InMemoryJobStore.create();
  private final SwitchableStore store = new SwitchableStore(memory);
  private final OutcomeWriter writer = new OutcomeWriter(store, "node-1");
  private final Map<JobId, Boolean> landed = new ConcurrentHashMap<>();

  private List<RunningJob> claim(int n, long leaseValidUntilNanos) {
    JobClient client = JobClient.of(memory);
    for (int i = 0; i < n; i++) {
      client.enqueue(JobRequest.of("t", "p" + i));
    }
    List<ClaimedJob> claimed =
        memory.claim(new ClaimRequest("node-1", "default", Set.of("t"), n, LEASE));
    assertThat(claimed).hasSize(n);
    List<RunningJob> running = new ArrayList<>();
    JobHandler<String> handler = JobHandler.of("t", String.class, (p, ctx) -> {});
    claimed.forEach(c -> running.add(new RunningJob(c, handler, null, leaseValidUntilNanos)));
    return running;
  }

  private OutcomeWriter.Outcome outcome(RunningJob job, Completion completion) {
    return new OutcomeWriter.Outcome(job, completion, ok -> landed.put(job.id(), ok));
  }

  private JobStatus status(RunningJob job) {
    return memory.get(job.id()).map(JobInfo::status).orElseThrow();
  }

  @Test
  void a_batch_refused_for_one_row_is_split_so_the_other_jobs_land_success() {
    List<RunningJob> jobs = claim(9, System.nanoTime() + LEASE.toNanos());
    RunningJob marked = jobs.get(4);
    store.refuseCompletions(c -> c.lease().jobId().equals(marked.id()));
    List<OutcomeWriter.Outcome> batch = new ArrayList<>();
    jobs.forEach(j -> batch.add(outcome(j, Completion.success(j.lease()))));

    writer.write(batch);

    for (RunningJob job : jobs) {
      if (job == marked) {
        assertThat(landed).containsEntry(job.id(), false);
        assertThat(status(job)).isEqualTo(JobStatus.RUNNING);
      } else {
        assertThat(landed).containsEntry(job.id(), true);
        assertThat(status(job)).isEqualTo(JobStatus.SUCCESS);
      }
    }
    // Tried whole once, then split in halves: never the whole batch again.
    assertThat(store.completeBatches()).first().isEqualTo(9);
    assertThat(store.completeBatches().subList(1, store.completeBatches().size())).allMatch(n -> n < 9);
  }

  @Test
  void an_outcome_whose_text_the_store_refuses_is_written_again_cut_short() {
    List<RunningJob> jobs = claim(3, System.nanoTime() + LEASE.toNanos());
    store.refuseCompletions(c -> c.warnings().stream().anyMatch(w -> w.length() > 10_000));
    RunningJob big = jobs.get(1);
    List<OutcomeWriter.Outcome> batch = new ArrayList<>();
    for (RunningJob j : jobs) {
      batch.add(
          outcome(j, j == big ? Completion.warning(j.lease(), List.of("w".repeat(50_000))) : Completion.success(j.lease())));
    }

    writer.write(batch);

    assertThat(landed).containsOnlyKeys(jobs.stream().map(RunningJob::id).toList()).doesNotContainValue(false);
    JobInfo stored = memory.get(big.id()).orElseThrow();
    assertThat(stored.status()).isEqualTo(JobStatus.WARNING);
    assertThat(stored.warnings()).singleElement().asString()
        .hasSizeLessThan(OutcomeWriter.SHRUNK_TEXT_LENGTH + 200)
        .contains("cut short");
    assertThat(status(jobs.get(0))).isEqualTo(JobStatus.SUCCESS);
    assertThat(status(jobs.get(2))).isEqualTo(JobStatus.SUCCESS);
  }

  @Test
  void a_failing_write_is_not_retried_when_the_lease_may_run_out_before_the_next_try() {
    // Less lease left than the first back-off (50 ms): a retry could only come too late.
    List<RunningJob> jobs = claim(1, System.nanoTime() + Duration.ofMillis(30).toNanos());
    store.down(true);

    writer.write(List.of(outcome(jobs.get(0), Completion.success(jobs.get(0).lease()))));

    assertThat(landed).containsEntry(jobs.get(0).id(), false);
    assertThat(store.completeBatches()).containsExactly(1);
  }

  @Test
  void a_failing_write_is_retried_while_the_lease_holds() {
    List<RunningJob> jobs = claim(1, System.nanoTime() + LEASE.toNanos());
    store.down(true);
    RunningJob job = jobs.get(0);
    Thread healer =
        new Thread(
            () -> {
              Await.untilTrue("a first try", () -> !store.completeBatches().isEmpty());
              store.down(false);
            });
    healer.start();

    writer.write(List.of(outcome(job, Completion.success(job.lease()))));

    assertThat(landed).containsEntry(job.id(), true);
    assertThat(status(job)).isEqualTo(JobStatus.SUCCESS);
  }
}
