package io.jobengine.testing;

import io.jobengine.JobClient;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobNames;
import io.jobengine.PayloadCodec;
import io.jobengine.RetryPolicy;
import io.jobengine.core.JobEngine;
import io.jobengine.core.SteppedEngine;
import io.jobengine.spi.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A job engine that a test steps by hand, so that handlers can be tested deterministically: no
 * loop claims on its own, no thread runs a job, and time moves only when the test moves its
 * {@link SettableClock}. Each step is one part of what a running {@link JobEngine} does, done at
 * once on the test's thread:
 *
 * <ul>
 *   <li>{@link #claimOnce()}: one pass of the dispatcher; claims the due jobs for the free slots of
 *       each queue (a queue's threads are its slots), as the running engine does.
 *   <li>{@link #runClaimed()}: runs the claimed jobs on the calling thread, each to its outcome,
 *       written to the store before the call returns.
 *   <li>{@link #runDue()}: the two above, repeated until no job is due.
 *   <li>{@link #renewOnce()}: one lease renewal; it tells running handlers about cancel requests
 *       and lost leases, as the heartbeat does.
 *   <li>{@link #reapOnce()}: one pass of the lease reaper, which puts back jobs whose lease has
 *       expired by the store's clock.
 * </ul>
 *
 * <pre>{@code
 * ManualJobEngine engine =
 *     ManualJobEngine.builder().handler(new SendInvoiceHandler(mailer)).start();
 * JobId id =
 *     engine.client().enqueue(JobRequest.of("send-invoice", new Invoice("ada@example.com", 4200)));
 * engine.runDue(); // claims the job and runs it on this thread
 * assertThat(engine.client().get(id).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
 * }</pre>
 *
 * (From {@code SendInvoiceHandlerTest} in jobengine-core's tests, which the README quotes.)
 *
 * <p>The parts are the engine's own (dispatcher, job runner, retry and outcome rules, lease keeper),
 * so a handler meets the same {@link io.jobengine.JobContext}, retries, fencing and stop signals as
 * in production. By default the engine keeps its jobs in an {@link InMemoryJobStore} that reads
 * the engine's {@link SettableClock}: advance the clock to make a retry due or a lease expire.
 * Retry delays carry the policy's random jitter: use a policy with {@code jitter(0)} for exact
 * delays, or advance the clock by the longest delay the jitter allows.
 *
 * <p>What differs from a running engine: nothing happens between steps; a handler's exception
 * (an assertion inside it, too) is its job's failure, not the test's, so assert on the job
 * afterwards; progress is written when an attempt ends, not while it runs; an attempt with a
 * timeout is still interrupted at its timeout, by a timer thread made for that alone. Not
 * thread-safe: step it from one thread. {@link #close()} releases the jobs claimed but not run and
 * does not close the store.
 */
public final class ManualJobEngine implements JobEngine {

  private static final int MAX_ROUNDS = 10_000;

  private final SteppedEngine engine;
  private final JobStore store;
  private final SettableClock clock;

  private ManualJobEngine(SteppedEngine engine, JobStore store, SettableClock clock) {
    this.engine = engine;
    this.store = store;
    this.clock = clock;
  }

  /**
   * A builder with the defaults: an in-memory store on a settable clock that starts at the time
   * of {@link Builder#start()}, node {@value Builder#DEFAULT_NODE_NAME}, and the defaults of {@link
   * JobEngine.Builder} otherwise (but for handler discovery, which is off).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The clock of the engine and, unless another store was given, of its store.
   *
   * @return the clock; advance it to make delayed jobs and retries due, or leases expire
   */
  public SettableClock clock() {
    return clock;
  }

  /**
   * @return the store the engine claims from and writes to
   */
  public JobStore store() {
    return store;
  }

  /**
   * One pass of the dispatcher: claims the jobs due now for the free slots of each queue and holds
   * them, RUNNING in the store, for {@link #runClaimed()}. A slot is free again once its job has
   * run.
   *
   * @return how many jobs it claimed
   * @throws IllegalStateException if the engine is closed
   */
  public int claimOnce() {
    return engine.claimOnce();
  }

  /**
   * Runs every claimed job on the calling thread, in claim order: decodes its payload, runs its
   * handler, and writes the outcome (SUCCESS, WARNING, a retry with backoff, FAILURE, CANCELED, or
   * a release), as the running engine would. A job whose lease was lost or that was canceled
   * meanwhile still runs, with its stop already requested: its handler sees {@link
   * io.jobengine.JobContext#isStopRequested()} and {@link io.jobengine.JobContext#checkpoint()}
   * throws.
   *
   * @return how many jobs ran
   * @throws IllegalStateException if the engine is closed
   */
  public int runClaimed() {
    return engine.runClaimed();
  }

  /**
   * Runs the jobs already claimed, then claims and runs until a claim finds no job due: every job
   * due at the clock's time runs, and so does each retry that falls due without the clock moving
   * (a zero backoff), until its attempts are used up.
   *
   * @return how many attempts ran
   * @throws IllegalStateException if the engine is closed, or if jobs still fell due after 10,000
   *     claims (handlers that keep enqueueing due jobs)
   */
  public int runDue() {
    int ran = engine.runClaimed();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      if (engine.claimOnce() == 0) {
        return ran;
      }
      ran += engine.runClaimed();
    }
    throw new IllegalStateException(
        "Jobs were still due after " + MAX_ROUNDS + " claims (" + ran + " attempts ran); do the "
            + "handlers keep enqueueing jobs that are due at once?");
  }

  /**
   * One lease renewal, as the heartbeat does it: extends the leases of the claimed jobs by the
   * lease duration from the store's clock, and asks the handlers of canceled jobs and of jobs whose
   * lease was lost to stop.
   *
   * @throws IllegalStateException if the engine is closed
   */
  public void renewOnce() {
    engine.renewOnce();
  }

  /**
   * One pass of the lease reaper: every job whose lease has expired by the store's clock, of any
   * node, goes back to PENDING (or to FAILURE when its attempts are used up, or CANCELED when its
   * cancel was requested), with {@code "lease of node ... expired"} as its last error.
   *
   * @throws IllegalStateException if the engine is closed
   */
  public void reapOnce() {
    engine.reapOnce();
  }

  /**
   * The client: enqueue, read, cancel and retry jobs. A cancel of a claimed job reaches its handler
   * at once.
   *
   * @return the client
   */
  @Override
  public JobClient client() {
    return engine.client();
  }

  @Override
  public String nodeName() {
    return engine.nodeName();
  }

  @Override
  public boolean isRunning() {
    return engine.isRunning();
  }

  /**
   * The jobs claimed and not yet ended on this engine.
   *
   * @return their ids
   */
  @Override
  public Set<JobId> activeJobs() {
    return engine.activeJobs();
  }

  /**
   * Releases the jobs claimed but not run (their attempt is given back) and marks the node
   * stopped. Idempotent. Does not close the store, so the jobs stay readable.
   */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return "ManualJobEngine[" + engine.nodeName() + ", " + clock + ", " + store + "]";
  }

  /**
   * Builds and starts a {@link ManualJobEngine}. Each setter checks its value as {@link
   * JobEngine.Builder}'s does; {@link #start()} does not change the builder. Not thread-safe.
   */
  public static final class Builder {
    /** The node name unless one is set. */
    public static final String DEFAULT_NODE_NAME = "manual-node";

    private SettableClock clock;
    private JobStore store;
    private String nodeName = DEFAULT_NODE_NAME;
    private final Map<String, Integer> queues = new LinkedHashMap<>();
    private final List<JobHandler<?>> handlers = new ArrayList<>();
    private boolean discoverHandlers;
    private Duration leaseDuration = JobEngine.Builder.DEFAULT_LEASE_DURATION;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private PayloadCodec codec;

    private Builder() {}

    /**
     * The clock of the engine, and of the in-memory store the engine makes unless {@link
     * #store(JobStore)} is given. Default: a new clock at the time of {@link #start()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(SettableClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The store. Default: a new {@link InMemoryJobStore} on the engine's clock. A store of your own
     * keeps its own time: build an {@code InMemoryJobStore} on the same {@link SettableClock} (and
     * give that clock here too) to move both together.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(JobStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * @param nodeName the node's name, the lease owner of the jobs it claims; see {@link
     *     JobNames#NODE}. Default {@value #DEFAULT_NODE_NAME}.
     * @return this builder
     * @throws IllegalArgumentException if invalid
     */
    public Builder nodeName(String nodeName) {
      this.nodeName = JobNames.requireNode(nodeName);
      return this;
    }

    /**
     * Claims jobs of {@code queue}, at most {@code slots} at a time: a claim takes as many as the
     * slots left free by jobs claimed and not yet run. Without any call, the engine serves {@value
     * JobEngine.Builder#DEFAULT_QUEUE} with {@value JobEngine.Builder#DEFAULT_THREADS} slots.
     *
     * @param queue the queue name; see {@link JobNames#QUEUE}
     * @param slots from 1 to {@value JobEngine.Builder#MAX_THREADS}
     * @return this builder
     * @throws IllegalArgumentException as {@link JobEngine.Builder#queue(String, int)}
     */
    public Builder queue(String queue, int slots) {
      JobEngine.builder().queue(queue, slots); // the same checks as the running engine's
      if (queues.containsKey(queue)) {
        throw new IllegalArgumentException(
            "Queue '" + queue + "' is already configured with " + queues.get(queue) + " slots");
      }
      queues.put(queue, slots);
      return this;
    }

    /**
     * Registers a handler. One per type: a second one for a type fails at {@link #start()}.
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder handler(JobHandler<?> handler) {
      handlers.add(Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /**
     * Whether {@link #start()} also loads handlers through {@link java.util.ServiceLoader}. Off by
     * default, unlike the running engine: a test names the handlers it tests.
     *
     * @param discover true to discover handlers too
     * @return this builder
     */
    public Builder discoverHandlers(boolean discover) {
      this.discoverHandlers = discover;
      return this;
    }

    /**
     * How long a claim lasts without renewal, by the store's clock. Default 30 s.
     *
     * @param leaseDuration the lease
     * @return this builder
     * @throws IllegalArgumentException as {@link JobEngine.Builder#leaseDuration(Duration)}
     */
    public Builder leaseDuration(Duration leaseDuration) {
      JobEngine.builder().leaseDuration(leaseDuration);
      this.leaseDuration = leaseDuration;
      return this;
    }

    /**
     * The retry policy of handlers that have none. Default: {@link RetryPolicy#defaults()}.
     *
     * @param retryPolicy the policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * The payload codec. Default: the running engine's default.
     *
     * @param codec the codec
     * @return this builder
     */
    public Builder payloadCodec(PayloadCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Checks the configuration, registers the node with the store, and returns the engine, with
     * nothing claimed yet.
     *
     * @return the engine
     * @throws IllegalStateException as {@link JobEngine.Builder#start()}: no handler, or two for
     *     one type
     */
    public ManualJobEngine start() {
      SettableClock engineClock =
          clock != null
              ? clock
              : new SettableClock(Clock.systemUTC().instant().truncatedTo(ChronoUnit.MILLIS));
      JobStore engineStore =
          store != null ? store : InMemoryJobStore.builder().clock(engineClock).build();
      JobEngine.Builder config =
          JobEngine.builder()
              .store(engineStore)
              .clock(engineClock)
              .nodeName(nodeName)
              .discoverHandlers(discoverHandlers)
              .leaseDuration(leaseDuration)
              .retryPolicy(retryPolicy);
      queues.forEach(config::queue);
      handlers.forEach(config::handler);
      if (codec != null) {
        config.payloadCodec(codec);
      }
      return new ManualJobEngine(SteppedEngine.start(config), engineStore, engineClock);
    }

    @Override
    public String toString() {
      return "ManualJobEngine.Builder{clock=" + clock + ", store=" + store + ", nodeName="
          + nodeName + ", queues=" + queues + ", handlers=" + handlers.size()
          + ", discoverHandlers=" + discoverHandlers + ", leaseDuration=" + leaseDuration
          + ", retryPolicy=" + retryPolicy + ", codec=" + codec + "}";
    }
  }
}
