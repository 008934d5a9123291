package io.jobengine.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The harness runs on a small N and prints a well-formed BENCH line. No speed is asserted: speed
 * is what the harness shows, never what a test checks. Needs a database like the store's tests:
 * JOBENGINE_TEST_JDBC_URL, else the local server at 127.0.0.1:3306 (root, no password, test).
 */
class BenchmarkSmokeTest {
  private static final List<String> REQUIRED =
      List.of(
          "engine_jobs_per_s", "raw_jobs_per_s", "ratio", "enqueue_batch_per_s",
          "latency_local_p50_ms", "latency_local_p99_ms", "latency_remote_p50_ms",
          "idle_queries_per_s", "statements_per_job");

  @Test
  void a_quick_run_prints_a_table_and_a_bench_line_with_every_figure() throws Exception {
    String url = System.getenv().getOrDefault("JOBENGINE_TEST_JDBC_URL", "jdbc:mysql://127.0.0.1:3306/test");
    String user = url.contains("user=") ? "ignored" : "root";
    BenchOptions options =
        BenchOptions.parse(
            "--quick", "--jdbc-url", url, "--user", user, "--jobs", "200", "--nodes", "1",
            "--latency-seconds", "1", "--idle-seconds", "1", "--enqueue-single", "20",
            "--rate", "50", "--prefix", "benchsmoke_");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      Benchmark.run(options, out);
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    String last = lines.get(lines.size() - 1);

    assertThat(lines).anyMatch(l -> l.startsWith("engine 1 node(s) x 8 threads"));
    assertThat(last).startsWith("BENCH {").endsWith("}");
    for (String key : REQUIRED) {
      assertThat(Pattern.compile("\"" + key + "\":-?[0-9]+(\\.[0-9]+)?[,}]").matcher(last).find())
          .as("BENCH line has a number for %s: %s", key, last)
          .isTrue();
    }
  }
}
