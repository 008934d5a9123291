package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import io.jobengine.spi.Lease;
import io.jobengine.spi.NewJob;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A completion whose COMMIT is cut off (issue 9, defect 3): the connection breaks with the COMMIT
 * sent, and the store must judge soundly whether it landed, also when the COMMIT reaches the server
 * only after the store has seen the break.
 */
class CutCommitTest {

  private static final Duration DELAY = Duration.ofMillis(400);

  private static String prefix;
  private static CutCommitProxy proxy;
  private static MySqlJobStore store;

  @BeforeAll
  static void start() throws Exception {
    prefix = TestDatabase.uniquePrefix("cut");
    TestDatabase.Target t = TestDatabase.target();
    proxy = new CutCommitProxy(t.url(), DELAY);
    store =
        MySqlJobStore.builder()
            .jdbcUrl(proxy.url(t.url()), t.user(), t.password())
            .poolSize(2)
            .tablePrefix(prefix)
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    proxy.close();
  }

  @Test
  void a_commit_that_reaches_the_server_after_the_client_saw_the_break_is_not_misjudged()
      throws Exception {
    Lease lease = enqueueAndClaim();
    proxy.cutNextCommit(CutCommitProxy.Cut.DELAY);

    // Before the fix the re-read ran before the late COMMIT, saw the row still leased, and
    // reported the write as not committed; the engine's retry was then refused by the fence.
    WriteResult written = store.complete(List.of(Completion.success(lease)));

    assertThat(proxy.awaitCutDone(Duration.ofSeconds(10))).as("the proxy cut a COMMIT").isTrue();
    assertThat(written).as("the completion stands, its lease not reported lost")
        .isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(store.get(lease.jobId()).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
    assertWrittenOnce(lease.jobId());
  }

  @Test
  void a_commit_that_landed_before_the_client_saw_the_break_is_judged_landed() throws Exception {
    Lease lease = enqueueAndClaim();
    proxy.cutNextCommit(CutCommitProxy.Cut.FORWARD);

    WriteResult written = store.complete(List.of(Completion.success(lease)));

    assertThat(proxy.awaitCutDone(Duration.ofSeconds(10))).isTrue();
    // Had it been judged not landed, the second write would have been rejected by the fence.
    assertThat(written).isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(store.get(lease.jobId()).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
    assertWrittenOnce(lease.jobId());
  }

  @Test
  void a_commit_that_never_reaches_the_server_is_judged_not_landed_and_written_again()
      throws Exception {
    Lease lease = enqueueAndClaim();
    proxy.cutNextCommit(CutCommitProxy.Cut.DROP);

    // The dropped COMMIT's session stays open on the server, holding the row lock, until the
    // store ends it; then the re-read shows the row still leased and the write is made again.
    WriteResult written = store.complete(List.of(Completion.success(lease)));

    assertThat(proxy.awaitCutDone(Duration.ofSeconds(10))).isTrue();
    assertThat(written).isEqualTo(WriteResult.ALL_WRITTEN);
    assertThat(store.get(lease.jobId()).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
    assertWrittenOnce(lease.jobId());
  }

  private static Lease enqueueAndClaim() {
    NewJob job =
        new NewJob(JobId.generate(), "t", "default", 0, "{}", null, Duration.ZERO, 3, null, null);
    store.enqueue(List.of(job));
    return store
        .claim(new ClaimRequest("node-1", "default", Set.of("t"), 1, Duration.ofSeconds(30)))
        .get(0)
        .lease();
  }

  /** The job's history ends with one SUCCESS row: written once, never twice. */
  private static void assertWrittenOnce(JobId id) throws SQLException {
    List<String> events = TestDatabase.events(prefix, id);
    assertThat(events).last().isEqualTo("SUCCESS");
    assertThat(events).filteredOn("SUCCESS"::equals).hasSize(1);
  }
}
