package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.RetryPolicy;
import io.jobengine.core.JobEngine;
import io.jobengine.mysql.MySqlJobStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Handlers that write an effect row and complete their job in the same transaction, on one engine
 * and MariaDB/MySQL: every job ends with exactly one effect row, and a transaction that did not
 * commit leaves neither the effect nor the job's end.
 */
class TransactionalCompletionEngineTest {
  private static final String PREFIX = "txe_";

  private final FaultDatabase db = FaultDatabase.get();
  private MySqlJobStore store;
  private HikariDataSource handlerPool;
  private JobEngine engine;

  /** What the handler does after writing its effect and completing the job in its transaction. */
  public enum Then {
    /** Commits. */
    COMMIT,
    /** Throws on the first attempt, so the transaction rolls back; commits on the next. */
    THROW_FIRST,
    /** Rolls back and returns normally on the first attempt; commits on the next. */
    ROLL_BACK_FIRST,
    /** Commits, then throws: the job's end stands. */
    COMMIT_THEN_THROW
  }

  /** The payload. */
  public record Order(int n, Then then) {}

  /** Writes an effect row keyed by job and fencing token, and completes in the same transaction. */
  final class Ship implements JobHandler<Order> {
    @Override
    public String type() {
      return "tx-ship";
    }

    @Override
    public Class<Order> payloadType() {
      return Order.class;
    }

    @Override
    public Optional<RetryPolicy> retryPolicy() {
      return Optional.of(FaultHandlers.QUICK_RETRIES);
    }

    @Override
    public void run(Order order, JobContext ctx) throws Exception {
      boolean first = ctx.attempt() == 1;
      try (Connection c = handlerPool.getConnection()) {
        c.setAutoCommit(false);
        try (PreparedStatement s =
            c.prepareStatement("INSERT INTO " + effects() + " (job_id, token) VALUES (?, ?)")) {
          s.setBytes(1, ctx.jobId().toBytes());
          s.setLong(2, ctx.fencingToken());
          s.executeUpdate();
        }
        if (order.n() % 3 == 0) {
          ctx.warn("order " + order.n() + " shipped partly");
        }
        ctx.completeInTransaction(c);
        switch (order.then()) {
          case COMMIT -> c.commit();
          case THROW_FIRST -> {
            if (first) {
              throw new IllegalStateException("the shipment service failed after the completion");
            }
            c.commit();
          }
          case ROLL_BACK_FIRST -> {
            if (first) {
              c.rollback();
              return;
            }
            c.commit();
          }
          case COMMIT_THEN_THROW -> {
            c.commit();
            throw new IllegalStateException("failed after the commit");
          }
        }
      }
    }
  }

  private static String effects() {
    return "`" + PREFIX + "effect`";
  }

  @BeforeEach
  void start() {
    db.execute(
        "DROP TABLE IF EXISTS `" + PREFIX + "job`, `" + PREFIX + "job_event`, `" + PREFIX
            + "node`, `" + PREFIX + "schema_version`, " + effects(),
        "CREATE TABLE " + effects() + " (job_id BINARY(16) NOT NULL, token BIGINT NOT NULL,"
            + " PRIMARY KEY (job_id, token)) ENGINE=InnoDB");
    store =
        MySqlJobStore.builder().jdbcUrl(db.url(), db.user(), db.password()).tablePrefix(PREFIX)
            .build();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.url());
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(4);
    config.setPoolName("tx-handlers");
    handlerPool = new HikariDataSource(config);
    engine =
        JobEngine.builder().store(store).nodeName("tx-node").queue("default", 4)
            .discoverHandlers(false).handler(new Ship()).pollInterval(Duration.ofMillis(50))
            .start();
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    if (handlerPool != null) {
      handlerPool.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private List<JobId> enqueue(int count, Then then) {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      requests.add(JobRequest.builder("tx-ship").payload(new Order(i, then)).maxAttempts(3).build());
    }
    return engine.client().enqueueAll(requests);
  }

  private void awaitEnded(List<JobId> ids) {
    Cluster.await("the jobs to end", Duration.ofSeconds(60), () -> {
      for (JobId id : ids) {
        if (!store.get(id).orElseThrow().status().isTerminal()) {
          return null;
        }
      }
      return Boolean.TRUE;
    });
  }

  private long count(String sqlAfterFrom, Object... args) {
    return db.count("SELECT COUNT(*) FROM " + sqlAfterFrom, args);
  }

  private void assertOneEffectPerEndedJob(int jobs) {
    String job = "`" + PREFIX + "job`";
    assertThat(count(job + " WHERE status IN ('SUCCESS','WARNING')")).isEqualTo(jobs);
    assertThat(count(effects())).as("effect rows").isEqualTo(jobs);
    assertThat(
            count(job + " j JOIN " + effects() + " e ON e.job_id = j.id AND e.token = j.lease_token"))
        .as("effects written by the attempt whose completion stands").isEqualTo(jobs);
    assertThat(
            db.rows(
                "SELECT HEX(j.id), (SELECT COUNT(*) FROM `" + PREFIX + "job_event` v WHERE"
                    + " v.job_id = j.id AND v.status IN ('SUCCESS','WARNING')) ends FROM " + job
                    + " j HAVING ends <> 1"))
        .as("jobs whose history does not show exactly one end").isEmpty();
  }

  @Test
  void every_job_ends_with_exactly_one_effect_committed_in_its_handlers_transaction() {
    List<JobId> ids = enqueue(40, Then.COMMIT);
    awaitEnded(ids);
    assertOneEffectPerEndedJob(ids.size());
    for (JobId id : ids) {
      JobInfo job = store.get(id).orElseThrow();
      assertThat(job.attempt()).isEqualTo(1);
      assertThat(job.leaseOwner()).isNull();
    }
    assertThat(count("`" + PREFIX + "job` WHERE status = 'WARNING' AND warnings LIKE '%shipped partly%'"))
        .as("jobs that warned end in WARNING with their warnings").isEqualTo(14);
  }

  @Test
  void a_handler_that_throws_after_completing_is_retried_and_its_first_effect_rolled_back() {
    List<JobId> ids = enqueue(10, Then.THROW_FIRST);
    awaitEnded(ids);
    assertOneEffectPerEndedJob(ids.size());
    for (JobId id : ids) {
      JobInfo job = store.get(id).orElseThrow();
      assertThat(job.attempt()).as("retried once").isEqualTo(2);
      assertThat(job.lastError()).contains("the shipment service failed after the completion");
    }
  }

  @Test
  void a_handler_that_rolls_back_and_returns_is_retried_with_an_error_that_says_so() {
    List<JobId> ids = enqueue(5, Then.ROLL_BACK_FIRST);
    awaitEnded(ids);
    assertOneEffectPerEndedJob(ids.size());
    for (JobId id : ids) {
      JobInfo job = store.get(id).orElseThrow();
      assertThat(job.attempt()).isEqualTo(2);
      assertThat(job.lastError()).contains("that transaction did not commit");
    }
  }

  @Test
  void a_handler_that_throws_after_its_commit_keeps_the_committed_end() {
    List<JobId> ids = enqueue(5, Then.COMMIT_THEN_THROW);
    awaitEnded(ids);
    assertOneEffectPerEndedJob(ids.size());
    for (JobId id : ids) {
      JobInfo job = store.get(id).orElseThrow();
      assertThat(job.attempt()).as("not run again").isEqualTo(1);
      assertThat(job.lastError()).isNull();
    }
    Cluster.await("the engine to settle the jobs", Duration.ofSeconds(10),
        () -> engine.activeJobs().isEmpty() ? Boolean.TRUE : null);
  }
}
