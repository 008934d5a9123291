package io.jobengine.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobengine.JobClient;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobNames;
import io.jobengine.JobPage;
import io.jobengine.JobQuery;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.NodeInfo;
import io.jobengine.PayloadException;
import io.jobengine.core.JacksonPayloadCodec;
import io.jobengine.spi.JobStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The operators' command line: what {@code supervisorctl} is for worker processes, for a jobengine
 * cluster. It talks to the database only, never to the nodes.
 *
 * <pre>
 * jobctl --jdbc-url URL [--user U] [--password P] [--table-prefix P] [--no-migrate] status
 * jobctl ... jobs [--status FAILURE] [--type T] [--queue Q] [--limit 50]
 * jobctl ... show JOB_ID | cancel JOB_ID | retry JOB_ID
 * jobctl ... enqueue TYPE JSON [--queue Q] [--priority N] [--delay 30s]
 * </pre>
 */
public final class JobCtl {
  static final String USAGE =
      "usage: jobctl --jdbc-url URL [--user USER] [--password PASSWORD] [--table-prefix P]"
          + " [--no-migrate] COMMAND\n"
          + "commands: status | jobs [--status S] [--type T] [--queue Q] [--limit N]\n"
          + "          | show ID | cancel ID | retry ID\n"
          + "          | enqueue TYPE JSON [--queue Q] [--priority N] [--delay D]\n"
          + "--no-migrate: never create or upgrade the tables, only check that they are current";

  private final JobClient client;
  private final PrintStream out;

  JobCtl(JobClient client, PrintStream out) {
    this.client = client;
    this.out = out;
  }

