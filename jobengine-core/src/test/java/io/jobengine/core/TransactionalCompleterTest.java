package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.testing.InMemoryJobStore;
import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.JobStoppedException;
import io.jobengine.RetryPolicy;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of completion in the handler's transaction, on a store whose "transactions"
 * are a fake connection: what it writes after the handler returns, depending on whether the
 * handler committed.
 */
class TransactionalCompleterTest {
  private static final RetryPolicy FAST_RETRY =
      RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ZERO).jitter(0).build();

  private final InMemoryJobStore memory = InMemoryJobStore.create();
  private final TxStore store = new TxStore(memory);
  private final List<JobEngine> engines = new ArrayList<>();

  @AfterEach
  void stop() {
    engines.forEach(JobEngine::close);
  }

  /**
   * A store that writes a completion "in a transaction": it is applied when the fake connection
   * commits, dropped when it rolls back; counts the completions the engine writes itself.
   */
  static final class TxStore extends SwitchableStore {
    private final InMemoryJobStore memory;
    final AtomicInteger engineWrites = new AtomicInteger();
    final Set<Lease> committed = ConcurrentHashMap.newKeySet();
    volatile boolean refuse;

    TxStore(InMemoryJobStore memory) {
      super(memory);
      this.memory = memory;
    }

    @Override
    public WriteResult complete(List<Completion> completions) {
      engineWrites.addAndGet(completions.size());
      return super.complete(completions);
    }

    @Override
    public boolean completeInTransaction(Connection connection, Completion completion) {
      if (refuse) {
        return false;
      }
      ((FakeTransaction) Proxy.getInvocationHandler(connection)).pending = completion;
      return true;
    }

    @Override
    public boolean completionLanded(Completion completion) {
      return committed.contains(completion.lease());
    }

    Connection begin() {
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
              new FakeTransaction(this));
    }

    void commit(Completion c) {
      if (memory.complete(List.of(c)).allWritten()) {
        committed.add(c.lease());
      }
    }
  }

  /** commit() applies the completion written in it; rollback() and close() drop it. */
  static final class FakeTransaction implements InvocationHandler {
    private final TxStore store;
    volatile Completion pending;

    FakeTransaction(TxStore store) {
      this.store = store;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      switch (method.getName()) {
        case "commit" -> {
          if (pending != null) {
            store.commit(pending);
          }
          pending = null;
        }
        case "rollback", "close" -> pending = null;
        case "getAutoCommit" -> {
          return false;
        }
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "equals" -> {
          return proxy == args[0];
        }
        case "toString" -> {
          return "fake connection";
        }
        default -> {}
      }
      return null;
    }
  }

  /** A handler that runs {@code body} with a fresh fake connection, attempt by attempt. */
  private static JobHandler<String> handler(BiConsumer<JobContext, Connection> body, Connection[] c) {
    return new JobHandler<>() {
      @Override
      public String type() {
        return "ship";
      }

      @Override
      public Class<String> payloadType() {
        return String.class;
      }

      @Override
      public void run(String payload, JobContext ctx) {
        body.accept(ctx, c[0]);
      }
    };
  }

  private JobEngine start(JobStore on, JobHandler<?> handler) {
    JobEngine engine =
        JobEngine.builder().store(on).nodeName("node-1").discoverHandlers(false)
            .pollInterval(Duration.ofMillis(50)).retryPolicy(FAST_RETRY).handler(handler).start();
    engines.add(engine);
    return engine;
  }

  private static JobInfo awaitEnded(JobEngine engine, JobId id) {
    JobInfo job =
        Await.until("job " + id + " to end", () -> engine.client().get(id)
            .filter(j -> j.status().isTerminal()).orElse(null));
    Await.untilTrue("the engine to settle the job", () -> engine.activeJobs().isEmpty());
    return job;
  }

  @Test
  void a_completion_the_handler_committed_is_not_written_again() {
    Connection[] tx = {store.begin()};
    JobEngine engine = start(store, handler((ctx, c) -> {
      ctx.warn("partly shipped");
      ctx.completeInTransaction(c);
      try {
        c.commit();
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    }, tx));
    JobId id = engine.client().enqueue(JobRequest.of("ship", "x"));
    JobInfo job = awaitEnded(engine, id);
    assertThat(job.status()).isEqualTo(JobStatus.WARNING);
    assertThat(job.warnings()).containsExactly("partly shipped");
    assertThat(store.engineWrites).as("outcomes the engine wrote itself").hasValue(0);
  }

  @Test
  void a_handler_that_rolls_back_and_returns_fails_with_an_error_that_says_so() {
    Connection[] tx = {null};
    JobEngine engine = start(store, handler((ctx, c) -> {
      Connection mine = store.begin();
      ctx.completeInTransaction(mine);
      try {
        if (ctx.attempt() == 1) {
          mine.rollback();
        } else {
          mine.commit();
        }
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    }, tx));
    JobId id = engine.client().enqueue(JobRequest.of("ship", "x"));
    JobInfo job = awaitEnded(engine, id);
    assertThat(job.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(job.lastError()).contains("that transaction did not commit");
    assertThat(store.engineWrites).as("only the first attempt's RETRY").hasValue(1);
  }

  @Test
  void a_refused_completion_tells_the_handler_that_its_lease_was_lost() {
    store.refuse = true;
    AtomicReference<JobStoppedException> told = new AtomicReference<>();
    Connection[] tx = {store.begin()};
    JobEngine engine = start(store, handler((ctx, c) -> {
      try {
        ctx.completeInTransaction(c);
      } catch (JobStoppedException e) {
        told.compareAndSet(null, e);
        throw e;
      }
    }, tx));
    JobId id = engine.client().enqueue(JobRequest.of("ship", "x"));
    awaitEnded(engine, id);
    assertThat(told.get()).isNotNull();
    assertThat(told.get().reason()).isEqualTo(JobStoppedException.Reason.LEASE_LOST);
    assertThat(told.get()).hasMessageContaining("roll the transaction back");
  }

  @Test
  void a_store_without_transactions_says_so() {
    AtomicReference<RuntimeException> told = new AtomicReference<>();
    JobEngine engine = start(memory, handler((ctx, c) -> {
      try {
        ctx.completeInTransaction(store.begin());
      } catch (UnsupportedOperationException e) {
        told.compareAndSet(null, e);
      }
    }, new Connection[1]));
    JobId id = engine.client().enqueue(JobRequest.of("ship", "x"));
    assertThat(awaitEnded(engine, id).status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(told.get()).hasMessageContaining("does not take part in JDBC transactions");
  }
}
