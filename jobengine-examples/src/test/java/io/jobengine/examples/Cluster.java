package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobClient;
import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.mysql.MySqlJobStore;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A cluster of worker processes ({@link WorkerMain}, each its own JVM) on one database, with its
 * own tables (a table prefix per test), for the fault tests: starts workers, kills, pauses and
 * restarts them (as a supervisor would), enqueues jobs, waits on SQL conditions, and checks the
 * invariants at the end. Closing it kills every worker it started, whatever state they are in.
 */
final class Cluster implements AutoCloseable {
  /** Short leases, so that faults recover in seconds. */
  static final Duration LEASE = Duration.ofSeconds(2);

  static final Set<String> TERMINAL = Set.of("SUCCESS", "WARNING", "FAILURE", "CANCELED");

  /** Every worker process of this JVM, killed by a shutdown hook should the tests not get to it. */
  private static final Set<Process> ALL = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly), "fault-cleanup"));
  }

  final String name;
  final String prefix;
  final FaultDatabase db;
  /** How the workers connect: the engines as {@link #workerDb}, their handlers' records as {@link #db}. */
  final FaultDatabase workerDb;
  final Path logDir;
  private final MySqlJobStore store;
  private final JobClient client;
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  private final Set<Long> faultedPids = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  private Cluster(String name, FaultDatabase db, FaultDatabase workerDb) {
    this.name = name;
    this.prefix = "flt_" + name + "_";
    this.db = db;
    this.workerDb = workerDb;
    this.logDir = Path.of("target", "fault-logs", name).toAbsolutePath();
    dropTables();
    try {
      deleteRecursively(logDir);
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Creates the tables before any worker starts; workers then find them at the latest version.
    this.store =
        MySqlJobStore.builder().jdbcUrl(db.url(), db.user(), db.password()).poolSize(2)
            .tablePrefix(prefix).build();
    this.client = JobClient.of(store);
    db.execute(AttemptLog.ddl(prefix + "attempt"));
  }

  /**
   * A cluster with no workers yet; the tables of an earlier run of the same test are dropped
   * (and kept after this one, with the logs in target/fault-logs, to look at after a failure).
   */
  static Cluster create(String name, FaultDatabase db) {
    return new Cluster(name, db, db);
  }

  /** A cluster whose engines connect as another user of the same server. */
  static Cluster create(String name, FaultDatabase db, FaultDatabase workerDb) {
    return new Cluster(name, db, workerDb);
  }

  static Cluster create(String name) {
    return create(name, FaultDatabase.get());
  }

  JobClient client() {
    return client;
  }

  String table(String suffix) {
    return "`" + prefix + suffix + "`";
  }

  /** Starts a worker process and waits until it has registered. */
  Worker start(String node, String... extraArgs) {
    Worker worker = new Worker(node, command(node, extraArgs));
    workers.add(worker);
    worker.start();
    worker.watch();
    awaitRegistered(worker);
    return worker;
  }

  /** Starts several workers at once (their JVMs start in parallel) and waits for all. */
  List<Worker> startAll(List<String> nodes, String... extraArgs) {
    List<Worker> started = new ArrayList<>();
    for (String node : nodes) {
      Worker worker = new Worker(node, command(node, extraArgs));
      workers.add(worker);
      worker.start();
      worker.watch();
      started.add(worker);
    }
    started.forEach(this::awaitRegistered);
    return started;
  }

  void awaitRegistered(Worker worker) {
    long pid = worker.pid();
    await(
        "node " + worker.node + " (pid " + pid + ") to register; see " + worker.output(),
        Duration.ofSeconds(60),
        () -> {
          if (!worker.alive()) {
            throw new AssertionError(
                "Worker " + worker.node + " exited with " + worker.process().exitValue()
                    + " before registering; see " + worker.output());
          }
          return db.count(
                  "SELECT COUNT(*) FROM " + table("node") + " WHERE name = ? AND pid = ?"
                      + " AND stopped_at IS NULL", worker.node, pid) > 0
              ? Boolean.TRUE
              : null;
        });
  }

  private List<String> command(String node, String... extraArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "-Xmx256m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", classPath(),
            "-Dlogback.configurationFile=" + mainLogbackConfig(),
            "-Djobengine.log.dir=" + logDir,
            "-Dorg.jooq.no-logo=true", "-Dorg.jooq.no-tips=true",
            "-D" + AttemptLog.URL + "=" + db.url(),
            "-D" + AttemptLog.USER + "=" + db.user(),
            "-D" + AttemptLog.PASSWORD + "=" + db.password(),
            "-D" + AttemptLog.TABLE + "=" + prefix + "attempt",
            WorkerMain.class.getName(),
            "--node", node,
            "--jdbc-url", workerDb.url(), "--user", workerDb.user(), "--password", workerDb.password(),
            "--table-prefix", prefix,
            "--lease", LEASE.toMillis() + "ms", "--poll", "100ms", "--grace", "1s"));
    // Later options win: a test may override the defaults above.
    cmd.addAll(List.of(extraArgs));
    return cmd;
  }

  static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
  }

  /** The examples' own logback.xml (not the tests' logback-test.xml, which is also on the path). */
  static String mainLogbackConfig() {
    try {
      URL url = WorkerMain.class.getProtectionDomain().getCodeSource().getLocation();
      Path path = Path.of(url.toURI());
      Path config = Files.isDirectory(path) ? path.resolve("logback.xml") : null;
      if (config == null || !Files.exists(config)) {
        throw new IllegalStateException("The examples' logback.xml is not next to " + path);
      }
      return config.toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keeps restarting the worker whenever its process ends, as supervisord would, until closed. */
  void supervise(Worker worker) {
    worker.supervised = true;
  }

  /** SIGKILL: the process ends at once, in the middle of whatever it was doing. */
  void kill(Worker worker) {
    Process process = worker.process();
    faultedPids.add(process.pid());
    process.destroyForcibly();
    await("worker " + worker.node + " to die", Duration.ofSeconds(10),
        () -> process.isAlive() ? null : Boolean.TRUE);
  }

  /** The jobs whose live lease {@code node} holds. */
  List<JobId> leasedBy(String node) {
    List<JobId> held = new ArrayList<>();
    for (List<Object> row :
        db.rows("SELECT id FROM " + table("job") + " WHERE lease_owner = ?"
            + " AND status IN ('QUEUED','RUNNING','TO_CANCEL')", node)) {
      held.add(JobId.fromBytes((byte[]) row.get(0)));
    }
    return held;
  }

  /** SIGSTOP: the process freezes (as in a long GC pause or a stalled VM). */
  void pause(Worker worker) {
    faultedPids.add(worker.pid());
    signal(worker, "STOP");
  }

  void resume(Worker worker) {
    signal(worker, "CONT");
  }

  /** SIGTERM: what supervisord and systemd send to stop a process. */
  void terminate(Worker worker) {
    signal(worker, "TERM");
  }

  private static void signal(Worker worker, String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(worker.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + worker.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  List<JobId> enqueue(List<JobRequest> requests) {
    List<JobId> ids = new ArrayList<>(requests.size());
    for (int from = 0; from < requests.size(); from += 1000) {
      ids.addAll(client.enqueueAll(requests.subList(from, Math.min(requests.size(), from + 1000))));
    }
    return ids;
  }

  /** {@code ('HEX1','HEX2',...)}, to match {@code HEX(id)} in SQL. */
  static String hexIds(java.util.Collection<JobId> ids) {
    StringBuilder s = new StringBuilder("(");
    for (JobId id : ids) {
      if (s.length() > 1) {
        s.append(',');
      }
      s.append('\'').append(java.util.HexFormat.of().withUpperCase().formatHex(id.toBytes())).append('\'');
    }
    return s.append(')').toString();
  }

  long count(String sqlAfterFrom, Object... args) {
    return db.count("SELECT COUNT(*) FROM " + sqlAfterFrom, args);
  }

  long unfinished() {
    return count(table("job") + " WHERE status NOT IN ('SUCCESS','WARNING','FAILURE','CANCELED')");
  }

  /** Waits until every job has ended; returns how long it took. */
  Duration awaitAllEnded(Duration timeout) {
    long start = System.nanoTime();
    await("all jobs to end (" + name + ")", timeout, () -> unfinished() == 0 ? Boolean.TRUE : null);
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Polls {@code probe} every 50 ms until it returns non-null; fails at the deadline. */
  static <T> T await(String what, Duration timeout, Supplier<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  static String millis(Duration d) {
    return d.toMillis() + " ms";
  }

  /**
   * The guarantees, checked in SQL against the job table, the job history and the attempts the
   * handlers recorded: none lost, each ended exactly once, attempts within the maximum, the result
   * that stands is the one of the attempt holding the final lease, a fenced attempt never
   * committed, and two attempts of one job overlapped only where the older had lost its lease
   * (its process was killed or paused, or the engine told it LEASE_LOST).
   */
  void assertInvariants(int expectedJobs) {
    String job = table("job");
    String event = table("job_event");
    String attempt = table("attempt");
    String terminal = "('SUCCESS','WARNING','FAILURE','CANCELED')";

    assertThat(db.count("SELECT COUNT(*) FROM " + job)).as("jobs in the table (none lost)")
        .isEqualTo(expectedJobs);
    assertThat(db.rows("SELECT HEX(id), status FROM " + job + " WHERE status NOT IN " + terminal))
        .as("jobs not in a terminal status").isEmpty();
    // One terminal history row per job; a job the reaper failed (attempts used up by crashes)
    // has none, since no attempt wrote an outcome.
    assertThat(
            db.rows(
                "SELECT * FROM (SELECT HEX(j.id) id, j.status, j.last_error,"
                    + " (SELECT COUNT(*) FROM " + event + " e WHERE e.job_id = j.id AND e.status IN "
                    + terminal + ") ends FROM " + job + " j) x"
                    + " WHERE ends <> 1 AND NOT (ends = 0 AND status = 'FAILURE'"
                    + " AND last_error LIKE 'lease of node % expired%')"))
        .as("jobs whose history does not show exactly one end").isEmpty();
    assertThat(db.rows("SELECT HEX(id), attempt, max_attempts FROM " + job + " WHERE attempt > max_attempts"))
        .as("jobs past their maximum of attempts").isEmpty();
    assertThat(
            db.rows(
                "SELECT HEX(a.job_id), a.attempt, j.max_attempts FROM " + attempt + " a JOIN " + job
                    + " j ON j.id = a.job_id WHERE a.attempt > j.max_attempts OR a.attempt < 1"))
        .as("recorded attempts past the maximum").isEmpty();
    // The result that stands is the one of the attempt that holds the final token.
    assertThat(
            db.rows(
                "SELECT HEX(j.id), j.status, j.attempt, j.lease_token, a.token, a.outcome, a.attempt"
                    + " FROM " + job + " j LEFT JOIN " + attempt + " a ON a.job_id = j.id"
                    + " AND a.token = j.lease_token WHERE j.status IN ('SUCCESS','WARNING')"
                    + " AND (a.job_id IS NULL OR a.outcome <> 'ok' OR a.attempt <> j.attempt)"))
        .as("successful jobs whose final token is not that of an attempt that finished").isEmpty();
    assertThat(
            db.rows(
                "SELECT HEX(j.id), e.node, e.attempt, a.node, a.attempt FROM " + job + " j JOIN "
                    + event + " e ON e.job_id = j.id AND e.status = j.status JOIN " + attempt
                    + " a ON a.job_id = j.id AND a.token = j.lease_token"
                    + " WHERE j.status IN ('SUCCESS','WARNING')"
                    + " AND (e.node <> a.node OR e.attempt <> a.attempt)"))
        .as("results written by another attempt than the one holding the final token").isEmpty();
    assertThat(
            db.rows(
                "SELECT HEX(a.job_id), a.token, a.node FROM " + attempt + " a JOIN " + job
                    + " j ON j.id = a.job_id WHERE a.lease_lost = 1 AND a.token = j.lease_token"
                    + " AND j.status IN ('SUCCESS','WARNING')"))
        .as("fenced attempts whose result stands").isEmpty();
    String faulted =
        faultedPids.isEmpty()
            ? "(-1)"
            : faultedPids.stream().map(String::valueOf).reduce((a, b) -> a + "," + b)
                .map(s -> "(" + s + ")").orElseThrow();
    assertThat(
            db.rows(
                "SELECT HEX(o.job_id), o.token, o.node, o.pid, o.started_at, o.ended_at, o.outcome,"
                    + " n.token, n.node, n.started_at FROM " + attempt + " o JOIN " + attempt
                    + " n ON n.job_id = o.job_id AND n.token > o.token"
                    + " WHERE n.started_at < COALESCE(o.ended_at, '9999-12-31')"
                    + " AND o.lease_lost = 0 AND o.pid NOT IN " + faulted))
        .as("attempts that overlapped an older one that had not lost its lease").isEmpty();
  }

  /** How many recorded attempts overlapped an older attempt of the same job. */
  long overlaps() {
    String attempt = table("attempt");
    return db.count(
        "SELECT COUNT(*) FROM " + attempt + " o JOIN " + attempt
            + " n ON n.job_id = o.job_id AND n.token > o.token"
            + " WHERE n.started_at < COALESCE(o.ended_at, '9999-12-31')");
  }

  private void dropTables() {
    db.execute(
        "DROP TABLE IF EXISTS " + table("job") + ", " + table("job_event") + ", " + table("node")
            + ", " + table("schema_version") + ", " + table("attempt"));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  @Override
  public void close() {
    closing = true;
    for (Worker worker : workers) {
      worker.destroy();
    }
    store.close();
  }

  /** One worker process; restarted with the same node name when supervised. */
  final class Worker {
    final String node;
    private final List<String> command;
    private volatile Process process;
    private volatile boolean supervised;
    volatile int starts;

    private Worker(String node, List<String> command) {
      this.node = node;
      this.command = command;
    }

    synchronized void start() {
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output().toFile()));
        process = builder.start();
        ALL.add(process);
        starts++;
      } catch (IOException e) {
        throw new UncheckedIOException("Could not start worker " + node, e);
      }
    }

    /**
     * When the process ends: a crash (any exit but 0, or 143 after a graceful SIGTERM) counts as a
     * fault, whose attempts lost their leases; a supervised worker is started again.
     */
    private void watch() {
      Process watched = process;
      watched.onExit().thenRun(() -> {
        ALL.remove(watched);
        int code = watched.exitValue();
        if (code != 0 && code != 143) {
          faultedPids.add(watched.pid());
        }
        if (supervised && !closing && watched == process) {
          start();
          watch();
        }
      });
    }

    Process process() {
      return process;
    }

    long pid() {
      return process.pid();
    }

    boolean alive() {
      return process.isAlive();
    }

    Path output() {
      return logDir.resolve(node + ".out");
    }

    Path log() {
      return logDir.resolve("jobengine-" + node + ".log");
    }

    String logText() {
      try {
        return Files.readString(log());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Waits for the process to exit by itself; returns its exit code. */
    int awaitExit(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError("Worker " + node + " did not exit within " + timeout);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      return process.exitValue();
    }

    private void destroy() {
      supervised = false;
      Process p = process;
      if (p != null) {
        p.destroyForcibly(); // SIGKILL ends a stopped (SIGSTOP) process too
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ALL.remove(p);
      }
    }

    @Override
    public String toString() {
      return node + "(pid " + (process == null ? "-" : process.pid()) + ")";
    }
  }
}
