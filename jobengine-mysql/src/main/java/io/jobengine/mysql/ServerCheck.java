package io.jobengine.mysql;

import io.jobengine.StoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.SQLDialect;

/**
 * Finds out which server the store talks to and refuses one it cannot run on. MySQL 8.0 and MariaDB
 * 10.6 are the first versions with {@code FOR UPDATE SKIP LOCKED}, which the claim needs; without
 * it every claimer would queue behind the first, so an older server is refused rather than served
 * slowly.
 *
 * <p>The version comes from {@code SELECT VERSION()}, not from the driver's metadata: through
 * Connector/J a MariaDB server reports product "MySQL" and version {@code 5.5.5-10.11.19-MariaDB},
 * the {@code 5.5.5-} being a compatibility prefix of MariaDB's handshake.
 *
 * <p>Besides the version, the store needs room in {@code max_allowed_packet} for its largest
 * payload ({@link #requirePacketRoom}) and a working {@code SKIP LOCKED} on its own tables ({@link
 * #requireSkipLocked}, tried once the tables exist).
 */
final class ServerCheck {

  static final int MYSQL_MIN_MAJOR = 8;
  static final int MYSQL_MIN_MINOR = 0;
  static final int MARIADB_MIN_MAJOR = 10;
  static final int MARIADB_MIN_MINOR = 6;

  private static final Pattern NUMBERS = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  private ServerCheck() {}

  /**
   * A server version.
   *
   * @param text the version string as the server gave it
   * @param mariaDb whether the server is MariaDB
   * @param major the major version
   * @param minor the minor version
   * @param patch the patch version, 0 if absent
   */
  record ServerVersion(String text, boolean mariaDb, int major, int minor, int patch) {

    /** The jOOQ dialect for this server. */
    SQLDialect dialect() {
      return mariaDb ? SQLDialect.MARIADB : SQLDialect.MYSQL;
    }

    String product() {
      return mariaDb ? "MariaDB" : "MySQL";
    }

    boolean isSupported() {
      int minMajor = mariaDb ? MARIADB_MIN_MAJOR : MYSQL_MIN_MAJOR;
      int minMinor = mariaDb ? MARIADB_MIN_MINOR : MYSQL_MIN_MINOR;
      return major > minMajor || (major == minMajor && minor >= minMinor);
    }

    @Override
    public String toString() {
      return product() + " " + major + "." + minor + "." + patch + " ('" + text + "')";
    }
  }

  /**
   * Parses a version string from {@code SELECT VERSION()} or from the JDBC metadata.
   *
   * @param text for example {@code 8.4.2}, {@code 10.11.19-MariaDB-0+deb12u1} or {@code
   *     5.5.5-10.11.19-MariaDB}
   * @return the version
   * @throws StoreException if the text holds no version number
   */
  static ServerVersion parse(String text) {
    if (text == null) {
      throw new StoreException("The database server reported no version (SELECT VERSION() gave null)");
    }
    String trimmed = text.trim();
    boolean mariaDb = trimmed.toLowerCase(Locale.ROOT).contains("mariadb");
    String numbers = trimmed;
    if (mariaDb && numbers.startsWith("5.5.5-")) {
      numbers = numbers.substring("5.5.5-".length());
    }
    Matcher m = NUMBERS.matcher(numbers);
    if (!m.find()) {
      throw new StoreException(
          "Cannot read the database server's version from '" + text + "'; jobengine needs MySQL "
              + MYSQL_MIN_MAJOR + "." + MYSQL_MIN_MINOR + "+ or MariaDB " + MARIADB_MIN_MAJOR + "."
              + MARIADB_MIN_MINOR + "+");
    }
    int patch = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    return new ServerVersion(
        trimmed, mariaDb, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), patch);
  }

  /**
   * Refuses a server that is too old.
   *
   * @return {@code version}
   * @throws StoreException naming the version found and the minimum
   */
  static ServerVersion requireSupported(ServerVersion version) {
    if (!version.isSupported()) {
      String minimum =
          version.mariaDb()
              ? "MariaDB " + MARIADB_MIN_MAJOR + "." + MARIADB_MIN_MINOR
              : "MySQL " + MYSQL_MIN_MAJOR + "." + MYSQL_MIN_MINOR;
      throw new StoreException(
          "The database server is " + version + ", older than " + minimum + ", the oldest"
              + " version jobengine runs on (it needs SELECT ... FOR UPDATE SKIP LOCKED, which"
              + " MySQL has from 8.0 and MariaDB from 10.6). Upgrade the server.");
    }
    return version;
  }

  /**
   * What the store learns about its server at start.
   *
   * @param version the version
   * @param maxAllowedPacket the server's {@code max_allowed_packet}, in bytes
   * @param database the current database ({@code DATABASE()})
   */
  record ServerInfo(ServerVersion version, long maxAllowedPacket, String database) {}

  /**
   * Reads the server's version, packet limit and database, and refuses an old server.
   *
   * @throws StoreException if the server is too old or no database is selected
   * @throws SQLException if the query fails
   */
  static ServerInfo inspect(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT VERSION(), @@max_allowed_packet, DATABASE()")) {
      rs.next();
      ServerVersion version = requireSupported(parse(rs.getString(1)));
      String database = rs.getString(3);
      if (database == null) {
        throw new StoreException(
            "The connection has no current database (DATABASE() is NULL): name one in the JDBC URL,"
                + " for example jdbc:mysql://host:3306/mydb");
      }
      return new ServerInfo(version, rs.getLong(2), database);
    }
  }

  /**
   * Refuses a server whose {@code max_allowed_packet} cannot carry the largest payload: a payload
   * travels escaped (up to twice its size) inside an INSERT that must fit a packet.
   *
   * @throws StoreException naming both numbers and the two ways out
   */
  static void requirePacketRoom(ServerInfo info, int maxPayloadBytes) {
    long needed = 2L * maxPayloadBytes + (64 << 10);
    if (info.maxAllowedPacket() < needed) {
      throw new StoreException(
          "The server's max_allowed_packet is " + info.maxAllowedPacket() + " bytes, too small"
              + " for maxPayloadBytes=" + maxPayloadBytes + " (an INSERT may need " + needed
              + " bytes). Lower maxPayloadBytes or raise max_allowed_packet");
    }
  }

  /**
   * Never degrade silently: a server that cannot {@code SELECT ... FOR UPDATE SKIP LOCKED} on the
   * store's tables is refused. Leaves the connection's autocommit as it found it.
   *
   * @throws StoreException if the server refuses the clause
   * @throws SQLException if the connection broke or the user lacks a privilege
   */
  static void requireSkipLocked(Connection c, JobTables tables, ServerInfo info)
      throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT `version` FROM `" + tables.prefix + "schema_version` LIMIT 1"
                    + " FOR UPDATE SKIP LOCKED")) {
      rs.next();
    } catch (SQLException e) {
      if (StoreErrors.isConnectionFailure(e) || StoreErrors.isPrivilegeFailure(e)) {
        throw e;
      }
      throw new StoreException(
          "The database server " + info.version() + " refused SELECT ... FOR UPDATE SKIP LOCKED"
              + " (" + e.getMessage() + "); jobengine needs it to claim jobs. Use MySQL 8.0+ or"
              + " MariaDB 10.6+", e);
    } finally {
      c.rollback();
      c.setAutoCommit(autoCommit);
    }
  }
}
