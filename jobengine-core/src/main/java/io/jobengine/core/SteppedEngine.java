package io.jobengine.core;

import io.jobengine.JobClient;
import io.jobengine.JobId;
import io.jobengine.spi.Completion;
import io.jobengine.spi.JobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <b>Internal:</b> an engine whose steps its caller runs, with no loop of its own. It is the
 * implementation of {@code io.jobengine.testing.ManualJobEngine}, the supported way to use it;
 * this class is public only so that the testing package can reach the engine's package-private
 * parts, and it may change in any release.
 *
 * <p>Its parts are those of the running engine ({@link DefaultJobEngine}), wired for stepping:
 *
 * <ul>
 *   <li>{@link #claimOnce()} is one pass of the {@link Dispatcher}: it claims for the free slots of
 *       each queue's {@link WorkerPool} as the running engine does, without the linger for partly
 *       free pools. The pools hand their {@link JobRunner}s to {@link HeldTasks}, which holds them.
 *   <li>{@link #runClaimed()} runs the held runners on the calling thread. The {@link
 *       OutcomeWriter} is stopped before anything is written, so each outcome is written on that
 *       thread (a stopped writer's fallback) before its runner returns. An outcome the store
 *       passes over because another session holds its row locked is therefore not kept aside
 *       for later: it is given up on at once, and the job is reaped once its lease expires.
 *   <li>{@link #renewOnce()} is one call of the {@link LeaseKeeper}, {@link #reapOnce()} one pass
 *       of the {@link LeaseReaper}.
 * </ul>
 *
 * <p>It starts no thread, but for one case: an attempt with a timeout gets a timer thread (made at
 * the first such attempt) that stops the handler at its timeout, as in the running engine.
 * Progress is written when each attempt ends, not periodically. Not thread-safe: step it from one
 * thread; its {@link #client()} may be used from any thread.
 */
public final class SteppedEngine implements JobEngine {
  private static final Logger log = LoggerFactory.getLogger(SteppedEngine.class);

  private final EngineConfig config;
  private final Map<JobId, RunningJob> active = new ConcurrentHashMap<>();
  private final HeldTasks held = new HeldTasks();
  private final LeaseKeeper leaseKeeper;
  private final LeaseReaper reaper;
  private final NodePresence presence;
  private final OutcomeWriter outcomes;
  private final Dispatcher dispatcher;
  private final EngineJobClient client;
  private final ScheduledThreadPoolExecutor timer;
  private volatile boolean running;

  private SteppedEngine(EngineConfig config, HandlerRegistry handlers) {
    this.config = config;
    String node = config.nodeName();
    JobStore store = config.store();
    List<WorkerPool> pools = new ArrayList<>();
    config.queues().forEach((queue, slots) -> pools.add(new WorkerPool(queue, slots, held, () -> {})));
    this.presence = new NodePresence(store, config);
    // Stepped by hand: no deadline timer (handlers run on the caller's thread) and a clock that
    // stands still, so that renewals are never "late" between steps.
    NanoClock still = () -> 0L;
    this.leaseKeeper =
        new LeaseKeeper(
            store, node, config.leaseDuration(), active, presence, still,
            new LeaseDeadlines(still, null, active.values(), config.leaseDuration()));
    this.reaper = new LeaseReaper(store);
    this.outcomes = new OutcomeWriter(store, node);
    // Never started: a stopped writer refuses offers, so each outcome is written by its caller.
    outcomes.stop(Duration.ZERO);
    // Its one thread is made at the first schedule: only attempts with a timeout schedule.
    this.timer = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory(node, "timeout"));
    timer.setRemoveOnCancelPolicy(true);
    JobRunner.Collaborators runners =
        new JobRunner.Collaborators(
            store, config.codec(), config.clock(), node, new OutcomeDecider(config.retryPolicy(), handlers),
            outcomes, new ProgressFlusher(store), timer, timer, this::jobDone);
    this.dispatcher =
        new Dispatcher(
            store, node, handlers, pools, config.leaseDuration(), config.pollInterval(),
            leaseKeeper, active, runners, Duration.ZERO, handlers.maxAttempts(config.retryPolicy()));
    this.client = new EngineJobClient(JobClient.of(store, config.codec()), active, () -> {});
  }

  /**
   * Checks the builder's configuration, registers the node with the store and returns the engine,
   * ready to be stepped. The builder's poll, heartbeat and shutdown settings play no part.
   *
   * @param builder the configuration
   * @return the engine
   * @throws IllegalStateException as {@link JobEngine.Builder#start()} does
   */
  public static SteppedEngine start(JobEngine.Builder builder) {
    Objects.requireNonNull(builder, "builder");
    HandlerRegistry handlers = builder.handlerRegistry();
    SteppedEngine engine = new SteppedEngine(builder.config(), handlers);
    try {
      engine.presence.register();
    } catch (RuntimeException e) {
      engine.timer.shutdownNow();
      throw e;
    }
    engine.running = true;
    log.info(
        "Started a stepped job engine, node '{}': queues {}, handlers {}, lease {}, store {}",
        engine.config.nodeName(), engine.config.queues(), handlers, engine.config.leaseDuration(),
        engine.config.store());
    return engine;
  }

  /**
   * One pass of the dispatcher: claims due jobs for the free slots of each queue (a slot is free
   * until the job claimed for it has run) and holds them for {@link #runClaimed()}.
   *
   * @return how many jobs it claimed
   * @throws IllegalStateException if the engine is closed
   */
  public int claimOnce() {
    requireRunning("claim");
    int before = held.size();
    dispatcher.runOnce();
    return held.size() - before;
  }

  /**
   * Runs the claimed jobs on the calling thread, in claim order, each to its written outcome.
   *
   * @return how many ran
   * @throws IllegalStateException if the engine is closed
   */
  public int runClaimed() {
    requireRunning("run jobs");
    return held.runAll();
  }

  /**
   * One lease renewal: extends the leases of the claimed jobs, records the node's heartbeat, and
   * stops the handlers of jobs that were canceled or whose lease was lost.
   *
   * @throws IllegalStateException if the engine is closed
   */
  public void renewOnce() {
    requireRunning("renew leases");
    leaseKeeper.renewOnce();
  }

  /**
   * One pass of the lease reaper: puts back (or ends) every job, of any node, whose lease has
   * expired by the store's clock.
   *
   * @throws IllegalStateException if the engine is closed
   */
  public void reapOnce() {
    requireRunning("reap leases");
    reaper.reapOnce();
  }

  private void requireRunning(String what) {
    if (!running) {
      throw new IllegalStateException(
          "Cannot " + what + ": the stepped engine of node '" + config.nodeName() + "' is closed");
    }
  }

  private void jobDone(RunningJob job) {
    active.remove(job.id(), job);
  }

  @Override
  public JobClient client() {
    return client;
  }

  @Override
  public String nodeName() {
    return config.nodeName();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public Set<JobId> activeJobs() {
    return Set.copyOf(active.keySet());
  }

  /**
   * Releases the jobs claimed but not run (without using up their attempt), marks the node
   * stopped and ends the timer thread, if one was made. Idempotent. Does not close the store.
   */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    held.shutdownNow();
    for (RunningJob job : List.copyOf(active.values())) {
      if (job.claimOutcome()) {
        outcomes.write(job, Completion.release(job.lease()));
      }
      active.remove(job.id(), job);
    }
    timer.shutdownNow();
    presence.deregister();
  }

  @Override
  public String toString() {
    return "SteppedEngine[" + config.nodeName() + (running ? "" : ", closed") + "]";
  }
}
