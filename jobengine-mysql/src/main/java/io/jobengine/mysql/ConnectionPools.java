package io.jobengine.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool.PoolInitializationException;
import io.jobengine.JobNames;
import io.jobengine.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The store's own small HikariCP pool, for a store built from a JDBC URL. Its own, so that lease
 * renewals never queue behind the host application's work; small, because each store transaction
 * is short.
 *
 * <p>Sessions run at READ COMMITTED with a short {@code innodb_lock_wait_timeout}, and Connector/J
 * is hardened: no deserialization of BLOBs into Java objects, no {@code LOAD DATA LOCAL}, no
 * {@code autoReconnect} (which would silently continue a broken transaction on a new connection).
 * The URL may not set these back, nor any other option that loads classes or reads files ({@link
 * JdbcUrlOptions}).
 */
final class ConnectionPools {

  /** How long a store session waits for a row lock before error 1205 (then retried). */
  static final Duration LOCK_WAIT_TIMEOUT = Duration.ofSeconds(5);

  /** Connector/J properties that the store sets on its own connections. */
  static final Map<String, String> HARDENED =
      Map.of(
          "autoDeserialize", "false",
          "allowLoadLocalInfile", "false",
          "allowUrlInLocalInfile", "false",
          "autoReconnect", "false",
          "connectTimeout", "10000",
          // Longer than the migration lock wait (60 s), the longest statement the store runs.
          "socketTimeout", "120000",
          "tcpKeepAlive", "true",
          "characterEncoding", "UTF-8",
          "sessionVariables", "innodb_lock_wait_timeout=" + LOCK_WAIT_TIMEOUT.toSeconds());

  /** What the store sets on its own connections, or would be undone; not settable in code. */
  private static final List<String> STORE_OWN = storeOwn();

  private static List<String> storeOwn() {
    List<String> names = new ArrayList<>(new TreeSet<>(HARDENED.keySet()));
    names.addAll(
        List.of(
            "useLocalSessionState", "autoReconnectForPools", "allowMultiQueries",
            "allowLoadLocalInfileInPath", "user", "password"));
    return List.copyOf(names);
  }

  private static final Pattern HOSTS = Pattern.compile("^jdbc:mysql(?::[a-z]+)?://([^/?]*)");

  private ConnectionPools() {}

  /**
   * The two pools of a store built from a JDBC URL: one for transactions, one for single
   * statements in autocommit ({@link #createSingles}). Closing closes both.
   *
   * @param transactions the transactions' pool
   * @param singles the single statements' pool
   */
  record Own(HikariDataSource transactions, HikariDataSource singles) implements AutoCloseable {

    /**
     * Opens both pools; neither is left open if the second fails.
     *
     * @throws StoreException if the server cannot be reached or refuses the user
     */
    static Own open(
        String url, String user, String password, int poolSize, Map<String, String> properties) {
      HikariDataSource transactions =
          create(url, user, password, poolSize, false, "jobengine-store", properties);
      try {
        return new Own(
            transactions,
            create(url, user, password, 2, true, "jobengine-store-single", properties));
      } catch (RuntimeException e) {
        transactions.close();
        throw e;
      }
    }

    @Override
    public void close() {
      singles.close();
      transactions.close();
    }
  }

  /**
   * Checks a JDBC URL for the store's own pool.
   *
   * @throws IllegalArgumentException if it is not a Connector/J URL or sets an option {@link
   *     JdbcUrlOptions} refuses
   */
  static String requireUrl(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "The JDBC URL is " + (url == null ? "null" : "blank")
              + "; give one such as jdbc:mysql://db.example.com:3306/app");
    }
    if (!url.startsWith("jdbc:mysql:")) {
      throw new IllegalArgumentException(
          "Unsupported JDBC URL " + JobNames.quote(redact(url)) + ": MySqlJobStore connects through MySQL"
              + " Connector/J, so the URL starts with jdbc:mysql: (also for MariaDB servers)");
    }
    JdbcUrlOptions.refuseDangerous(url);
    return url;
  }

  /**
   * Checks the name of a Connector/J property given in code: any but those the store sets itself
   * (or that would undo them).
   *
   * @throws IllegalArgumentException if the name is blank or one of those
   */
  static String requireCodeProperty(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "The Connector/J property name is " + (name == null ? "null" : "blank") + "; give one");
    }
    for (String own : STORE_OWN) {
      if (own.equalsIgnoreCase(name.trim())) {
        throw new IllegalArgumentException(
            "The Connector/J property " + JobNames.quote(name) + " is one MySqlJobStore sets itself on its own"
                + " connections (or would undo them): " + String.join(", ", STORE_OWN)
                + "; it cannot be changed");
      }
    }
    return name;
  }

  /** The host:port part of a URL, for messages. */
  static String hosts(String url) {
    Matcher m = HOSTS.matcher(url);
    if (!m.find() || m.group(1).isEmpty()) {
      return "localhost:3306";
    }
    String hosts = m.group(1);
    int at = hosts.lastIndexOf('@');
    return at >= 0 ? hosts.substring(at + 1) : hosts;
  }

  /** The URL without a password, should the URL carry one. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }

  /**
   * Starts a pool; fails at once if the server cannot be reached or refuses the user. The
   * transactions' pool has autocommit off; the small pool of single-statement work (node
   * heartbeats, the reaper, the idle probe) is in autocommit, so such a statement commits without
   * a COMMIT of its own, and apart from the transactions' pool, so a heartbeat never waits for a
   * connection behind claims and completions.
   *
   * @param properties Connector/J properties given in code ({@link #requireCodeProperty})
   * @throws StoreException naming the host, port and cause
   */
  private static HikariDataSource create(
      String url, String user, String password, int poolSize, boolean autoCommit, String name,
      Map<String, String> properties) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(autoCommit ? 1 : 2, poolSize));
    // The transactions' pool has autocommit off from the start: a transaction is its statements
    // and a COMMIT, without a SET autocommit round trip on each side (measured: about a third of
    // the statements per job of the engine's write path).
    config.setAutoCommit(autoCommit);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    config.setValidationTimeout(Duration.ofSeconds(3).toMillis());
    config.setInitializationFailTimeout(1);
    HARDENED.forEach(config::addDataSourceProperty);
    // Keep session state (autocommit, isolation) on the client, so setting it to what it already is
    // costs no round trip.
    config.addDataSourceProperty("useLocalSessionState", "true");
    properties.forEach(config::addDataSourceProperty);
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw unreachable(url, user, e);
    }
  }

  static StoreException unreachable(String url, String user, Throwable e) {
    String cause = rootMessage(e);
    if (StoreErrors.isPrivilegeFailure(e)) {
      return new StoreException(
          "The MySQL server at " + hosts(url) + " refused user " + JobNames.quote(user) + ": " + cause
              + ". Check the user name, password and grants. " + StoreErrors.PRIVILEGES_NEEDED, e);
    }
    return new StoreException(
        "Cannot connect to the MySQL server at " + hosts(url) + " (" + JobNames.quote(redact(url))
            + ", user " + JobNames.quote(user) + "): " + cause + ". Check that the server runs and that host and port are"
            + " right", e);
  }

  static String rootMessage(Throwable e) {
    StringBuilder text = new StringBuilder();
    String last = null;
    for (Throwable c = e; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && !m.equals(last) && !(c instanceof PoolInitializationException)) {
        if (text.length() > 0) {
          text.append("; caused by ");
        }
        text.append(c.getClass().getSimpleName())
            .append(": ")
            .append(m.lines().findFirst().orElse(m));
        last = m;
      }
    }
    return text.length() == 0 ? e.toString() : text.toString();
  }
}
