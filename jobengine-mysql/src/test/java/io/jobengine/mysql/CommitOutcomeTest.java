package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.mysql.CommitOutcome.Verdict;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import io.jobengine.spi.Lease;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a completion whose COMMIT was cut off is judged from the rows read again afterwards. */
class CommitOutcomeTest {
  private static final Lease LEASE = new Lease(JobId.generate(), "node-a", 7);

  @Test
  void a_success_that_is_in_the_row_and_the_history_landed() {
    assertThat(CommitOutcome.verdict(Completion.success(LEASE), "SUCCESS", 7L, "SUCCESS", "node-a"))
        .isEqualTo(Verdict.LANDED);
  }

  @Test
  void a_row_still_leased_with_the_token_means_the_commit_did_not_happen() {
    assertThat(CommitOutcome.verdict(Completion.success(LEASE), "RUNNING", 7L, "QUEUED", "node-a"))
        .isEqualTo(Verdict.NOT_LANDED);
  }

  @Test
  void a_lease_the_reaper_ended_meanwhile_does_not_pass_for_a_landed_completion() {
    // The reaper writes no history: the newest row is still the claim.
    assertThat(CommitOutcome.verdict(
            Completion.retry(LEASE, "boom", Duration.ofSeconds(1)), "PENDING", 7L, "QUEUED", "node-a"))
        .isEqualTo(Verdict.GONE);
  }

  @Test
  void a_row_claimed_again_or_gone_is_gone() {
    assertThat(CommitOutcome.verdict(Completion.success(LEASE), "RUNNING", 8L, "QUEUED", "node-b"))
        .isEqualTo(Verdict.GONE);
    assertThat(CommitOutcome.verdict(Completion.success(LEASE), null, null, null, null))
        .isEqualTo(Verdict.GONE);
  }

  @Test
  void a_release_of_a_job_whose_cancel_was_requested_lands_as_canceled() {
    assertThat(CommitOutcome.verdict(Completion.release(LEASE), "CANCELED", 7L, "CANCELED", "node-a"))
        .isEqualTo(Verdict.LANDED);
  }

  @Test
  void another_nodes_history_row_is_not_ours() {
    assertThat(CommitOutcome.verdict(Completion.success(LEASE), "SUCCESS", 7L, "SUCCESS", "node-b"))
        .isEqualTo(Verdict.GONE);
  }

  @Test
  void one_landed_write_means_the_transaction_committed_and_the_others_were_rejected_in_it() {
    JobId a = JobId.generate();
    JobId b = JobId.generate();
    assertThat(CommitOutcome.resultIfCommitted(Map.of(a, Verdict.LANDED, b, Verdict.GONE)))
        .isEqualTo(WriteResult.rejected(Set.of(b)));
  }

  @Test
  void a_live_lease_beside_a_landed_write_was_passed_over_for_a_row_lock() {
    JobId a = JobId.generate();
    JobId b = JobId.generate();
    assertThat(CommitOutcome.resultIfCommitted(Map.of(a, Verdict.LANDED, b, Verdict.NOT_LANDED)))
        .isEqualTo(new WriteResult(Set.of(), Set.of(b)));
  }

  @Test
  void no_landed_write_and_a_live_lease_means_nothing_was_committed() {
    JobId a = JobId.generate();
    JobId b = JobId.generate();
    assertThat(CommitOutcome.resultIfCommitted(Map.of(a, Verdict.NOT_LANDED, b, Verdict.GONE)))
        .isNull();
  }

  @Test
  void when_every_lease_moved_on_there_is_nothing_left_to_write() {
    JobId a = JobId.generate();
    assertThat(CommitOutcome.resultIfCommitted(Map.of(a, Verdict.GONE)))
        .isEqualTo(WriteResult.rejected(Set.of(a)));
  }
}
