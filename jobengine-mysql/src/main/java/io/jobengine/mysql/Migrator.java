package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.DESCRIPTION;
import static io.jobengine.mysql.JobTables.INSTALLED_AT;
import static io.jobengine.mysql.JobTables.VERSION;

import io.jobengine.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades the store's tables with the versioned SQL scripts in {@code
 * io/jobengine/mysql/migrations} ({@code V<n>__<description>.sql}, the same files as in
 * docs/mysql-schema.md), recording each applied version in {@code <prefix>schema_version}.
 *
 * <p>A current schema costs no DDL and no lock: the version is read first with a plain SELECT, so a
 * user with only SELECT, INSERT, UPDATE and DELETE (what a node needs at run time) starts on a
 * schema that is up to date. Only when the version table is missing or older is DDL run, and a
 * user without the privileges for it is told which grant or step is missing.
 *
 * <p>Nodes that start together must not race: the check-and-apply runs under a named server lock
 * ({@code GET_LOCK}), held by the one connection that does the work, so the second node waits,
 * then finds the schema current and does nothing. DDL commits implicitly in MySQL, so a script is
 * made of statements that can run again after a crash half-way: {@code CREATE TABLE IF NOT
 * EXISTS}, and {@code ALTER TABLE ... ADD} whose "duplicate column" error on a second run counts as
 * done.
 *
 * <p>A schema newer than this code is refused: older code could write rows that a newer schema
 * gives another meaning.
 */
final class Migrator {

  private static final Logger log = LoggerFactory.getLogger(Migrator.class);

  /**
   * One migration script.
   *
   * @param version its version, from 1, without gaps
   * @param description what it does
   * @param resource the file under {@code io/jobengine/mysql/migrations}
   */
  record Migration(int version, String description, String resource) {}

  /** Every migration, in order. Add new ones at the end; never change an applied one. */
  static final List<Migration> MIGRATIONS =
      List.of(
          new Migration(1, "jobs", "V1__jobs.sql"),
          new Migration(2, "node instance", "V2__node_instance.sql"),
          new Migration(3, "max attempts at claim", "V3__max_attempts_at_claim.sql"));

  /** The schema version this code reads and writes. */
  static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

  private static final int ER_DUP_FIELDNAME = 1060;
  private static final int ER_DUP_KEYNAME = 1061;

