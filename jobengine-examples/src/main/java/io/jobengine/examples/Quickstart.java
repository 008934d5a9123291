package io.jobengine.examples;

import io.jobengine.JobClient;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.core.JobEngine;
import io.jobengine.spi.JobStore;
import io.jobengine.testing.InMemoryJobStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The quickstart: starts an engine, enqueues a handful of jobs, cancels one while it runs, and
 * shows every job's status and progress live until all have ended. Exits 0 when each job ended as
 * expected: SUCCESS, WARNING, SUCCESS after retries, and CANCELED.
 *
 * <p>Runs on the in-memory store unless given {@code --jdbc-url}.
 */
public final class Quickstart {
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final Duration REFRESH = Duration.ofMillis(150);

  private Quickstart() {}

  /**
   * Runs the demo.
   *
   * @param args {@code [--jdbc-url URL [--user USER] [--password PASSWORD]]}
   */
  public static void main(String[] args) {
    PrintStream out = System.out;
    ExampleOptions options;
    try {
      options = ExampleOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(ExampleOptions.USAGE);
      System.exit(2);
      return;
    }
    int exit;
    try (JobStore store = options.openStore()) {
      exit = run(store, out);
    }
    System.exit(exit);
  }

  static int run(JobStore store, PrintStream out) {
    out.println("jobengine quickstart on " + store);
    try (JobEngine engine =
        JobEngine.builder()
            .store(store)
            .nodeName("quickstart")
            .queue("default", 4)
            .discoverHandlers(false)
            .handler(new ProvisionServerHandler())
            .handler(new SyncInventoryHandler())
            .pollInterval(Duration.ofMillis(200))
            .shutdownGrace(Duration.ofSeconds(5))
            .start()) {
      JobClient jobs = engine.client();
      Map<JobId, JobStatus> expected = new LinkedHashMap<>();
      expected.put(provision(jobs, "web-01", 4), JobStatus.SUCCESS);
      expected.put(provision(jobs, "db-01", 16), JobStatus.WARNING);
      JobId toCancel = provision(jobs, "cache-01", 2);
      expected.put(toCancel, JobStatus.CANCELED);
      JobId flaky = jobs.enqueue(JobRequest.of(SyncInventoryHandler.TYPE, "eu-west"));
      expected.put(flaky, JobStatus.SUCCESS);
      expected.put(provision(jobs, "web-02", 4), JobStatus.SUCCESS);

      LiveTable table = new LiveTable(out, System.console() != null);
      boolean canceled = false;
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      List<JobInfo> snapshot;
      while (true) {
        snapshot = snapshot(jobs, expected.keySet());
        table.draw(snapshot);
        if (!canceled && isHalfway(snapshot, toCancel)) {
          out.println("-> cancel " + toCancel + ": " + jobs.cancel(toCancel));
          canceled = true;
        }
        if (snapshot.stream().allMatch(j -> j.status().isTerminal())) {
          break;
        }
        if (System.nanoTime() - deadline > 0) {
          out.println("Not all jobs ended within " + DEADLINE + "; giving up");
          return 1;
        }
        LockSupport.parkNanos(REFRESH.toNanos());
      }
      return report(snapshot, expected, flaky, out);
    }
  }

  private static JobId provision(JobClient jobs, String host, int cpus) {
    return jobs.enqueue(
        JobRequest.of(ProvisionServerHandler.TYPE, new ProvisionServerHandler.Request(host, cpus)));
  }

  private static boolean isHalfway(List<JobInfo> jobs, JobId id) {
    return jobs.stream()
        .anyMatch(j -> j.id().equals(id) && j.status() == JobStatus.RUNNING
            && j.progressPercent() != null && j.progressPercent() >= 40);
  }

  private static List<JobInfo> snapshot(JobClient jobs, Iterable<JobId> ids) {
    List<JobInfo> list = new ArrayList<>();
    for (JobId id : ids) {
      jobs.get(id).ifPresent(list::add);
    }
    return list;
  }

  private static int report(
      List<JobInfo> jobs, Map<JobId, JobStatus> expected, JobId flaky, PrintStream out) {
    boolean ok = true;
    out.println();
    for (JobInfo job : jobs) {
      JobStatus want = expected.get(job.id());
      boolean match = job.status() == want && (!job.id().equals(flaky) || job.attempt() == 3);
      ok &= match;
      out.printf("%s %-16s %-9s after %d attempt(s)%s%n", match ? "ok  " : "FAIL", job.type(),
          job.status(), job.attempt(), match ? "" : " (expected " + want + ")");
    }
    out.println(ok
        ? "All jobs ended as expected: SUCCESS, WARNING, SUCCESS after retries, CANCELED."
        : "Some jobs did not end as expected.");
    return ok ? 0 : 1;
  }
}
