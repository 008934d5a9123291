package io.jobengine.examples;

import io.jobengine.core.InMemoryJobStore;
import io.jobengine.mysql.MySqlJobStore;
import io.jobengine.spi.JobStore;

/**
 * The examples' command-line options: which store to use.
 *
 * @param jdbcUrl a MySQL/MariaDB JDBC URL, or null for the in-memory store
 * @param user the database user, or null
 * @param password the database password, or null
 */
record ExampleOptions(String jdbcUrl, String user, String password) {

  static final String USAGE =
      "usage: [--jdbc-url jdbc:mysql://HOST:PORT/DB [--user USER] [--password PASSWORD]]";

  static ExampleOptions parse(String[] args) {
    String url = null;
    String user = null;
    String password = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("Option " + flag + " needs a value");
      }
      String value = args[++i];
      switch (flag) {
        case "--jdbc-url" -> url = value;
        case "--user" -> user = value;
        case "--password" -> password = value;
        default -> throw new IllegalArgumentException("Unknown option: " + flag);
      }
    }
    if (url == null && (user != null || password != null)) {
      throw new IllegalArgumentException("--user and --password go with --jdbc-url");
    }
    return new ExampleOptions(url, user, password);
  }

  JobStore openStore() {
    if (jdbcUrl == null) {
      return InMemoryJobStore.create();
    }
    return MySqlJobStore.builder().jdbcUrl(jdbcUrl, user == null ? "root" : user, password == null ? "" : password).build();
  }

  @Override
  public String toString() {
    return "ExampleOptions[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? null : "****") + "]";
  }
}
