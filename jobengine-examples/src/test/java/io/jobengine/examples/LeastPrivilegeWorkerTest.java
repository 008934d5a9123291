package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole worker and CLI as a database user with only SELECT, INSERT, UPDATE and DELETE, what
 * the README says a node needs once the schema exists (issue 9, defect 8): a worker process
 * ({@link WorkerMain}) and {@link JobCtl} processes start on the current schema, with automatic
 * migration on and with {@code --no-migrate}, and a job enqueued by the CLI runs to SUCCESS.
 */
class LeastPrivilegeWorkerTest {
  private static final String PASSWORD = "lp-Passw0rd!";
  private static final List<String> HOSTS = List.of("%", "localhost", "127.0.0.1");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  @RegisterExtension final AfterEachClose closer = new AfterEachClose();

  private final FaultDatabase root = FaultDatabase.get();
  private String user;

  @AfterEach
  void dropUser() {
    if (user != null) {
      root.execute(
          HOSTS.stream().map(h -> "DROP USER IF EXISTS '" + user + "'@'" + h + "'")
              .toArray(String[]::new));
    }
  }

  @Test
  void a_worker_and_the_cli_run_a_job_as_a_user_without_ddl_privileges() throws Exception {
    String database = (String) root.rows("SELECT DATABASE()").get(0).get(0);
    String name = "je_lp_" + database.replaceAll("[^A-Za-z0-9_]", "_") + "_w";
    List<String> sql = new ArrayList<>();
    for (String host : HOSTS) {
      sql.add("DROP USER IF EXISTS '" + name + "'@'" + host + "'");
      sql.add("CREATE USER '" + name + "'@'" + host + "' IDENTIFIED BY '" + PASSWORD + "'");
      sql.add("GRANT SELECT, INSERT, UPDATE, DELETE ON `" + database + "`.* TO '" + name + "'@'"
          + host + "'");
    }
    try {
      root.execute(sql.toArray(String[]::new));
      user = name;
    } catch (IllegalStateException e) {
      assumeThat(false).as("the test user cannot create users: %s", e.getMessage()).isTrue();
    }
    FaultDatabase leastPrivilege = root.as(user, PASSWORD);
    // The cluster creates the tables as root; the workers connect as the least-privilege user.
    Cluster cluster = closer.add(Cluster.create("lpw", root, leastPrivilege));
    cluster.start("lpw-w1");
    cluster.start("lpw-w2", "--no-migrate");

    CliRun status = jobctl(cluster, leastPrivilege, "status");
    assertThat(status.exit).as(status.output).isZero();
    assertThat(status.output).contains("lpw-w1", "lpw-w2").contains("ALIVE");

    CliRun enqueue =
        jobctl(cluster, leastPrivilege, ExampleOptions.NO_MIGRATE, "enqueue", "fault-noop",
            "{\"n\":7}");
    assertThat(enqueue.exit).as(enqueue.output).isZero();
    Matcher m = UUID.matcher(enqueue.stdout);
    assertThat(m.find()).as("a job id in: %s", enqueue.output).isTrue();
    JobId id = JobId.parse(m.group());

    Cluster.await(
        "job " + id + " to succeed", Duration.ofSeconds(60),
        () -> cluster.client().get(id).filter(j -> j.status() == JobStatus.SUCCESS).orElse(null));

    CliRun show = jobctl(cluster, leastPrivilege, "show", id.toString());
    assertThat(show.exit).as(show.output).isZero();
    assertThat(show.stdout).contains("status:    SUCCESS");
    CliRun jobs = jobctl(cluster, leastPrivilege, "jobs", "--status", "success");
    assertThat(jobs.exit).as(jobs.output).isZero();
    assertThat(jobs.stdout).contains(id.toString());
  }

  private record CliRun(int exit, String stdout, String output) {}

  /** Runs {@link JobCtl} in its own JVM, as an operator would, against the cluster's tables. */
  private static CliRun jobctl(Cluster cluster, FaultDatabase as, String... command)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", Cluster.classPath(),
            "-Dlogback.configurationFile=" + Cluster.mainLogbackConfig(),
            "-Djobengine.log.dir=" + cluster.logDir,
            JobCtl.class.getName(),
            "--jdbc-url", as.url(), "--user", as.user(), "--password", as.password(),
            "--table-prefix", cluster.prefix));
    cmd.addAll(List.of(command));
    Path out = Files.createTempFile(cluster.logDir, "jobctl-", ".out");
    Path err = Files.createTempFile(cluster.logDir, "jobctl-", ".err");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("jobctl " + String.join(" ", command) + " did not end in 60 s");
      }
    } finally {
      p.destroyForcibly();
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    return new CliRun(
        p.exitValue(), stdout,
        "jobctl " + String.join(" ", command) + " exited " + p.exitValue() + "\nstdout:\n" + stdout
            + "\nstderr:\n" + stderr);
  }
}
