package io.jobengine.examples;

import io.jobengine.JobNames;
import io.jobengine.mysql.MySqlJobStore;
import io.jobengine.spi.JobStore;
import io.jobengine.testing.InMemoryJobStore;

/**
 * The examples' command-line options: which store to use.
 *
 * @param jdbcUrl a MySQL/MariaDB JDBC URL, or null for the in-memory store
 * @param user the database user, or null
 * @param password the database password, or null
 * @param tablePrefix the MySQL store's table prefix, or null for its default
 * @param autoMigrate false ({@value #NO_MIGRATE}) to only check the schema at start, never create
 *     or upgrade it
 */
record ExampleOptions(
    String jdbcUrl, String user, String password, String tablePrefix, boolean autoMigrate) {

  /**
   * The flag (it takes no value) that turns the MySQL store's automatic migration off: the store
   * then only checks that the schema is current and refuses to start otherwise. A current schema
   * needs no DDL either way; the flag makes sure a process never runs any.
   */
  static final String NO_MIGRATE = "--no-migrate";

  static final String USAGE =
      "usage: [--jdbc-url jdbc:mysql://HOST:PORT/DB [--user USER] [--password PASSWORD]"
          + " [--table-prefix jobengine_] [--no-migrate]]";

  static ExampleOptions parse(String[] args) {
    String url = null;
    String user = null;
    String password = null;
    String tablePrefix = null;
    boolean autoMigrate = true;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals(NO_MIGRATE)) {
        autoMigrate = false;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("Option " + JobNames.quote(flag) + " needs a value");
      }
      String value = args[++i];
      switch (flag) {
        case "--jdbc-url" -> url = value;
        case "--user" -> user = value;
        case "--password" -> password = value;
        case "--table-prefix" -> {
          // The store's own check, so the option fails before anything connects.
          MySqlJobStore.builder().tablePrefix(value);
          tablePrefix = value;
        }
        default -> throw new IllegalArgumentException("Unknown option " + JobNames.quote(flag));
      }
    }
    if (url == null && (user != null || password != null || tablePrefix != null || !autoMigrate)) {
      throw new IllegalArgumentException(
          "--user, --password, --table-prefix and " + NO_MIGRATE + " go with --jdbc-url");
    }
    return new ExampleOptions(url, user, password, tablePrefix, autoMigrate);
  }

  JobStore openStore() {
    if (jdbcUrl == null) {
      return InMemoryJobStore.create();
    }
    MySqlJobStore.Builder builder =
        MySqlJobStore.builder()
            .jdbcUrl(jdbcUrl, user == null ? "root" : user, password == null ? "" : password)
            .autoMigrate(autoMigrate);
    if (tablePrefix != null) {
      builder.tablePrefix(tablePrefix);
    }
    return builder.build();
  }

  @Override
  public String toString() {
    return "ExampleOptions[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? null : "****")
        + ", tablePrefix=" + tablePrefix + ", autoMigrate=" + autoMigrate + "]";
  }
}
