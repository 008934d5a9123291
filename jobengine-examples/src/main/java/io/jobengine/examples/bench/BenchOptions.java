package io.jobengine.examples.bench;

import io.jobengine.testservers.ServerKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's command line.
 *
 * @param jdbcUrl the database (the local server by default)
 * @param user the user
 * @param password the password
 * @param jobs no-op jobs per end-to-end run
 * @param warmup no-op jobs burned down by one engine node and one raw loop before anything is
 *     measured, so the JIT has compiled both before either is timed; 0 for none
 * @param threads worker threads per node
 * @param nodes the node counts to run end to end, e.g. 1, 2, 4
 * @param rate jobs per second offered in the latency runs
 * @param latencySeconds how long each latency run offers jobs
 * @param idleSeconds how long the idle node is watched
 * @param enqueueSingle jobs enqueued one by one
 * @param poolSize connections per node's store
 * @param soak jobs for the heap soak run; 0 for none
 * @param prefix the table prefix of the benchmark's tables
 * @param server a private server to start and run against instead of {@code jdbcUrl} ({@code
 *     mysql-8.0}, {@code mariadb-11.4} or {@code mariadb-10.11}, from jobengine-testservers), or
 *     null
 */
record BenchOptions(
    String jdbcUrl,
    String user,
    String password,
    int jobs,
    int warmup,
    int threads,
    List<Integer> nodes,
    int rate,
    int latencySeconds,
    int idleSeconds,
    int enqueueSingle,
    int poolSize,
    long soak,
    String prefix,
    String server) {

  static final String USAGE =
      "usage: Benchmark [--jdbc-url URL] [--user USER] [--password PASSWORD] [--jobs 50000]\n"
          + "                 [--warmup 10000] [--threads 8] [--nodes 1,2,4] [--rate 200] [--latency-seconds 10]\n"
          + "                 [--idle-seconds 10] [--enqueue-single 2000] [--pool-size 5]\n"
          + "                 [--soak 1000000] [--prefix bench_] [--quick]\n"
          + "                 [--server mysql-8.0|mariadb-11.4|mariadb-10.11]\n"
          + "  --quick  a smoke run: 500 jobs, no warm-up, nodes 1,2, 2 s of latency, 2 s idle\n"
          + "  --server start that server privately (binaries from Maven artifacts) and run on it,"
          + " instead of --jdbc-url";

  static BenchOptions parse(String... args) {
    String url = "jdbc:mysql://127.0.0.1:3306/test";
    String user = "root";
    String password = "";
    Integer jobs = null;
    Integer warmup = null;
    int threads = 8;
    List<Integer> nodes = null;
    int rate = 200;
    Integer latency = null;
    Integer idle = null;
    Integer single = null;
    int pool = 5;
    long soak = 0;
    String prefix = "bench_";
    boolean quick = false;
    boolean urlGiven = false;
    String server = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quick")) {
        quick = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("Option " + io.jobengine.JobNames.quote(a) + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--jdbc-url" -> {
          url = v;
          urlGiven = true;
        }
        case "--server" -> server = ServerKind.ofPropertyName(v).propertyName();
        case "--user" -> user = v;
        case "--password" -> password = v;
        case "--jobs" -> jobs = positive(a, v);
        case "--warmup" -> warmup = nonNegative(a, v);
        case "--threads" -> threads = positive(a, v);
        case "--nodes" -> {
          nodes = new ArrayList<>();
          for (String n : v.split(",")) {
            nodes.add(positive(a, n.trim()));
          }
        }
        case "--rate" -> rate = positive(a, v);
        case "--latency-seconds" -> latency = positive(a, v);
        case "--idle-seconds" -> idle = positive(a, v);
        case "--enqueue-single" -> single = positive(a, v);
        case "--pool-size" -> pool = positive(a, v);
        case "--soak" -> soak = Long.parseLong(v);
        case "--prefix" -> prefix = v;
        default -> throw new IllegalArgumentException("Unknown option " + io.jobengine.JobNames.quote(a));
      }
    }
    if (server != null && urlGiven) {
      throw new IllegalArgumentException(
          "Give --server or --jdbc-url, not both: --server starts its own server");
    }
    return new BenchOptions(
        url, user, password,
        jobs != null ? jobs : quick ? 500 : 50_000,
        warmup != null ? warmup : quick ? 0 : 10_000,
        threads,
        List.copyOf(nodes != null ? nodes : quick ? List.of(1, 2) : List.of(1, 2, 4)),
        rate,
        latency != null ? latency : quick ? 2 : 10,
        idle != null ? idle : quick ? 2 : 10,
        single != null ? single : quick ? 100 : 2000,
        pool, soak, prefix, server);
  }

  /** These options, run against another database (a private server's). */
  BenchOptions on(String url, String user, String password) {
    return new BenchOptions(
        url, user, password, jobs, warmup, threads, nodes, rate, latencySeconds, idleSeconds,
        enqueueSingle, poolSize, soak, prefix, server);
  }

  private static int positive(String option, String value) {
    int n = whole(option, value);
    if (n < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + n);
    }
    return n;
  }

  private static int nonNegative(String option, String value) {
    int n = whole(option, value);
    if (n < 0) {
      throw new IllegalArgumentException(option + " must be 0 or more, got " + n);
    }
    return n;
  }

  private static int whole(String option, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, got " + io.jobengine.JobNames.quote(value), e);
    }
  }
}
