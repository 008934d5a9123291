package io.jobengine.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobId;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a batched write did with each job: written, rejected or busy, never two of them. */
class WriteResultTest {

  @Test
  void a_job_is_rejected_or_busy_never_both() {
    JobId id = JobId.generate();
    assertThatThrownBy(() -> new WriteResult(Set.of(id), Set.of(id)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(id.toString());
  }

  @Test
  void the_sets_are_copied_and_all_written_means_neither() {
    JobId id = JobId.generate();
    Set<JobId> busy = new HashSet<>(Set.of(id));
    WriteResult result = new WriteResult(Set.of(), busy);
    busy.clear();
    assertThat(result.busy()).containsExactly(id);
    assertThat(result.allWritten()).isFalse();
    assertThat(WriteResult.rejected(Set.of())).isSameAs(WriteResult.ALL_WRITTEN);
    assertThat(WriteResult.ALL_WRITTEN.allWritten()).isTrue();
    assertThat(WriteResult.rejected(Set.of(id)).rejected()).containsExactly(id);
  }
}
