package io.jobengine.examples.bench;

import io.jobengine.JobClient;
import io.jobengine.JobHandler;
import io.jobengine.JobRequest;
import io.jobengine.core.JobEngine;
import io.jobengine.examples.bench.ServerProbe.Work;
import io.jobengine.mysql.MySqlJobStore;
import io.jobengine.testservers.PrivateServer;
import io.jobengine.testservers.ServerKind;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The benchmark harness: how fast jobengine runs on MySQL, measured against a raw-JDBC reference
 * on the same table, in one run on one machine.
 *
 * <pre>
 * mvn -q -pl jobengine-examples -am -DskipTests package exec:java \
 *     -Dexec.mainClass=io.jobengine.examples.bench.Benchmark -Dexec.args="--quick"
 * </pre>
 *
 * It measures (a) enqueue throughput, one by one and in batches of 1,000; (b) end-to-end
 * throughput: {@code --jobs} no-op jobs burned down by each of {@code --nodes} engine nodes with
 * {@code --threads} threads each, and the same by the raw reference ({@link RawQueue}); (c) the
 * latency from enqueue to handler start at a fixed offered rate, for jobs enqueued through the
 * engine's own client (local wake-up) and from another node (a producer with its own store and
 * pool, which wakes nothing: the engine finds those jobs by polling); (d) the database work per
 * job from the server's global status counters (less the harness's own statements), with the
 * statements the nodes sent counted on the client as a cross-check; (e) an idle node's queries per
 * second; and with {@code --soak N}, (f) the used heap after GC while one node runs N jobs.
 *
 * <p>Nodes run in this JVM, each with its own store and connection pool. It prints a table and,
 * as its last line, {@code BENCH {json}}. Its tables have their own prefix ({@code bench_}) and
 * are emptied between runs. Speed is shown here, never asserted in tests.
 */
public final class Benchmark {
  static final String TYPE = "bench.noop";
  private static final int ENQUEUE_BATCH = 1000;

  /**
   * A benchmark job's payload.
   *
   * @param enqueuedNanos {@link System#nanoTime()} just before the enqueue call, or 0 when the
   *     job's latency is not measured
   */
  public record Ping(long enqueuedNanos) {}

  /** Where the handlers of the current run report. */
  private static final class Sink {
    final AtomicLong handled = new AtomicLong();
    final long[] latencies;
    final AtomicLong latencyCount = new AtomicLong();

    Sink(int latencyCapacity) {
      latencies = new long[latencyCapacity];
    }

    void record(Ping p) {
      if (p.enqueuedNanos() != 0) {
        long l = System.nanoTime() - p.enqueuedNanos();
        int i = (int) latencyCount.getAndIncrement();
        if (i < latencies.length) {
          latencies[i] = l;
        }
      }
      handled.incrementAndGet();
    }
  }

  private final BenchOptions o;
  private final PrintStream out;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private volatile Sink sink = new Sink(0);

  private Benchmark(BenchOptions o, PrintStream out) {
    this.o = o;
    this.out = out;
  }

