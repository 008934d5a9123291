package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobClient;
import io.jobengine.JobHandler;
import io.jobengine.JobRequest;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.testing.InMemoryJobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 6: a progress report whose row another session holds locked (reported busy)
 * costs the other reports of its flush nothing, and is kept for the next flush.
 */
class ProgressFlusherTest {

  private static final Duration LEASE = Duration.ofMinutes(1);

  private final InMemoryJobStore memory = InMemoryJobStore.create();
  private final SwitchableStore store = new SwitchableStore(memory);
  private final ProgressFlusher flusher = new ProgressFlusher(store);

  @Test
  void a_report_whose_row_is_locked_is_kept_for_the_next_flush_while_the_others_land() {
    JobClient client = JobClient.of(memory);
    client.enqueue(JobRequest.of("t", "a"));
    client.enqueue(JobRequest.of("t", "b"));
    List<ClaimedJob> claimed =
        memory.claim(new ClaimRequest("node-1", "default", Set.of("t"), 2, LEASE));
    JobHandler<String> handler = JobHandler.of("t", String.class, (p, ctx) -> {});
    List<RunningJob> jobs = new ArrayList<>();
    claimed.forEach(c -> jobs.add(new RunningJob(c, handler, null, System.nanoTime() + LEASE.toNanos())));
    RunningJob locked = jobs.get(0);
    RunningJob free = jobs.get(1);
    jobs.forEach(j -> j.progress(40, "forty"));
    store.lockRow(locked.id(), true);

    flusher.flushAll(jobs);

    assertThat(memory.get(free.id()).orElseThrow().progressPercent()).isEqualTo(40);
    assertThat(memory.get(locked.id()).orElseThrow().progressPercent()).isNull();
    assertThat(locked.stopReason()).as("busy is no lost lease").isNull();

    store.lockRow(locked.id(), false);
    flusher.flushAll(jobs);

    assertThat(memory.get(locked.id()).orElseThrow().progressPercent()).isEqualTo(40);
    assertThat(memory.get(locked.id()).orElseThrow().progressMessage()).isEqualTo("forty");
    assertThat(locked.takeReport()).as("nothing left to report").isNull();
  }
}
