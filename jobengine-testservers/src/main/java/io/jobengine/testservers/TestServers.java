package io.jobengine.testservers;

import java.util.Optional;

/**
 * The server a test JVM was asked for by the system property {@value #PROPERTY}: one of the
 * {@link ServerKind} names ({@code mysql-8.0}, {@code mariadb-11.4}, {@code mariadb-10.11}) for a
 * private server, started on first use and shared by every test of the JVM until it ends; or
 * {@code local} or nothing for the test helpers' own defaults.
 */
public final class TestServers {
  /** The system property naming the server. */
  public static final String PROPERTY = "jobengine.test.server";

  private static PrivateServer shared;

  private TestServers() {}

  /**
   * The private server the property asks for, started on the first call.
   *
   * @return the server, or empty if the property is unset, blank or {@code local}
   * @throws IllegalArgumentException if the property names no known server
   */
  public static synchronized Optional<PrivateServer> requested() {
    String name = System.getProperty(PROPERTY, "").trim();
    if (name.isEmpty() || name.equalsIgnoreCase("local")) {
      return Optional.empty();
    }
    ServerKind kind = ServerKind.ofPropertyName(name);
    if (shared == null) {
      // Stopped by PrivateServer's shutdown hook when the JVM ends.
      shared = PrivateServer.start(kind);
    }
    return Optional.of(shared);
  }
}
