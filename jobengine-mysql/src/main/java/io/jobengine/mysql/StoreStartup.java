package io.jobengine.mysql;

import io.jobengine.StoreException;
import io.jobengine.mysql.ServerCheck.ServerInfo;
import io.jobengine.mysql.ServerCheck.ServerVersion;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of {@link MySqlJobStore.Builder#build()}: opens the store's own pools (for a JDBC URL),
 * checks the server ({@link ServerCheck}), migrates or verifies the schema ({@link Migrator}), and
 * logs the effective configuration once. A failure closes what was opened and is reported as a
 * {@link StoreException} saying what to check.
 */
final class StoreStartup {

  private static final Logger log = LoggerFactory.getLogger(StoreStartup.class);

  private StoreStartup() {}

  /**
   * What the builder was given; exactly one of {@code dataSource} and {@code jdbcUrl} is set.
   *
   * @param dataSource the host's DataSource, or null
   * @param jdbcUrl the URL for the store's own pools, or null
   * @param user the user for the URL, or null
   * @param password the password for the URL, or null
   * @param poolSize the size of the store's own transactions' pool
   * @param driverProperties Connector/J properties for the store's own pools, given in code
   * @param tables the store's tables
   * @param maxPayloadBytes the largest payload
   * @param autoMigrate whether to migrate (else only verify) the schema
   */
  record Config(
      DataSource dataSource,
      String jdbcUrl,
      String user,
      String password,
      int poolSize,
      Map<String, String> driverProperties,
      JobTables tables,
      int maxPayloadBytes,
      boolean autoMigrate) {

    @Override
    public String toString() {
      return "StoreStartup.Config[" + (jdbcUrl != null ? ConnectionPools.redact(jdbcUrl) : dataSource)
          + ", tables " + tables.prefix + "*]";
    }
  }

  /**
   * A started store's parts.
   *
   * @param db the database access
   * @param pools the store's own pools, or null with a host DataSource
   * @param server the server found
   * @param description the effective configuration, for {@code toString()} and the start-up log
   */
  record Started(Db db, ConnectionPools.Own pools, ServerVersion server, String description) {}

  /**
   * Connects, checks the server, migrates (or verifies) the schema.
   *
   * @throws StoreException if the server cannot be reached, is too old, refuses the user, or the
   *     schema is missing (with migration off) or newer than this code
   */
  static Started start(Config config) {
    ConnectionPools.Own pools =
        config.jdbcUrl() == null
            ? null
            : ConnectionPools.Own.open(
                config.jdbcUrl(), config.user(), config.password(), config.poolSize(),
                config.driverProperties());
    DataSource ds = pools != null ? pools.transactions() : config.dataSource();
    try {
      return start(config, ds, pools);
    } catch (RuntimeException | SQLException e) {
      if (pools != null) {
        pools.close();
      }
      if (e instanceof StoreException s) {
        throw s;
      }
      if (StoreErrors.isConnectionFailure(e) || StoreErrors.errorCode(e) == 1045) {
        throw config.jdbcUrl() != null
            ? ConnectionPools.unreachable(config.jdbcUrl(), config.user(), e)
            : new StoreException(
                "Cannot get a connection to the database from the DataSource ("
                    + ds.getClass().getName() + "): " + ConnectionPools.rootMessage(e), e);
      }
      throw StoreErrors.translate("start (check the server and the schema)", null, e, 1);
    }
  }

  private static Started start(Config config, DataSource ds, ConnectionPools.Own pools)
      throws SQLException {
    JobTables tables = config.tables();
    ServerInfo info;
    Db db;
    try (Connection c = ds.getConnection()) {
      info = ServerCheck.inspect(c);
      ServerCheck.requirePacketRoom(info, config.maxPayloadBytes());
      db = new Db(ds, pools == null ? null : pools.singles(), info.version(), pools == null);
      if (config.autoMigrate()) {
        Migrator.migrate(c, db, tables, info.database());
      } else {
        Migrator.verify(c, db, tables, info.database());
      }
      ServerCheck.requireSkipLocked(c, tables, info);
    }
    String where =
        pools != null
            ? "own pool of " + pools.transactions().getMaximumPoolSize() + " connections to "
                + ConnectionPools.redact(config.jdbcUrl()) + " as '" + config.user() + "'"
                + (config.driverProperties().isEmpty()
                    ? ""
                    : ", driver properties set in code " + config.driverProperties().keySet())
            : "host DataSource " + ds.getClass().getName();
    String description =
        info.version() + ", database '" + info.database() + "', tables '" + tables.prefix
            + "*', schema version " + Migrator.LATEST + ", " + where + ", maxPayloadBytes="
            + config.maxPayloadBytes() + ", autoMigrate=" + config.autoMigrate();
    log.info("MySqlJobStore started: {}", description);
    return new Started(db, pools, info.version(), description);
  }
}
