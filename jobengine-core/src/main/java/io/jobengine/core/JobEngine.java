package io.jobengine.core;

import io.jobengine.JobClient;
import io.jobengine.JobEngineException;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobNames;
import io.jobengine.PayloadCodec;
import io.jobengine.RetryPolicy;
import io.jobengine.spi.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A running job engine: one node of a cluster that claims jobs from the store and runs them on
 * worker threads, in the host application's process. Build and start one with {@link #builder()};
 * stop it with {@link #close()}.
 *
 * <pre>{@code
 * JobEngine engine = JobEngine.builder()
 *     .store(store)
 *     .queue("default", 8)
 *     .handler(new ProvisionHandler(service))
 *     .start();
 * JobId id = engine.client().enqueue(JobRequest.of("provision-server", new Provision("vm-17")));
 * }</pre>
 */
public interface JobEngine extends AutoCloseable {

  /**
   * A builder with the defaults.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * The client of this engine: enqueues from it wake this engine at once, and cancels of jobs
   * running here reach their handlers without waiting for the next lease renewal.
   *
   * @return the client
   */
  JobClient client();

  /**
   * @return this node's name, as lease owner and in logs
   */
  String nodeName();

  /**
   * @return true from {@code start()} until {@link #close()} begins
   */
  boolean isRunning();

  /**
   * The jobs this node is running or has claimed, at this moment.
   *
   * @return their ids
   */
  Set<JobId> activeJobs();

  /**
   * Stops the engine gracefully: stops claiming, lets running jobs finish within the shutdown
   * grace period, then interrupts the rest and releases their jobs without using up an attempt;
   * lease renewals stop last. Idempotent; returns when the engine has stopped. Does not close the
   * store.
   */
  @Override
  void close();

  /**
   * Builds and starts a {@link JobEngine}. Each setter checks its value and says what is wrong;
   * {@link #start()} checks the whole and does not change the builder, so a builder can start
   * several engines. Not thread-safe.
   */
  final class Builder {
    /** The queue used when none is configured. */
    public static final String DEFAULT_QUEUE = JobNames.DEFAULT_QUEUE;
    /** Worker threads of the default queue. */
    public static final int DEFAULT_THREADS = 4;
    /** How long a claim lasts unless renewed. */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);
    /** Leases are renewed three times per lease. */
    public static final int HEARTBEATS_PER_LEASE = 3;
    /** The longest wait between polls of an idle node. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /** How long shutdown waits for running jobs before interrupting them. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    /** The most worker threads of one queue. */
    public static final int MAX_THREADS = 1024;

    private JobStore store;
    private String nodeName;
    private final Map<String, Integer> queues = new LinkedHashMap<>();
    private final List<JobHandler<?>> handlers = new ArrayList<>();
    private boolean discoverHandlers = true;
    private Duration leaseDuration = DEFAULT_LEASE_DURATION;
    private Duration heartbeatInterval;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private Clock clock = Clock.systemUTC();
    private PayloadCodec codec;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();

    private Builder() {}

    /**
     * Where the jobs are: a {@code MySqlJobStore} in production, an {@link
     * io.jobengine.testing.InMemoryJobStore} for demos and tests. Required. The engine does not close it.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(JobStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * This node's name: the lease owner of the jobs it claims and the name in logs and in the node
     * registry. Unique among the live nodes of a cluster: {@link #start()} refuses a name that a
     * live engine holds, after waiting up to one lease for its heartbeat to go stale (the restart
     * of a crashed node, whose old entry looks alive until then, takes its name over). Default:
     * host name, process id and a random suffix.
     *
     * @param nodeName the name; see {@link JobNames#NODE}
     * @return this builder
     * @throws IllegalArgumentException if invalid
     */
    public Builder nodeName(String nodeName) {
      this.nodeName = JobNames.requireNode(nodeName);
      return this;
    }

    /**
     * Runs jobs of {@code queue} on {@code threads} worker threads. Call once per queue. Without
     * any call, the engine serves {@value #DEFAULT_QUEUE} with {@value #DEFAULT_THREADS} threads.
     *
     * @param queue the queue name; see {@link JobNames#QUEUE}
     * @param threads from 1 to {@value #MAX_THREADS}
     * @return this builder
     * @throws IllegalArgumentException if the name is invalid, the count out of range, or the
     *     queue was already added
     */
    public Builder queue(String queue, int threads) {
      JobNames.requireQueue(queue);
      if (threads < 1 || threads > MAX_THREADS) {
        throw new IllegalArgumentException(
            "Queue '" + queue + "' needs between 1 and " + MAX_THREADS + " threads, got " + threads);
      }
      if (queues.containsKey(queue)) {
        throw new IllegalArgumentException(
            "Queue '" + queue + "' is already configured with " + queues.get(queue) + " threads");
      }
      queues.put(queue, threads);
      return this;
    }

    /**
     * Registers a handler, for instance one built by the host's dependency injection. One handler
     * per type: a second one for a type fails at {@link #start()}.
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder handler(JobHandler<?> handler) {
      Objects.requireNonNull(handler, "handler");
      handlers.add(handler);
      return this;
    }

    /**
     * Whether {@link #start()} also loads handlers through {@link java.util.ServiceLoader}
     * (entries of {@code META-INF/services/io.jobengine.JobHandler}). On by default.
     *
     * @param discover false to use only handlers given to {@link #handler(JobHandler)}
     * @return this builder
     */
    public Builder discoverHandlers(boolean discover) {
      this.discoverHandlers = discover;
      return this;
    }

    /**
     * How long a claimed job stays this node's without renewal. When a node dies, its jobs run
     * elsewhere after at most this long (and a reaper pass). When a job's lease cannot be renewed
     * (the database is unreachable, another transaction holds its row locked), its handler is
     * interrupted a fifth of the lease before the lease could expire; and the node claims nothing
     * while no renewal has succeeded for half the lease. Default 30 s.
     *
     * @param leaseDuration the lease
     * @return this builder
     * @throws IllegalArgumentException if shorter than 100 ms (short leases are for tests)
     */
    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = requireAtLeast("leaseDuration", leaseDuration, Duration.ofMillis(100));
      return this;
    }

    /**
     * How often leases are renewed. Default: a third of the lease. The lease must last at least
     * {@value #HEARTBEATS_PER_LEASE} heartbeats (checked at {@link #start()}).
     *
     * @param heartbeatInterval the interval
     * @return this builder
     */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval =
          requireAtLeast("heartbeatInterval", heartbeatInterval, Duration.ofMillis(10));
      return this;
    }

    /**
     * The longest wait between two looks for due jobs while the node is idle. A busy node looks
     * again as soon as a worker is free; an enqueue through this engine's client wakes it at once.
     * Default 1 s.
     *
     * @param pollInterval the interval, from 10 ms to 1 min
     * @return this builder
     */
    public Builder pollInterval(Duration pollInterval) {
      requireAtLeast("pollInterval", pollInterval, Duration.ofMillis(10));
      if (pollInterval.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("pollInterval must be at most 1 minute, got " + pollInterval);
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * How long {@link JobEngine#close()} lets running jobs finish before interrupting them.
     * Default 30 s; zero interrupts at once.
     *
     * @param shutdownGrace the grace period
     * @return this builder
     */
    public Builder shutdownGrace(Duration shutdownGrace) {
      Objects.requireNonNull(shutdownGrace, "shutdownGrace");
      if (shutdownGrace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative, got " + shutdownGrace);
      }
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    /**
     * The clock for the engine's own time decisions (attempt deadlines shown to handlers, job ids).
     * Leases and run times are decided by the store's clock. Default: system UTC.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The payload codec. Default: {@link JacksonPayloadCodec} with its default mapper.
     *
     * @param codec the codec
     * @return this builder
     */
    public Builder payloadCodec(PayloadCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
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
     * Checks the configuration, starts the engine and returns it running.
     *
     * @return the engine
     * @throws IllegalStateException if the store is missing, no handler is found, two handlers
     *     share a type, or the lease is shorter than three heartbeats
     * @throws JobEngineException if another live engine holds the node name (see {@link
     *     #nodeName}), naming its host and process id
     */
    public JobEngine start() {
      EngineConfig config = config();
      DefaultJobEngine engine = new DefaultJobEngine(config, handlerRegistry());
      engine.start();
      return engine;
    }

    /** The handlers given and, if discovery is on, those found; checked for duplicate types. */
    HandlerRegistry handlerRegistry() {
      return HandlerRegistry.of(handlers, discoverHandlers);
    }

    EngineConfig config() {
      if (store == null) {
        throw new IllegalStateException(
            "No store: call store(...) with a MySqlJobStore, or an InMemoryJobStore for tests");
      }
      Duration heartbeat =
          heartbeatInterval != null ? heartbeatInterval : leaseDuration.dividedBy(HEARTBEATS_PER_LEASE);
      if (heartbeat.multipliedBy(HEARTBEATS_PER_LEASE).compareTo(leaseDuration) > 0) {
        throw new IllegalStateException(
            "The lease (" + leaseDuration + ") must last at least " + HEARTBEATS_PER_LEASE
                + " heartbeats, but the heartbeat interval is " + heartbeat
                + ": shorten the heartbeat or lengthen the lease");
      }
      Map<String, Integer> effectiveQueues =
          queues.isEmpty() ? Map.of(DEFAULT_QUEUE, DEFAULT_THREADS) : queues;
      return new EngineConfig(
          store,
          nodeName != null ? nodeName : defaultNodeName(),
          effectiveQueues,
          leaseDuration,
          heartbeat,
          pollInterval,
          shutdownGrace,
          clock,
          codec != null ? codec : new JacksonPayloadCodec(),
          retryPolicy);
    }

    private static String defaultNodeName() {
      String host = NodePresence.hostName().replaceAll("[^A-Za-z0-9._-]", "-");
      if (host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0))) {
        host = "node" + host;
      }
      if (host.length() > 60) {
        host = host.substring(0, 60);
      }
      long pid = ProcessHandle.current().pid();
      String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
      return host + "-" + pid + "-" + suffix;
    }

    private static Duration requireAtLeast(String name, Duration value, Duration min) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(min) < 0) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
      }
      return value;
    }

    @Override
    public String toString() {
      return "JobEngine.Builder{store=" + store + ", nodeName=" + nodeName + ", queues=" + queues
          + ", handlers=" + handlers.size() + ", discoverHandlers=" + discoverHandlers
          + ", leaseDuration=" + leaseDuration + ", heartbeatInterval=" + heartbeatInterval
          + ", pollInterval=" + pollInterval + ", shutdownGrace=" + shutdownGrace
          + ", clock=" + clock + ", codec=" + codec + ", retryPolicy=" + retryPolicy + "}";
    }
  }
}
