package io.jobengine.examples;

import io.jobengine.JobId;
import io.jobengine.JobRequest;
import io.jobengine.examples.Cluster.Worker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What several fault tests share. */
final class FaultTests {
  private FaultTests() {}

  /**
   * {@code count} jobs that each sleep {@code millis} and stop when interrupted, with three
   * attempts.
   */
  static List<JobRequest> naps(int count, long millis) {
    List<JobRequest> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      requests.add(
          JobRequest.builder("fault-sleep").payload(new FaultHandlers.Nap(millis, true))
              .maxAttempts(3).build());
    }
    return requests;
  }

  /** The worker that holds the most jobs now. */
  static Worker busiest(Cluster cluster, List<Worker> workers) {
    return workers.stream()
        .max(Comparator.comparingLong(
            w -> cluster.count(cluster.table("job") + " WHERE lease_owner = ?", w.node)))
        .orElseThrow();
  }

  /** What {@code jobctl status} prints for the cluster now. */
  static String jobctlStatus(Cluster cluster) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream out = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
    int exit = new JobCtl(cluster.client(), out).run(new String[] {"status"});
    if (exit != 0) {
      throw new AssertionError("jobctl status exited " + exit + ": " + bytes);
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Those of {@code ids} that {@code node} holds now. */
  static List<JobId> jobsOf(Cluster cluster, String node, List<JobId> ids) {
    List<JobId> held = new ArrayList<>();
    for (List<Object> row :
        cluster.db.rows("SELECT id FROM " + cluster.table("job") + " WHERE lease_owner = ?", node)) {
      JobId id = JobId.fromBytes((byte[]) row.get(0));
      if (ids.contains(id)) {
        held.add(id);
      }
    }
    return held;
  }
}
