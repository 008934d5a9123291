package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.mysql.ClaimMemory.Claimer;
import io.jobengine.mysql.ClaimMemory.Position;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When the store's claims probe, resume, or read the queue from its start. */
class ClaimMemoryTest {
  private static final long RESCAN = ClaimMemory.RESCAN_INTERVAL.toNanos();

  private final AtomicLong nanos = new AtomicLong(1_000);
  private final ClaimMemory memory = new ClaimMemory(nanos::get, ClaimMemory.RESCAN_INTERVAL);
  private final Claimer mail = new Claimer("node-1", "mail", Set.of("send"));
  private final Position at = new Position(5, 1_000_000);

  @Test
  void a_claim_that_found_nothing_makes_the_next_one_probe_first() {
    memory.claimed(mail, 0, 8, null, true, nanos.get());

    assertThat(memory.idle(mail)).isTrue();
    assertThat(memory.resumeFrom(mail)).isNull();

    memory.claimed(mail, 8, 8, at, true, nanos.get());
    assertThat(memory.idle(mail)).isFalse();
  }

  @Test
  void a_full_claim_lets_the_next_resume_until_the_rescan_interval_has_passed() {
    long started = nanos.get();
    memory.claimed(mail, 8, 8, at, true, started);
    assertThat(memory.resumeFrom(mail)).isEqualTo(at);

    Position later = new Position(5, 2_000_000);
    nanos.addAndGet(RESCAN - 1);
    memory.claimed(mail, 8, 8, later, false, nanos.get());
    assertThat(memory.resumeFrom(mail)).as("a resumed claim moves the point on").isEqualTo(later);

    nanos.incrementAndGet();
    assertThat(memory.resumeFrom(mail))
        .as("a resumed claim does not restart the interval: the queue is read from its start")
        .isNull();

    memory.claimed(mail, 8, 8, later, true, nanos.get());
    assertThat(memory.resumeFrom(mail)).isEqualTo(later);
  }

  @Test
  void a_zero_rescan_interval_never_resumes() {
    ClaimMemory strict = new ClaimMemory(nanos::get, java.time.Duration.ZERO);
    strict.claimed(mail, 8, 8, at, true, nanos.get());

    assertThat(strict.resumeFrom(mail)).isNull();
  }

  @Test
  void a_claim_that_got_fewer_than_asked_makes_the_next_read_from_the_start() {
    memory.claimed(mail, 8, 8, at, true, nanos.get());
    memory.claimed(mail, 3, 8, at, false, nanos.get());

    assertThat(memory.resumeFrom(mail)).isNull();
    assertThat(memory.idle(mail)).isFalse();
  }

  @Test
  void a_job_enqueued_before_the_point_in_its_queue_drops_it() {
    Claimer other = new Claimer("node-1", "reports", Set.of("send"));
    memory.claimed(mail, 8, 8, at, true, nanos.get());
    memory.claimed(other, 8, 8, at, true, nanos.get());

    memory.enqueued("mail", 5, null);
    memory.enqueued("mail", 6, 0L);
    memory.enqueued("mail", 5, at.runAtMicros());
    assertThat(memory.resumeFrom(mail)).as("due now, or sorting after the point").isEqualTo(at);

    memory.enqueued("mail", 5, at.runAtMicros() - 1);
    assertThat(memory.resumeFrom(mail)).as("same priority, earlier run time").isNull();
    assertThat(memory.resumeFrom(other)).as("another queue").isEqualTo(at);

    memory.enqueued("reports", 4, null);
    assertThat(memory.resumeFrom(other)).as("higher priority, due now").isNull();
  }

  @Test
  void jobs_put_back_drop_every_point_but_keep_idle_claimers_idle() {
    Claimer idle = new Claimer("node-2", "mail", Set.of("send"));
    memory.claimed(mail, 8, 8, at, true, nanos.get());
    memory.claimed(idle, 0, 8, null, true, nanos.get());

    memory.forgetPositions();

    assertThat(memory.resumeFrom(mail)).isNull();
    assertThat(memory.idle(idle)).isTrue();
  }
}
