package io.jobengine.examples;

import io.jobengine.JobNames;
import io.jobengine.core.JobEngine;
import io.jobengine.spi.JobStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker node as its own process, the way a supervisor (supervisord, systemd) runs several:
 *
 * <pre>
 * java -cp ... io.jobengine.examples.WorkerMain --node worker01 --queues default:8,provisioning:4 \
 *     --jdbc-url jdbc:mysql://127.0.0.1:3306/jobs --user jobs --password secret [--no-migrate]
 * </pre>
 *
 * Handlers are found through ServiceLoader. SIGTERM (or Ctrl-C) shuts the node down gracefully:
 * it stops claiming, lets running jobs finish within {@code --grace}, then releases the rest.
 * Logs go to logs/jobengine.log (all nodes) and logs/jobengine-NODE.log (this one); the system
 * property {@code jobengine.log.dir} moves them elsewhere.
 */
public final class WorkerMain {
  /**
   * The system property that names the node of this process for the logs (logback.xml): every line
   * of a worker process belongs to its node, not only the lines of job threads.
   */
  static final String NODE_PROPERTY = "jobengine.node";

  static final String USAGE =
      "usage: worker --node NAME --jdbc-url URL [--user USER] [--password PASSWORD]\n"
          + "              [--queues default:8,provisioning:4] [--lease 30s] [--grace 30s] [--poll 1s]\n"
          + "              [--table-prefix jobengine_] [--no-migrate]\n"
          + "--no-migrate: never create or upgrade the tables, only check that they are current"
          + " (a user with\n"
          + "              SELECT, INSERT, UPDATE, DELETE suffices on a current schema either way)";

  private WorkerMain() {}

  /**
   * Runs a worker node until the process is told to stop.
   *
   * @param args see {@link #USAGE}
   */
  public static void main(String[] args) {
    // Before anything logs: logback reads the node name once, when it configures itself.
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--node") && System.getProperty(NODE_PROPERTY) == null) {
        System.setProperty(NODE_PROPERTY, args[i + 1]);
      }
    }
    WorkerOptions options;
    try {
      options = WorkerOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    Logger log = LoggerFactory.getLogger(WorkerMain.class);
    CountDownLatch stopped = new CountDownLatch(1);
    JobStore store = options.store().openStore();
    JobEngine.Builder builder =
        JobEngine.builder()
            .store(store)
            .nodeName(options.node())
            .leaseDuration(options.lease())
            .shutdownGrace(options.grace())
            .pollInterval(options.poll());
    options.queues().forEach(builder::queue);
    JobEngine engine;
    try {
      engine = builder.start();
    } catch (RuntimeException e) {
      log.error("Node {} could not start: {}", options.node(), e.getMessage(), e);
      store.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Node {} received a stop signal; shutting down gracefully", options.node());
                  engine.close();
                  store.close();
                  stopped.countDown();
                },
                "jobengine-" + options.node() + "-shutdown"));
    log.info("Node {} is running: queues {}", options.node(), options.queues());
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The worker's options. */
  record WorkerOptions(
      String node,
      Map<String, Integer> queues,
      ExampleOptions store,
      Duration lease,
      Duration grace,
      Duration poll) {

    static WorkerOptions parse(String[] args) {
      String node = null;
      Map<String, Integer> queues = new LinkedHashMap<>();
      Duration lease = JobEngine.Builder.DEFAULT_LEASE_DURATION;
      Duration grace = JobEngine.Builder.DEFAULT_SHUTDOWN_GRACE;
      Duration poll = JobEngine.Builder.DEFAULT_POLL_INTERVAL;
      java.util.List<String> storeArgs = new java.util.ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (flag.equals(ExampleOptions.NO_MIGRATE)) {
          storeArgs.add(flag);
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("Option " + JobNames.quote(flag) + " needs a value");
        }
        String value = args[++i];
        switch (flag) {
          case "--node" -> node = value;
          case "--queues" -> queues = parseQueues(value);
          case "--lease" -> lease = DurationArg.parse(flag, value);
          case "--grace" -> grace = DurationArg.parse(flag, value);
          case "--poll" -> poll = DurationArg.parse(flag, value);
          case "--jdbc-url", "--user", "--password", "--table-prefix" -> {
            storeArgs.add(flag);
            storeArgs.add(value);
          }
          default -> throw new IllegalArgumentException("Unknown option " + JobNames.quote(flag));
        }
      }
      if (node == null) {
        throw new IllegalArgumentException("--node is required: each worker process needs its own name");
      }
      ExampleOptions store = ExampleOptions.parse(storeArgs.toArray(String[]::new));
      if (store.jdbcUrl() == null) {
        throw new IllegalArgumentException(
            "--jdbc-url is required: worker processes share their jobs through the database");
      }
      if (queues.isEmpty()) {
        queues.put("default", JobEngine.Builder.DEFAULT_THREADS);
      }
      return new WorkerOptions(node, queues, store, lease, grace, poll);
    }

    static Map<String, Integer> parseQueues(String text) {
      Map<String, Integer> queues = new LinkedHashMap<>();
      for (String part : text.split(",")) {
        String[] nameAndThreads = part.trim().split(":");
        if (nameAndThreads.length != 2) {
          throw new IllegalArgumentException(
              "--queues takes NAME:THREADS pairs separated by commas, such as default:8,mail:2; got "
                  + JobNames.quote(text));
        }
        try {
          queues.put(nameAndThreads[0].trim(), Integer.parseInt(nameAndThreads[1].trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "--queues: the thread count of " + JobNames.quote(nameAndThreads[0])
                  + " is not a number: " + JobNames.quote(nameAndThreads[1]));
        }
      }
      return queues;
    }
  }
}
