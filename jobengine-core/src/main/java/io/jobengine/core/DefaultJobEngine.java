package io.jobengine.core;

import io.jobengine.JobClient;
import io.jobengine.JobId;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.spi.Completion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: wires the dispatcher, the worker pools, the lease keeper, the reaper, the cancel
 * watch and the progress flusher, and runs the ordered shutdown.
 *
 * <p>Threads: one dispatcher; per queue, its worker threads; one lease thread for renewals and
 * heartbeats only (so that renewals never wait behind anything else); one reaper thread (a slow
 * reaper delays no renewal); one watchdog thread that never blocks (attempt timeouts, the lease
 * deadline timer); one timer thread for progress flushes, cancel-request reads and other writes
 * that may wait for the store; and a group-commit writer for outcomes, which writes
 * everything handed to it in one store call per batch. Claims make the jobs RUNNING at once (the
 * node claims only for free threads), so starting a job costs no write of its own.
 */
final class DefaultJobEngine implements JobEngine {
  private static final Logger log = LoggerFactory.getLogger(DefaultJobEngine.class);
  private static final Duration PROGRESS_FLUSH_INTERVAL = Duration.ofMillis(200);
  private static final Duration MAX_INTERRUPT_WAIT = Duration.ofSeconds(5);

  private enum State { NEW, RUNNING, STOPPING, STOPPED }

  private final EngineConfig config;
  private final HandlerRegistry handlers;
  private final Map<JobId, RunningJob> active = new ConcurrentHashMap<>();
  private final Map<String, WorkerPool> pools = new LinkedHashMap<>();
  private final LeaseKeeper leaseKeeper;
  private final LeaseReaper reaper;
  private final CancelWatch cancelWatch;
  private final NodePresence presence;
  private final ProgressFlusher progress;
  private final OutcomeWriter outcomes;
  private final Dispatcher dispatcher;
  private final JobRunner.Collaborators runnerCollaborators;
  private final EngineJobClient client;
  private final ScheduledExecutorService leaseThread;
  private final ScheduledExecutorService reaperThread;
  private final ScheduledExecutorService timer;
  private final ScheduledExecutorService watchdog;
  private final Thread dispatcherThread;
  private final Object drained = new Object();
  private State state = State.NEW;

  DefaultJobEngine(EngineConfig config, HandlerRegistry handlers) {
    this(config, handlers, NanoClock.SYSTEM);
  }