  /**
   * Runs one command.
   *
   * @param args the store options, then the command and its arguments
   */
  public static void main(String[] args) {
    int split = 0;
    while (split < args.length && args[split].startsWith("--")) {
      split += args[split].equals(ExampleOptions.NO_MIGRATE) ? 1 : 2;
    }
    split = Math.min(split, args.length);
    int exit;
    try {
      ExampleOptions options = ExampleOptions.parse(Arrays.copyOfRange(args, 0, split));
      if (split >= args.length) {
        throw new IllegalArgumentException("No command given");
      }
      try (JobStore store = options.openStore()) {
        exit = new JobCtl(JobClient.of(store), System.out).run(Arrays.copyOfRange(args, split, args.length));
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      exit = 2;
    }
    System.exit(exit);
  }

  int run(String[] args) {
    String command = args[0];
    List<String> rest = List.of(args).subList(1, args.length);
    return switch (command) {
      case "status" -> status();
      case "jobs" -> jobs(rest);
      case "show" -> show(id(rest));
      case "cancel" -> {
        out.println(client.cancel(id(rest)));
        yield 0;
      }
      case "retry" -> {
        boolean done = client.retry(id(rest));
        out.println(done ? "PENDING: the job will run again" : "not retried: only FAILURE or CANCELED jobs can be");
        yield done ? 0 : 1;
      }
      case "enqueue" -> enqueue(rest);
      default -> throw new IllegalArgumentException("Unknown command " + JobNames.quote(command));
    };
  }

  private int status() {
    List<NodeInfo> nodes = client.nodes();
    if (nodes.isEmpty()) {
      out.println("No nodes have registered.");
      return 0;
    }
    out.printf("%-20s %-8s %-20s %-8s %-28s %-8s %s%n",
        "NODE", "STATE", "HOST", "PID", "QUEUES", "RUNNING", "LAST HEARTBEAT");
    for (NodeInfo n : nodes) {
      String queues = n.queues().entrySet().stream()
          .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
      out.printf("%-20s %-8s %-20s %-8d %-28s %-8d %s ago%n",
          n.name(), n.state(), n.host(), n.pid(), queues, n.runningJobs(), age(n.heartbeatAge()));
    }
    return 0;
  }

  private int jobs(List<String> args) {
    JobQuery.Builder query = JobQuery.builder();
    for (int i = 0; i < args.size(); i += 2) {
      String value = value(args, i);
      switch (args.get(i)) {
        case "--status" -> query.status(status(value));
        case "--type" -> query.type(value);
        case "--queue" -> query.queue(value);
        case "--limit" -> query.limit(integer("--limit", value));
        default -> throw new IllegalArgumentException("Unknown option " + JobNames.quote(args.get(i)));
      }
    }
    JobPage page = client.list(query.build());
    out.printf("%-36s %-20s %-12s %-10s %-8s %s%n", "ID", "TYPE", "QUEUE", "STATUS", "ATTEMPT", "OWNER");
    for (JobInfo j : page.jobs()) {
      out.printf("%-36s %-20s %-12s %-10s %-8s %s%n", j.id(), j.type(), j.queue(), j.status(),
          j.attempt() + "/" + (j.maxAttempts() == null ? "-" : j.maxAttempts()), j.leaseOwner() == null ? "-" : j.leaseOwner());
    }
    page.next().ifPresent(next -> out.println("(more: the next page starts after " + next + ")"));
    return 0;
  }

  private int show(JobId id) {
    JobInfo j = client.get(id).orElse(null);
    if (j == null) {
      out.println("No job " + id);
      return 1;
    }
    out.println("id:        " + j.id());
    out.println("type:      " + j.type() + " (queue " + j.queue() + ", priority " + j.priority() + ")");
    out.println("status:    " + j.status() + (j.cancelRequested() ? " (cancel requested)" : ""));
    out.println(
        "attempt:   " + j.attempt() + " of "
            + (j.maxAttempts() == null ? "its handler's policy (set at the first claim)" : j.maxAttempts()));
    out.println("owner:     " + (j.leaseOwner() == null ? "-" : j.leaseOwner() + " until " + j.leaseExpiresAt()));
    out.println("progress:  " + (j.progressPercent() == null ? "-" : j.progressPercent() + "% " + (j.progressMessage() == null ? "" : j.progressMessage())));
    j.warnings().forEach(w -> out.println("warning:   " + w));
    out.println("created:   " + j.createdAt() + ", run at " + j.runAt());
    out.println("started:   " + (j.startedAt() == null ? "-" : j.startedAt()));
    out.println("finished:  " + (j.finishedAt() == null ? "-" : j.finishedAt()));
    if (j.lastError() != null) {
      out.println("last error:");
      out.println(j.lastError());
    }
    return 0;
  }

  private int enqueue(List<String> args) {
    if (args.size() < 2) {
      throw new IllegalArgumentException("enqueue needs a TYPE and a JSON payload");
    }
    Object payload;
    try {
      // The codec's message says where the JSON is wrong without echoing it (it may hold secrets).
      payload = new JacksonPayloadCodec().decode(args.get(1), JsonNode.class);
    } catch (PayloadException e) {
      throw new IllegalArgumentException("The payload is not JSON: " + e.getMessage());
    }
    JobRequest.Builder request = JobRequest.builder(args.get(0)).payload(payload);
    List<String> options = new ArrayList<>(args.subList(2, args.size()));
    for (int i = 0; i < options.size(); i += 2) {
      String value = value(options, i);
      switch (options.get(i)) {
        case "--queue" -> request.queue(value);
        case "--priority" -> request.priority(integer("--priority", value));
        case "--delay" -> request.delay(DurationArg.parse("--delay", value));
        default -> throw new IllegalArgumentException("Unknown option " + JobNames.quote(options.get(i)));
      }
    }
    out.println(client.enqueue(request.build()));
    return 0;
  }

  private static JobId id(List<String> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("The command needs a job id");
    }
    return JobId.parse(args.get(0));
  }

  private static JobStatus status(String value) {
    try {
      return JobStatus.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--status takes one of " + Arrays.toString(JobStatus.values()) + ", got "
              + JobNames.quote(value));
    }
  }

  private static int integer(String option, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " takes a whole number, got " + JobNames.quote(value));
    }
  }

  private static String value(List<String> args, int i) {
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException("Option " + JobNames.quote(args.get(i)) + " needs a value");
    }
    return args.get(i + 1);
  }

  static String age(Duration d) {
    long s = d.toSeconds();
    return s < 120 ? s + "s" : s < 7200 ? (s / 60) + "m" : (s / 3600) + "h";
  }
}