  /**
   * Runs the benchmark.
   *
   * @param args see {@link BenchOptions#USAGE}
   * @throws Exception if the database fails
   */
  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.server() == null) {
      run(options, System.out);
      return;
    }
    try (PrivateServer server = PrivateServer.start(ServerKind.ofPropertyName(options.server()))) {
      System.out.println("Started " + server + " for the benchmark");
      run(options.on(server.jdbcUrl("test"), server.user(), server.password()), System.out);
    }
  }

  /** Runs the benchmark and returns its results (also printed, last line {@code BENCH {json}}). */
  static Map<String, Object> run(BenchOptions o, PrintStream out) throws Exception {
    return new Benchmark(o, out).run();
  }

  private Map<String, Object> run() throws Exception {
    try (MySqlJobStore loader = store(false, o.poolSize());
        ServerProbe probe = new ServerProbe(o)) {
      header(probe);
      JobClient client = JobClient.of(loader);
      warmUp(probe, client);
      enqueueOneByOne(probe, client);
      Map<String, Object> engineByNodes = new LinkedHashMap<>();
      Map<String, Object> rawByNodes = new LinkedHashMap<>();
      for (int nodes : o.nodes()) {
        double engine = endToEndEngine(probe, client, nodes);
        double raw = endToEndRaw(probe, client, nodes);
        engineByNodes.put(Integer.toString(nodes), round(engine));
        rawByNodes.put(Integer.toString(nodes), round(raw));
        if (!results.containsKey("engine_jobs_per_s")) {
          results.put("engine_jobs_per_s", round(engine));
          results.put("raw_jobs_per_s", round(raw));
          results.put("ratio", round2(engine / raw));
          results.put("ratio_nodes", nodes);
        }
      }
      results.put("engine_jobs_per_s_by_nodes", engineByNodes);
      results.put("raw_jobs_per_s_by_nodes", rawByNodes);
      latency(probe, client);
      idle(probe);
      if (o.soak() > 0) {
        soak(probe, client);
      }
      probe.clear();
    }
    results.put("load_average_1m", round2(loadAverage()));
    out.printf(Locale.ROOT, "%-44s %s%n", "load average (1 min) at the end", results.get("load_average_1m"));
    out.println("BENCH " + json(results));
    out.flush();
    return results;
  }

  private void header(ServerProbe probe) throws Exception {
    String version = probe.variable("version");
    String flush = probe.variable("innodb_flush_log_at_trx_commit");
    String binlog = probe.variable("log_bin");
    int cores = Runtime.getRuntime().availableProcessors();
    results.put("server", version);
    results.put("innodb_flush_log_at_trx_commit", Integer.parseInt(flush));
    results.put("cores", cores);
    results.put("jobs", o.jobs());
    results.put("threads", o.threads());
    results.put("poll_interval_ms", JobEngine.Builder.DEFAULT_POLL_INTERVAL.toMillis());
    results.put("load_average_1m_at_start", round2(loadAverage()));
    out.printf(
        Locale.ROOT,
        "jobengine benchmark: %s, innodb_flush_log_at_trx_commit=%s, log_bin=%s, %d cores, "
            + "Java %s, load average %.2f%n",
        version, flush, binlog, cores, System.getProperty("java.version"), loadAverage());
    out.printf(
        Locale.ROOT, "%d jobs, %d threads per node, nodes %s, poll interval %d ms, pool %d%n%n",
        o.jobs(), o.threads(), o.nodes(), JobEngine.Builder.DEFAULT_POLL_INTERVAL.toMillis(),
        o.poolSize());
    out.printf(Locale.ROOT, "%-44s %12s %10s %10s %10s%n", "measure", "value", "stmts/job", "commits/job", "client/job");
    probe.clear();
  }

  /**
   * Runs {@code --warmup} jobs through one engine node and then through one raw loop, unmeasured.
   * Without it the engine, which runs first and has more code for the JIT to compile, would be
   * timed while the compiler takes a core of its own (on a 2-core machine, half a core through the
   * first seconds of the engine's run).
   */
  private void warmUp(ServerProbe probe, JobClient client) throws Exception {
    if (o.warmup() == 0) {
      return;
    }
    long t0 = System.nanoTime();
    fill(client, o.warmup());
    burnDownEngine(probe, 1, o.warmup());
    fill(client, o.warmup());
    long done = RawQueue.run(o, 1);
    if (done != o.warmup()) {
      throw new IllegalStateException("The raw reference completed " + done + " of " + o.warmup() + " warm-up jobs");
    }
    probe.clear();
    out.printf(Locale.ROOT, "%-44s %12s%n", "warm-up, not measured (s)", String.format(Locale.ROOT, "%.1f", seconds(t0)));
  }

  // ---- (a) enqueue ----

  private void enqueueOneByOne(ServerProbe probe, JobClient client) throws Exception {
    int n = o.enqueueSingle();
    Map<String, Long> before = probe.status();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      client.enqueue(JobRequest.of(TYPE, new Ping(0)));
    }
    double perS = n / seconds(t0);
    Work w = ServerProbe.between(before, probe.status());
    row("enqueue one by one (jobs/s)", perS, w, n);
    results.put("enqueue_single_per_s", round(perS));
    probe.clear();
  }

  /** Enqueues {@code n} jobs in batches of 1,000; returns jobs per second. */
  private double fill(JobClient client, int n) {
    long t0 = System.nanoTime();
    List<JobRequest> batch = new ArrayList<>(ENQUEUE_BATCH);
    for (int i = 0; i < n; i++) {
      batch.add(JobRequest.of(TYPE, new Ping(0)));
      if (batch.size() == ENQUEUE_BATCH || i == n - 1) {
        client.enqueueAll(batch);
        batch.clear();
      }
    }
    return n / seconds(t0);
  }

  // ---- (b) end to end, (d) work per job ----

  private double endToEndEngine(ServerProbe probe, JobClient client, int nodes) throws Exception {
    Map<String, Long> beforeFill = probe.status();
    double enqueue = fill(client, o.jobs());
    Map<String, Long> before = probe.status();
    if (!results.containsKey("enqueue_batch_per_s")) {
      Work w = ServerProbe.between(beforeFill, before);
      row("enqueue in batches of " + ENQUEUE_BATCH + " (jobs/s)", enqueue, w, o.jobs());
      results.put("enqueue_batch_per_s", round(enqueue));
    }
    long t0 = System.nanoTime();
    Map<String, Long> after = burnDownEngine(probe, nodes, o.jobs());
    double perS = o.jobs() / seconds(t0);
    Work w = ServerProbe.between(before, after);
    row("engine " + nodes + " node(s) x " + o.threads() + " threads (jobs/s)", perS, w, o.jobs());
    if (!results.containsKey("statements_per_job")) {
      results.put("statements_per_job", round2(w.per(o.jobs(), w.questions())));
      results.put("commits_per_job", round2(w.per(o.jobs(), w.commits())));
      results.put("client_statements_per_job", round2(w.per(o.jobs(), w.clientStatements())));
    }
    probe.clear();
    return perS;
  }

  /**
   * Starts {@code nodes} engines, waits until they have run the {@code n} jobs in the table, and
   * checks that every one succeeded exactly once.
   *
   * @return the server's counters when the last job had ended, before the engines stopped
   */
  private Map<String, Long> burnDownEngine(ServerProbe probe, int nodes, int n) throws Exception {
    Sink s = new Sink(0);
    sink = s;
    List<MySqlJobStore> stores = new ArrayList<>();
    List<JobEngine> engines = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      MySqlJobStore store = store(true, o.poolSize());
      stores.add(store);
      engines.add(engine(store, "bench-" + i));
    }
    awaitAll(probe, s, n);
    Map<String, Long> after = probe.status();
    engines.forEach(JobEngine::close);
    stores.forEach(MySqlJobStore::close);
    long succeeded = probe.count("status = 'SUCCESS'");
    if (succeeded != n || s.handled.get() != n) {
      throw new IllegalStateException(
          succeeded + " of " + n + " jobs succeeded, handlers ran " + s.handled.get() + " times");
    }
    return after;
  }

  private double endToEndRaw(ServerProbe probe, JobClient client, int nodes) throws Exception {
    fill(client, o.jobs());
    Map<String, Long> before = probe.status();
    long t0 = System.nanoTime();
    long done = RawQueue.run(o, nodes);
    double perS = done / seconds(t0);
    Work w = ServerProbe.between(before, probe.status());
    if (done != o.jobs()) {
      throw new IllegalStateException("The raw reference completed " + done + " of " + o.jobs() + " jobs");
    }
    row("raw JDBC " + nodes + " node(s), claims of " + o.threads() + " (jobs/s)", perS, w, o.jobs());
    if (!results.containsKey("raw_statements_per_job")) {
      results.put("raw_statements_per_job", round2(w.per(o.jobs(), w.questions())));
      results.put("raw_commits_per_job", round2(w.per(o.jobs(), w.commits())));
    }
    probe.clear();
    return perS;
  }

  /** Waits until the handlers ran {@code n} times and every job has ended. */
  private static void awaitAll(ServerProbe probe, Sink s, long n) throws Exception {
    while (s.handled.get() < n) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    while (probe.unfinished() > 0) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  // ---- (c) latency ----

  private void latency(ServerProbe probe, JobClient loaderClient) throws Exception {
    int count = o.rate() * o.latencySeconds();
    try (MySqlJobStore store = store(true, o.poolSize());
        MySqlJobStore producer = store(false, 2)) {
      JobEngine engine = engine(store, "bench-latency");
      try {
        JobClient remote = JobClient.of(producer);
        double[] local = offer(engine.client(), count, probe);
        double[] far = offer(remote, count, probe);
        row3("latency enqueue->start, same JVM (ms)", local);
        row3("latency enqueue->start, other node (ms)", far);
        results.put("latency_local_p50_ms", round2(local[0]));
        results.put("latency_local_p95_ms", round2(local[1]));
        results.put("latency_local_p99_ms", round2(local[2]));
        results.put("latency_remote_p50_ms", round2(far[0]));
        results.put("latency_remote_p95_ms", round2(far[1]));
        results.put("latency_remote_p99_ms", round2(far[2]));
        results.put("latency_rate_per_s", o.rate());
      } finally {
        engine.close();
      }
    }
    probe.clear();
  }

  /** Offers {@code count} jobs at {@code --rate}; returns p50, p95, p99 in ms. */
  private double[] offer(JobClient client, int count, ServerProbe probe) throws Exception {
    Sink s = new Sink(count);
    sink = s;
    long period = TimeUnit.SECONDS.toNanos(1) / o.rate();
    long next = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      client.enqueue(JobRequest.of(TYPE, new Ping(System.nanoTime())));
      next += period;
    }
    awaitAll(probe, s, count);
    long[] l = Arrays.copyOf(s.latencies, (int) Math.min(count, s.latencyCount.get()));
    Arrays.sort(l);
    return new double[] {ms(percentile(l, 50)), ms(percentile(l, 95)), ms(percentile(l, 99))};
  }

  // ---- (e) idle ----

  private void idle(ServerProbe probe) throws Exception {
    try (MySqlJobStore store = store(true, o.poolSize())) {
      JobEngine engine = engine(store, "bench-idle");
      try {
        // Past start-up and into the slow poll.
        TimeUnit.SECONDS.sleep(3);
        Map<String, Long> before = probe.status();
        long t0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(o.idleSeconds());
        Map<String, Long> after = probe.status();
        double secs = seconds(t0);
        Work w = ServerProbe.between(before, after);
        double server = w.questions() / secs;
        double client = w.clientStatements() / secs;
        out.printf(
            Locale.ROOT, "%-44s %12.2f   (server, all clients: %.2f)%n",
            "idle node (queries/s, counted on the client)", client, server);
        results.put("idle_queries_per_s", round2(client));
        results.put("idle_queries_per_s_server", round2(server));
      } finally {
        engine.close();
      }
    }
  }

  // ---- heap soak ----

  private void soak(ServerProbe probe, JobClient client) throws Exception {
    long total = o.soak();
    Sink s = new Sink(0);
    sink = s;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    List<Long> samples = new ArrayList<>();
    try (MySqlJobStore store = store(true, o.poolSize())) {
      JobEngine engine = engine(store, "bench-soak");
      try {
        long enqueued = 0;
        long t0 = System.nanoTime();
        long nextSample = t0;
        List<JobRequest> batch = new ArrayList<>(ENQUEUE_BATCH);
        while (s.handled.get() < total) {
          if (enqueued < total && enqueued - s.handled.get() < 20_000) {
            int n = (int) Math.min(ENQUEUE_BATCH, total - enqueued);
            for (int i = 0; i < n; i++) {
              batch.add(JobRequest.of(TYPE, new Ping(0)));
            }
            client.enqueueAll(batch);
            batch.clear();
            enqueued += n;
          } else {
            TimeUnit.MILLISECONDS.sleep(20);
          }
          if (System.nanoTime() - nextSample >= 0) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            samples.add(used);
            out.printf(
                Locale.ROOT, "  soak: %,d jobs done, heap used after GC %.1f MiB%n",
                s.handled.get(), used / 1048576.0);
            nextSample += TimeUnit.SECONDS.toNanos(10);
          }
        }
        awaitAll(probe, s, total);
        double perS = total / seconds(t0);
        System.gc();
        samples.add(memory.getHeapMemoryUsage().getUsed());
        long first = samples.get(Math.min(1, samples.size() - 1));
        long last = samples.get(samples.size() - 1);
        long max = samples.stream().mapToLong(Long::longValue).max().orElse(0);
        out.printf(
            Locale.ROOT, "%-44s %12.0f   heap after GC: first %.1f MiB, last %.1f MiB, max %.1f MiB%n",
            "soak " + total + " jobs, 1 node (jobs/s)", perS, first / 1048576.0, last / 1048576.0,
            max / 1048576.0);
        results.put("soak_jobs", total);
        results.put("soak_jobs_per_s", round(perS));
        results.put("soak_heap_first_mib", round2(first / 1048576.0));
        results.put("soak_heap_last_mib", round2(last / 1048576.0));
        results.put("soak_heap_max_mib", round2(max / 1048576.0));
      } finally {
        engine.close();
      }
    }
    probe.clear();
  }

  // ---- helpers ----

  /** A store with its own pool; {@code counted}: its statements are counted on the client. */
  private MySqlJobStore store(boolean counted, int poolSize) {
    MySqlJobStore.Builder builder =
        MySqlJobStore.builder()
            .jdbcUrl(o.jdbcUrl(), o.user(), o.password())
            .tablePrefix(o.prefix())
            .poolSize(poolSize);
    if (counted) {
      // In code: a JDBC URL may not name classes for the driver to load.
      builder.driverProperty("queryInterceptors", StatementCounter.class.getName());
    }
    return builder.build();
  }

  private JobEngine engine(MySqlJobStore store, String name) {
    return JobEngine.builder()
        .store(store)
        .nodeName(name)
        .discoverHandlers(false)
        .queue("default", o.threads())
        .handler(JobHandler.of(TYPE, Ping.class, (p, ctx) -> sink.record(p)))
        .shutdownGrace(Duration.ofSeconds(10))
        .start();
  }

  private void row(String what, double value, Work w, long jobs) {
    out.printf(
        Locale.ROOT, "%-44s %12.0f %10.2f %10.2f %10.2f%n", what, value,
        w.per(jobs, w.questions()), w.per(jobs, w.commits()), w.per(jobs, w.clientStatements()));
  }

  private void row3(String what, double[] p) {
    out.printf(
        Locale.ROOT, "%-44s   p50 %.2f  p95 %.2f  p99 %.2f%n", what, p[0], p[1], p[2]);
  }

  private static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static long round(double d) {
    return Math.round(d);
  }

  private static double round2(double d) {
    return Math.round(d * 100) / 100.0;
  }

  static String json(Map<String, Object> map) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, Object> e : map.entrySet()) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append('"').append(e.getKey()).append("\":");
      Object v = e.getValue();
      if (v instanceof Map<?, ?> m) {
        Map<String, Object> inner = new LinkedHashMap<>();
        m.forEach((k, x) -> inner.put(String.valueOf(k), x));
        b.append(json(inner));
      } else if (v instanceof Number) {
        b.append(v);
      } else {
        b.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      }
    }
    return b.append('}').toString();
  }
}