  /** An engine whose lease deadlines are kept on {@code clock}; tests pass their own. */
  DefaultJobEngine(EngineConfig config, HandlerRegistry handlers, NanoClock clock) {
    this.config = config;
    this.handlers = handlers;
    String node = config.nodeName();
    config.queues().forEach(
        (queue, threads) -> pools.put(queue, new WorkerPool(node, queue, threads, this::threadFreed)));
    this.presence = new NodePresence(config.store(), config);
    this.progress = new ProgressFlusher(config.store());
    this.outcomes = new OutcomeWriter(config.store(), node);
    this.leaseThread = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory(node, "lease"));
    this.timer = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory(node, "timer"));
    this.watchdog = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory(node, "watchdog"));
    this.reaperThread = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory(node, "reaper"));
    this.leaseKeeper =
        new LeaseKeeper(
            config.store(), node, config.leaseDuration(), active, presence, clock,
            new LeaseDeadlines(clock, watchdog, active.values(), config.leaseDuration()));
    this.reaper = new LeaseReaper(config.store());
    this.cancelWatch = new CancelWatch(config.store(), active.values());
    this.runnerCollaborators =
        new JobRunner.Collaborators(
            config.store(), config.codec(), config.clock(), node,
            new OutcomeDecider(config.retryPolicy(), handlers), outcomes, progress,
            watchdog, timer, this::jobDone);
    this.dispatcher =
        new Dispatcher(
            config.store(), node, handlers, new ArrayList<>(pools.values()), config.leaseDuration(),
            config.pollInterval(), leaseKeeper, active, runnerCollaborators, Dispatcher.LINGER,
            handlers.maxAttempts(config.retryPolicy()));
    this.client =
        new EngineJobClient(
            JobClient.of(config.store(), config.codec()), active, dispatcher::wake);
    this.dispatcherThread = new NamedThreadFactory(node, "dispatcher").newThread(dispatcher);
  }

  synchronized void start() {
    if (state != State.NEW) {
      throw new IllegalStateException("Engine " + config.nodeName() + " was already started");
    }
    log.info(
        "Starting job engine node '{}': queues {}, handlers {}, lease {}, heartbeat {}, poll {}, "
            + "shutdown grace {}, store {}",
        config.nodeName(), config.queues(), handlers, config.leaseDuration(),
        config.heartbeatInterval(), config.pollInterval(), config.shutdownGrace(), config.store());
    try {
      presence.register();
    } catch (RuntimeException e) {
      shutdownExecutors();
      state = State.STOPPED;
      throw e;
    }
    long heartbeat = config.heartbeatInterval().toNanos();
    scheduleRenewal(heartbeat);
    // Spread the reapers of nodes started together.
    long reapDelay = ThreadLocalRandom.current().nextLong(heartbeat / 2, heartbeat + 1);
    reaperThread.scheduleWithFixedDelay(
        guarded("lease reaper", reaper::reapOnce), reapDelay, heartbeat, TimeUnit.NANOSECONDS);
    long cancels = CancelWatch.INTERVAL.toNanos();
    timer.scheduleWithFixedDelay(
        guarded("cancel watch", cancelWatch::checkOnce), cancels, cancels, TimeUnit.NANOSECONDS);
    long flush = PROGRESS_FLUSH_INTERVAL.toNanos();
    timer.scheduleWithFixedDelay(
        guarded("progress flush", () -> progress.flushAll(active.values())),
        flush, flush, TimeUnit.NANOSECONDS);
    outcomes.start();
    dispatcherThread.start();
    state = State.RUNNING;
  }

  /**
   * Renewals are sent a heartbeat apart, counted from one send to the next: a renewal that takes
   * long (a slow database) does not push the next one back by its own duration, which would eat
   * into the lease margin. One that takes longer than a heartbeat is followed at once, never
   * overlapped, and missed ones are not caught up in a burst.
   */
  private void scheduleRenewal(long delayNanos) {
    Runnable renew = guarded("lease renewal", leaseKeeper::renewOnce);
    try {
      leaseThread.schedule(
          () -> {
            long sent = System.nanoTime();
            renew.run();
            long took = System.nanoTime() - sent;
            scheduleRenewal(Math.max(0, config.heartbeatInterval().toNanos() - took));
          },
          delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Shutting down: heartbeats stop here.
    }
  }

  private Runnable guarded(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        log.error("Unexpected failure in the {} of node '{}'; it runs again next time", what, config.nodeName(), t);
      }
    };
  }

  private void threadFreed() {
    dispatcher.wake();
  }

  private void jobDone(RunningJob running) {
    active.remove(running.id(), running);
    synchronized (drained) {
      drained.notifyAll();
    }
  }

  /** Whether the node has stopped claiming because it cannot renew its leases. */
  boolean claimingPaused() {
    return !leaseKeeper.healthy();
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
  public synchronized boolean isRunning() {
    return state == State.RUNNING;
  }

  @Override
  public Set<JobId> activeJobs() {
    return Set.copyOf(active.keySet());
  }

  @Override
  public void close() {
    synchronized (this) {
      if (state == State.STOPPING || state == State.STOPPED) {
        return;
      }
      boolean started = state == State.RUNNING;
      state = State.STOPPING;
      if (!started) {
        shutdownExecutors();
        state = State.STOPPED;
        return;
      }
    }
    long began = System.nanoTime();
    log.info("Stopping job engine node '{}': no new claims; {} job(s) running", config.nodeName(), active.size());
    dispatcher.stop();
    joinDispatcher();
    if (!awaitDrained(config.shutdownGrace())) {
      List<RunningJob> left = new ArrayList<>(active.values());
      log.warn(
          "{} job(s) still running after the shutdown grace of {}; interrupting them: {}",
          left.size(), config.shutdownGrace(), left);
      left.forEach(job -> job.requestStop(Reason.SHUTDOWN));
      Duration wait = config.leaseDuration().compareTo(MAX_INTERRUPT_WAIT) < 0
          ? config.leaseDuration() : MAX_INTERRUPT_WAIT;
      if (!awaitDrained(wait)) {
        releaseStuckJobs();
      }
    }
    progress.flushAll(active.values());
    // Every outcome has been settled by now (the drain waits for them); this ends the writers.
    outcomes.stop(MAX_INTERRUPT_WAIT);
    shutdownExecutors();
    presence.deregister();
    synchronized (this) {
      state = State.STOPPED;
    }
    log.info(
        "Job engine node '{}' stopped in {} ms", config.nodeName(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
  }

  /** Handlers that ignored the interrupt: give their jobs back so that another node runs them. */
  private void releaseStuckJobs() {
    OutcomeWriter writer = runnerCollaborators.writer();
    for (RunningJob job : new ArrayList<>(active.values())) {
      if (job.claimOutcome()) {
        JobMdc.run(job, () -> {
          log.error(
              "The handler of {} ignored the shutdown interrupt; releasing its job so that it runs "
                  + "again. Its thread {} keeps running until the handler returns; make the handler "
                  + "respond to interrupts or call JobContext.checkpoint()",
              job, job.threadName());
          writer.write(job, Completion.release(job.lease()));
        });
      }
    }
  }

  private void joinDispatcher() {
    try {
      dispatcherThread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (dispatcherThread.isAlive()) {
      log.warn("The dispatcher of node '{}' did not stop within 30 s", config.nodeName());
    }
  }

  /** Waits until no job is running or {@code timeout} has passed; true if none is running. */
  private boolean awaitDrained(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (drained) {
      while (!allOutcomesWritten()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return allOutcomesWritten();
        }
      }
      return true;
    }
  }

  /**
   * True when every job has finished, but for handlers stuck past their timeout: their outcome is
   * already written and their thread is lost to the engine, so waiting for them helps nobody.
   */
  private boolean allOutcomesWritten() {
    for (RunningJob job : active.values()) {
      boolean abandoned = job.outcomeClaimed() && !job.handlerDone();
      if (!abandoned) {
        return false;
      }
    }
    return true;
  }

  private void shutdownExecutors() {
    // Heartbeats stop last: until here every released or finished lease was still renewed.
    timer.shutdownNow();
    watchdog.shutdownNow();
    reaperThread.shutdownNow();
    pools.values().forEach(WorkerPool::shutdownNow);
    leaseThread.shutdownNow();
    try {
      // A reap or renewal in flight ends before close() returns: the host may close the store next.
      reaperThread.awaitTermination(5, TimeUnit.SECONDS);
      leaseThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "JobEngine[" + config.nodeName() + ", " + state + "]";
  }
}
