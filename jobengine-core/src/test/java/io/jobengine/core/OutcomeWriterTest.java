package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 2: one outcome the store refuses for its data must not cost the other jobs of
 * its batch their results, and no write is retried once its lease may have run out. Defect 6: an
 * outcome whose row another session holds locked (reported busy) costs the others nothing either:
 * it is put aside and written again later, while its lease may hold, without holding up the writer.
 */
class OutcomeWriterTest {

  private static final Duration LEASE = Duration.ofMinutes(1);

  private final InMemoryJobStore memory = InMemoryJobStore.create();
  private final SwitchableStore store = new SwitchableStore(memory);
  private final OutcomeWriter writer = new OutcomeWriter(store, "node-1");
  private final Map<JobId, Boolean> landed = new ConcurrentHashMap<>();
  private final LogCapture log = LogCapture.of(OutcomeWriter.class.getName(), Level.DEBUG);

  @AfterEach
  void stop() {
    writer.stop(Duration.ofSeconds(5));
    log.close();
  }

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

  @Test
  void an_outcome_whose_row_is_locked_waits_aside_while_the_others_land_then_lands_once_free() {
    List<RunningJob> jobs = claim(3, System.nanoTime() + LEASE.toNanos());
    RunningJob locked = jobs.get(1);
    store.lockRow(locked.id(), true);
    writer.start();

    jobs.forEach(j -> writer.submit(j, Completion.success(j.lease()), ok -> landed.put(j.id(), ok)));

    Await.untilTrue("the free outcomes to land", () -> landed.size() == 2);
    assertThat(landed).doesNotContainKey(locked.id()).doesNotContainValue(false);
    assertThat(status(locked)).isEqualTo(JobStatus.RUNNING);
    // Tried again while locked, and meanwhile the writer takes other outcomes.
    Await.untilTrue("a second try of the held outcome", () -> store.completeBatches().size() >= 3);
    List<RunningJob> later = claim(1, System.nanoTime() + LEASE.toNanos());
    writer.submit(later.get(0), Completion.success(later.get(0).lease()), ok -> landed.put(later.get(0).id(), ok));
    Await.untilTrue("a later outcome to land", () -> landed.containsKey(later.get(0).id()));
    assertThat(landed).doesNotContainKey(locked.id());

    store.lockRow(locked.id(), false);

    Await.untilTrue("the held outcome to land", () -> landed.containsKey(locked.id()));
    assertThat(landed).containsEntry(locked.id(), true);
    assertThat(status(locked)).isEqualTo(JobStatus.SUCCESS);
    List<LogCapture.Line> warned =
        log.containing("holds its row lock").stream().filter(l -> l.level() == Level.WARN).toList();
    assertThat(warned).as("one WARN for the held job").singleElement()
        .satisfies(l -> assertThat(l.mdc()).containsEntry(JobMdc.JOB_ID, locked.id().toString()));
  }

  @Test
  void an_outcome_passed_over_once_for_a_row_lock_lands_on_the_next_try_without_a_warning() {
    // As when this node's own lease renewal held the row for the moment of its transaction.
    List<RunningJob> jobs = claim(2, System.nanoTime() + LEASE.toNanos());
    RunningJob held = jobs.get(0);
    store.lockRowForOneWrite(held.id());
    writer.start();

    jobs.forEach(j -> writer.submit(j, Completion.success(j.lease()), ok -> landed.put(j.id(), ok)));

    Await.untilTrue("both outcomes to land", () -> landed.size() == 2);
    assertThat(landed).containsEntry(held.id(), true).doesNotContainValue(false);
    assertThat(status(held)).isEqualTo(JobStatus.SUCCESS);
    assertThat(log.containing("row lock"))
        .as("a single pass-over is no warning")
        .allSatisfy(l -> assertThat(l.level()).isEqualTo(Level.DEBUG))
        .isNotEmpty();
  }

  @Test
  void an_outcome_whose_row_stays_locked_is_given_up_when_its_lease_may_run_out() {
    // Less lease left than a few back-offs: given up once the next try could come too late.
    List<RunningJob> jobs = claim(2, System.nanoTime() + Duration.ofMillis(300).toNanos());
    RunningJob locked = jobs.get(0);
    store.lockRow(locked.id(), true);
    writer.start();

    jobs.forEach(j -> writer.submit(j, Completion.success(j.lease()), ok -> landed.put(j.id(), ok)));

    Await.untilTrue("both settled", () -> landed.size() == 2);
    assertThat(landed).containsEntry(locked.id(), false).containsEntry(jobs.get(1).id(), true);
    assertThat(status(locked)).isEqualTo(JobStatus.RUNNING);
    assertThat(log.containing("giving up: once the lock is released")).singleElement()
        .satisfies(l -> assertThat(l.level()).isEqualTo(Level.ERROR));
  }

  @Test
  void a_held_outcome_is_given_up_when_the_writer_stops() {
    List<RunningJob> jobs = claim(1, System.nanoTime() + LEASE.toNanos());
    store.lockRow(jobs.get(0).id(), true);
    writer.start();
    writer.submit(jobs.get(0), Completion.success(jobs.get(0).lease()), ok -> landed.put(jobs.get(0).id(), ok));
    Await.untilTrue("put aside", () -> writer.putAside() == 1);

    writer.stop(Duration.ofSeconds(5));

    assertThat(landed).containsEntry(jobs.get(0).id(), false);
    assertThat(log.containing("the engine is stopping; giving up")).hasSize(1);
  }

  @Test
  void busy_back_off_doubles_up_to_its_cap() {
    assertThat(OutcomeWriter.busyBackoff(0)).isEqualTo(Duration.ofMillis(50));
    assertThat(OutcomeWriter.busyBackoff(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(OutcomeWriter.busyBackoff(10)).isEqualTo(Duration.ofSeconds(2));
    assertThat(OutcomeWriter.busyBackoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(2));
  }
}