  /** How long a node waits for another node's migration. */
  static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);

  private Migrator() {}

  /**
   * Brings the schema up to {@link #LATEST} under the named lock.
   *
   * @throws StoreException if the schema is newer than the code, or the lock is not had in time
   * @throws SQLException if a statement fails
   */
  static void migrate(Connection connection, Db db, JobTables t, String database)
      throws SQLException {
    Integer found = versionIfPresent(db.using(connection), t);
    if (found != null) {
      refuseNewer(found, t, database);
      if (found == LATEST) {
        return;
      }
    }
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(true);
    String lock = lockName(database, t.prefix);
    try {
      acquire(connection, lock, database, t);
      try {
        // Read again under the lock: another node may have migrated while this one waited.
        if (versionIfPresent(db.using(connection), t) == null) {
          ddl(connection, "schema_version.sql", t, database, "create the version table");
        }
        int current = currentVersion(db.using(connection), t);
        refuseNewer(current, t, database);
        for (Migration m : MIGRATIONS) {
          if (m.version() <= current) {
            continue;
          }
          log.info("Applying jobengine schema migration {} ({}) to tables '{}*' in database '{}'",
              m.version(), m.description(), t.prefix, database);
          ddl(connection, "migrations/" + m.resource(), t, database,
              "apply migration " + m.version() + " (" + m.description() + ") over version "
                  + current);
          db.using(connection)
              .insertInto(t.schemaVersion, VERSION, DESCRIPTION, INSTALLED_AT)
              .values(DSL.val(m.version()), DSL.val(m.description()), SqlTime.now())
              .execute();
        }
      } finally {
        release(connection, lock);
      }
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /** The schema version, or null when the version table does not exist; runs no DDL. */
  private static Integer versionIfPresent(DSLContext ctx, JobTables t) {
    try {
      return currentVersion(ctx, t);
    } catch (RuntimeException e) {
      if (StoreErrors.errorCode(e) == StoreErrors.ER_NO_SUCH_TABLE) {
        return null;
      }
      throw e;
    }
  }

  /** Runs a script, turning a missing privilege into a message that says what to grant or do. */
  private static void ddl(
      Connection connection, String resource, JobTables t, String database, String step)
      throws SQLException {
    try {
      executeScript(connection, resource, t);
    } catch (SQLException e) {
      if (StoreErrors.isPrivilegeFailure(e)) {
        throw new StoreException(
            "The jobengine schema of tables '" + t.prefix + "*' in database '" + database + "' is"
                + " missing or older than version " + LATEST + ", and the database user lacks a"
                + " privilege to " + step + " (" + e.getMessage() + "). Either grant the user"
                + " CREATE, ALTER, INDEX and DROP on `" + database + "`.* for automatic migration,"
                + " or apply the scripts of docs/mysql-schema.md once as a user who has them (or"
                + " start one node with such a user); at run time SELECT, INSERT, UPDATE and DELETE"
                + " suffice", e);
      }
      throw e;
    }
  }

  /**
   * Checks, without changing anything, that the schema is at {@link #LATEST}: for stores whose
   * automatic migration is off.
   *
   * @throws StoreException if the tables are missing, older or newer
   */
  static void verify(Connection connection, Db db, JobTables t, String database) {
    int current;
    try {
      current = currentVersion(db.using(connection), t);
    } catch (RuntimeException e) {
      if (StoreErrors.errorCode(e) == StoreErrors.ER_NO_SUCH_TABLE) {
        throw new StoreException(
            "The jobengine schema is missing: database '" + database + "' has no table '"
                + t.prefix + "schema_version', and automatic migration is off. Apply the scripts"
                + " of docs/mysql-schema.md (with the prefix '" + t.prefix + "'), or build the"
                + " store with autoMigrate(true)", e);
      }
      throw e;
    }
    refuseNewer(current, t, database);
    if (current < LATEST) {
      throw new StoreException(
          "The jobengine schema of tables '" + t.prefix + "*' in database '" + database + "' is at"
              + " version " + current + ", and this jobengine needs version " + LATEST + ";"
              + " automatic migration is off. Apply the migrations after version " + current
              + " from docs/mysql-schema.md, or build the store with autoMigrate(true)");
    }
  }

  private static void refuseNewer(int current, JobTables t, String database) {
    if (current > LATEST) {
      throw new StoreException(
          "The jobengine schema of tables '" + t.prefix + "*' in database '" + database + "' is at"
              + " version " + current + ", newer than the version " + LATEST + " this jobengine"
              + " knows: a newer jobengine has migrated it. Upgrade jobengine on this node; older"
              + " code is not allowed to write to a newer schema");
    }
  }

  static int currentVersion(DSLContext ctx, JobTables t) {
    Integer max = ctx.select(DSL.max(VERSION)).from(t.schemaVersion).fetchOne(0, Integer.class);
    return max == null ? 0 : max;
  }

  /** The server-wide lock name: per database and prefix, at most MySQL's 64 characters. */
  static String lockName(String database, String prefix) {
    String name = "jobengine_migrate:" + database + ":" + prefix;
    if (name.length() <= 64) {
      return name;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((database + ":" + prefix).getBytes(StandardCharsets.UTF_8));
      return "jobengine_migrate:" + HexFormat.of().formatHex(hash).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void acquire(Connection c, String lock, String database, JobTables t)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
      s.setString(1, lock);
      s.setLong(2, LOCK_TIMEOUT.toSeconds());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        if (rs.getInt(1) != 1) {
          throw new StoreException(
              "Could not take the migration lock '" + lock + "' for tables '" + t.prefix + "*' in"
                  + " database '" + database + "' within " + LOCK_TIMEOUT.toSeconds() + " s:"
                  + " another node is migrating (or died holding it; the server frees it when that"
                  + " connection closes). Start again later");
        }
      }
    }
  }

  private static void release(Connection c, String lock) {
    try (PreparedStatement s = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
      s.setString(1, lock);
      s.executeQuery().close();
    } catch (SQLException e) {
      // The lock goes with the connection; a broken connection has already released it.
      log.warn("Could not release the migration lock '{}': {}", lock, e.toString());
    }
  }

  private static void executeScript(Connection c, String resource, JobTables t)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : statements(resource, t.prefix)) {
        try {
          s.execute(sql);
        } catch (SQLException e) {
          if (e.getErrorCode() != ER_DUP_FIELDNAME && e.getErrorCode() != ER_DUP_KEYNAME) {
            throw e;
          }
          // An ALTER that an earlier, interrupted run of this migration already applied.
          log.info("Skipping a statement of {} that is already applied: {}", resource,
              e.getMessage());
        }
      }
    }
  }

  /**
   * The statements of a script, with the prefix put in. The prefix is safe to put into SQL text:
   * {@link JobTables#requirePrefix} allows only {@code [a-z0-9_]}.
   */
  static List<String> statements(String resource, String prefix) {
    String text = read(resource).replace("${prefix}", JobTables.requirePrefix(prefix));
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String sql = current.toString().strip();
        statements.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalStateException("Script " + resource + " ends without a semicolon");
    }
    return statements;
  }

  static String read(String resource) {
    try (InputStream in = Migrator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource io/jobengine/mysql/" + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read io/jobengine/mysql/" + resource, e);
    }
  }
}
