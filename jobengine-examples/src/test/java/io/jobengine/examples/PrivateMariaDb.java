package io.jobengine.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server of the test's own, in a temporary directory on a free port, that the test may
 * kill and restart: restarting the shared server would break everyone else's work on it (other
 * test runs, benchmarks). Needs the MariaDB server binaries of this machine ({@code
 * /usr/sbin/mariadbd}, {@code mariadb-install-db}); {@link #available()} says whether they are
 * there.
 */
final class PrivateMariaDb implements AutoCloseable {
  static final Path SERVER = Path.of("/usr/sbin/mariadbd");
  static final Path INSTALL = Path.of("/usr/bin/mariadb-install-db");

  private final Path dir;
  private final int port;
  private Process server;

  /** Servers of this JVM, killed by a shutdown hook should a test not get to it. */
  private static final java.util.Set<Process> ALL = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly), "fault-db-cleanup"));
  }

  private PrivateMariaDb(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static boolean available() {
    return Files.isExecutable(SERVER) && Files.isExecutable(INSTALL);
  }

  /** Creates a data directory and starts the server on it. */
  static PrivateMariaDb start() {
    try {
      Path dir = Files.createTempDirectory("jobengine-fault-db");
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      run(List.of(INSTALL.toString(), "--no-defaults", "--datadir=" + dir.resolve("data"),
          "--user=" + System.getProperty("user.name"), "--auth-root-authentication-method=normal",
          "--skip-test-db"), dir.resolve("install.log"));
      PrivateMariaDb db = new PrivateMariaDb(dir, port);
      try {
        db.startServer();
        new FaultDatabase("jdbc:mysql://127.0.0.1:" + port + "/", "root", "")
            .execute("CREATE DATABASE IF NOT EXISTS test");
        return db;
      } catch (RuntimeException | Error e) {
        db.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  FaultDatabase database() {
    return new FaultDatabase("jdbc:mysql://127.0.0.1:" + port + "/test", "root", "");
  }

  /** Starts the server on the existing data directory and waits until it answers. */
  synchronized void startServer() {
    List<String> cmd = new ArrayList<>(List.of(
        SERVER.toString(), "--no-defaults", "--datadir=" + dir.resolve("data"),
        "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
        "--pid-file=" + dir.resolve("mysqld.pid"), "--user=" + System.getProperty("user.name"),
        "--innodb-buffer-pool-size=64M", "--max-connections=200", "--skip-name-resolve"));
    try {
      server = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
      ALL.add(server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    FaultDatabase db = new FaultDatabase("jdbc:mysql://127.0.0.1:" + port + "/", "root", "");
    Cluster.await("the private MariaDB on port " + port + " to answer (see " + dir + "/server.log)",
        Duration.ofSeconds(60), () -> {
          if (!server.isAlive()) {
            throw new AssertionError("The private MariaDB exited; see " + dir + "/server.log");
          }
          try {
            db.connect().close();
            return Boolean.TRUE;
          } catch (SQLException e) {
            return null;
          }
        });
  }

  /** kill -9 of the server: a crash, with InnoDB crash recovery at the next start. */
  synchronized void crash() {
    server.destroyForcibly();
    ALL.remove(server);
    try {
      server.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  synchronized boolean running() {
    return server != null && server.isAlive();
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      crash();
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(List<String> cmd, Path log) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed; see " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
