package io.jobengine.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A MySQL or MariaDB server of the tests' own: a fresh data directory under {@code
 * target/testservers/run}, a free port on 127.0.0.1, user root without password, a database
 * {@code test}, and no anonymous accounts (an operator's hardening: an anonymous {@code
 * ''@'localhost'} would shadow the tests' own users). The binaries of {@link
 * ServerKind#MYSQL_8_0} and {@link ServerKind#MARIADB_11_4} come from artifacts on the class path,
 * unpacked once per artifact version under {@code target/testservers/dist}; {@link
 * ServerKind#MARIADB_10_11} is the machine's own {@code /usr/sbin/mariadbd}.
 *
 * <p>{@link #close()} kills the server and deletes its data; a JVM shutdown hook does the same for
 * servers still running when the JVM ends. Not thread-safe beyond its synchronized methods.
 */
public final class PrivateServer implements AutoCloseable {
  private static final Path SYSTEM_MARIADBD = Path.of("/usr/sbin/mariadbd");
  private static final Path SYSTEM_INSTALL_DB = Path.of("/usr/bin/mariadb-install-db");
  private static final Duration READY_WITHIN = Duration.ofSeconds(120);

  /** Servers of this JVM not yet closed, closed by the shutdown hook. */
  private static final Set<PrivateServer> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> List.copyOf(OPEN).forEach(PrivateServer::close), "private-server-cleanup"));
  }

  private final ServerKind kind;
  private final Path base;
  private final Path dir;
  private final Path socketDir;
  private final int port;
  private Process process;

  private PrivateServer(ServerKind kind, Path base, Path dir, Path socketDir, int port) {
    this.kind = kind;
    this.base = base;
    this.dir = dir;
    this.socketDir = socketDir;
    this.port = port;
  }

  /**
   * Whether this machine can run the kind: the artifact kinds need Linux on x86-64; {@link
   * ServerKind#MARIADB_10_11} needs the installed MariaDB server.
   *
   * @param kind the kind
   * @return whether {@link #start} can start it here
   */
  public static boolean available(ServerKind kind) {
    boolean linux64 = System.getProperty("os.name").startsWith("Linux")
        && Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
    return kind == ServerKind.MARIADB_10_11
        ? Files.isExecutable(SYSTEM_MARIADBD) && Files.isExecutable(SYSTEM_INSTALL_DB)
        : linux64;
  }

  /**
   * Starts a server under {@code target/testservers} of the working directory (a module's base
   * directory under Maven).
   *
   * @param kind the server
   * @return the running server, ready for connections
   */
  public static PrivateServer start(ServerKind kind) {
    return start(kind, Path.of("target", "testservers").toAbsolutePath());
  }

  /**
   * Starts a server: unpacks its binaries into {@code work/dist} if not yet there, initializes a
   * data directory under {@code work/run}, starts the server, waits until it answers, and sets it
   * up.
   *
   * @param kind the server
   * @param work the directory for binaries and data
   * @return the running server, ready for connections
   */
  public static PrivateServer start(ServerKind kind, Path work) {
    if (!available(kind)) {
      throw new IllegalStateException(kind + " cannot run on this machine");
    }
    try {
      Path base = kind == ServerKind.MARIADB_10_11
          ? null : Distribution.unpacked(kind, work.resolve("dist"));
      int port = freePort();
      Files.createDirectories(work.resolve("run"));
      Path dir = Files.createTempDirectory(work.resolve("run"), kind.propertyName() + "-" + port + "-");
      Path socketDir = Files.createTempDirectory("jobengine-sock");
      PrivateServer server = new PrivateServer(kind, base, dir, socketDir, port);
      OPEN.add(server);
      try {
        server.initialize();
        server.startServer();
        server.harden();
        return server;
      } catch (RuntimeException | Error e) {
        server.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start " + kind, e);
    }
  }

  /**
   * The server's kind.
   *
   * @return the kind
   */
  public ServerKind kind() {
    return kind;
  }

  /**
   * The port the server listens on, on 127.0.0.1.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * A JDBC URL of a database on this server, for user root without password.
   *
   * @param database the database, e.g. {@code test}; empty for none
   * @return the URL
   */
  public String jdbcUrl(String database) {
    return "jdbc:mysql://127.0.0.1:" + port + "/" + database;
  }

  /**
   * The user with all privileges.
   *
   * @return {@code root}
   */
  public String user() {
    return "root";
  }

  /**
   * Its password.
   *
   * @return the empty string
   */
  public String password() {
    return "";
  }

  /**
   * Whether the server process runs.
   *
   * @return whether it runs
   */
  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /**
   * Kills the server process ({@code kill -9}): a crash, with crash recovery at the next {@link
   * #startServer()}.
   */
  public synchronized void crash() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(kind + " on port " + port + " did not die within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while killing " + kind, e);
    }
    process = null;
  }

  /**
   * Starts the server on its existing data directory (again, after {@link #crash()}) and waits
   * until it answers.
   */
  public synchronized void startServer() {
    if (running()) {
      throw new IllegalStateException(kind + " on port " + port + " already runs");
    }
    List<String> cmd = new ArrayList<>();
    Path socket = socketDir.resolve("mysqld.sock");
    switch (kind) {
      case MYSQL_8_0 -> cmd.addAll(List.of(
          base.resolve("bin/mysqld").toString(), "--no-defaults", "--basedir=" + base,
          "--mysqlx=OFF"));
      case MARIADB_11_4 -> cmd.addAll(List.of(
          base.resolve("bin/mariadbd").toString(), "--no-defaults", "--basedir=" + base));
      case MARIADB_10_11 -> cmd.addAll(List.of(
          SYSTEM_MARIADBD.toString(), "--no-defaults", "--skip-name-resolve"));
    }
    cmd.addAll(List.of(
        "--datadir=" + dataDir(), "--user=" + System.getProperty("user.name"),
        "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + socket,
        "--pid-file=" + dir.resolve("server.pid"), "--max-connections=300",
        "--innodb-buffer-pool-size=64M"));
    try {
      process = command(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start " + kind, e);
    }
    awaitReady();
  }

  /**
   * Kills the server if it runs and deletes its data directory; its log stays, as {@code
   * target/testservers/logs/<kind>-<port>-...log}, to look at after a failure.
   */
  @Override
  public synchronized void close() {
    try {
      crash();
    } finally {
      OPEN.remove(this);
      keepLog();
      Distribution.deleteTree(dir);
      Distribution.deleteTree(socketDir);
    }
  }

  private void keepLog() {
    try {
      if (Files.exists(log())) {
        Path logs = dir.getParent().resolveSibling("logs");
        Files.createDirectories(logs);
        Files.copy(log(), logs.resolve(dir.getFileName() + ".log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // The log is a convenience; the data directory goes all the same.
    }
  }

  @Override
  public String toString() {
    return "private " + kind.propertyName() + " on 127.0.0.1:" + port;
  }

  private Path dataDir() {
    return dir.resolve("data");
  }

  private Path log() {
    return dir.resolve("server.log");
  }

  private ProcessBuilder command(List<String> cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (kind == ServerKind.MARIADB_11_4) {
      Map<String, String> env = pb.environment();
      env.put("LD_LIBRARY_PATH", base.resolve("libs").toString());
    }
    return pb;
  }

  private void initialize() {
    String user = "--user=" + System.getProperty("user.name");
    List<String> cmd = switch (kind) {
      case MYSQL_8_0 -> List.of(base.resolve("bin/mysqld").toString(), "--no-defaults",
          "--initialize-insecure", "--basedir=" + base, "--datadir=" + dataDir(), user);
      case MARIADB_11_4 -> List.of(base.resolve("scripts/mariadb-install-db").toString(),
          "--no-defaults", "--basedir=" + base, "--datadir=" + dataDir(), user,
          "--auth-root-authentication-method=normal", "--skip-test-db");
      case MARIADB_10_11 -> List.of(SYSTEM_INSTALL_DB.toString(), "--no-defaults",
          "--datadir=" + dataDir(), user, "--auth-root-authentication-method=normal",
          "--skip-test-db");
    };
    try {
      Process p = command(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("install.log").toFile()))
          .start();
      if (!p.waitFor(READY_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "Initializing " + kind + " took over " + READY_WITHIN + "; see " + dir.resolve("install.log"));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("Initializing " + kind + " failed (exit " + p.exitValue()
            + "):\n" + tail(dir.resolve("install.log")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not initialize " + kind, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while initializing " + kind, e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    SQLException last = null;
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            this + " exited (" + process.exitValue() + "):\n" + tail(log()));
      }
      try {
        connect().close();
        return;
      } catch (SQLException e) {
        last = e;
      }
      try {
        process.waitFor(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for " + this, e);
      }
    }
    throw new IllegalStateException(
        this + " did not answer within " + READY_WITHIN + " (" + last + "):\n" + tail(log()), last);
  }

  /** Drops anonymous accounts and creates the database {@code test}. */
  private void harden() {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      List<String> anonymousHosts = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT host FROM mysql.user WHERE user = ''")) {
        while (rs.next()) {
          anonymousHosts.add(rs.getString(1));
        }
      }
      for (String host : anonymousHosts) {
        // Account names cannot be bound; the host comes from the server's own table.
        s.execute("DROP USER ''@'" + host.replace("\\", "\\\\").replace("'", "''") + "'");
      }
      s.execute("CREATE DATABASE IF NOT EXISTS test");
    } catch (SQLException e) {
      throw new IllegalStateException("Could not set up " + this, e);
    }
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user());
    p.setProperty("password", password());
    p.setProperty("connectTimeout", "2000");
    return DriverManager.getConnection(jdbcUrl(""), p);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log at " + file + ")";
    }
  }
}
