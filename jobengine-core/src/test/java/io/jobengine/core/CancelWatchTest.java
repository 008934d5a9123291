package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.CancelResult;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import io.jobengine.spi.NewJob;
import io.jobengine.testing.InMemoryJobStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 11: cancels requested elsewhere reach the handler within about a second, by a
 * read that a node makes only while it holds running jobs.
 */
class CancelWatchTest {

  private final InMemoryJobStore memory = InMemoryJobStore.create();
  private final AtomicInteger reads = new AtomicInteger();
  private final JobStore store =
      new SwitchableStore(memory) {
        @Override
        public Set<JobId> cancelRequests(Collection<Lease> held) {
          reads.incrementAndGet();
          return super.cancelRequests(held);
        }
      };
  private final Map<JobId, RunningJob> active = new ConcurrentHashMap<>();
  private final CancelWatch watch = new CancelWatch(store, active.values());

  @Test
  void an_idle_node_asks_the_store_nothing() {
    watch.checkOnce();
    watch.checkOnce();

    assertThat(reads).hasValue(0);
  }

  @Test
  void a_cancel_requested_elsewhere_stops_the_handler_at_the_next_look() {
    RunningJob canceled = claim();
    RunningJob other = claim();
    watch.checkOnce();
    assertThat(canceled.stopReason()).isNull();

    assertThat(memory.cancel(canceled.id())).isEqualTo(CancelResult.CANCEL_REQUESTED);
    watch.checkOnce();

    assertThat(canceled.stopReason()).isEqualTo(Reason.CANCELED);
    assertThat(other.stopReason()).isNull();
    assertThat(reads).hasValue(2);
  }

  @Test
  void jobs_already_asked_to_stop_or_ended_are_not_asked_about() {
    RunningJob stopped = claim();
    stopped.requestStop(Reason.SHUTDOWN);
    RunningJob ended = claim();
    assertThat(ended.claimOutcome()).isTrue();

    watch.checkOnce();

    assertThat(reads).hasValue(0);
  }

  private RunningJob claim() {
    NewJob job = new NewJob(JobId.generate(), "t", "default", 0, "\"x\"", null, Duration.ZERO, 3, null, null);
    memory.enqueue(List.of(job));
    List<ClaimedJob> claimed =
        memory.claim(new ClaimRequest("node-1", "default", Set.of("t"), 1, Duration.ofSeconds(30)));
    RunningJob running =
        new RunningJob(claimed.get(0), JobHandler.of("t", String.class, (p, ctx) -> {}), null, 0);
    active.put(running.id(), running);
    return running;
  }
}
