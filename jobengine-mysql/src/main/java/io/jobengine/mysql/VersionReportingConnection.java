package io.jobengine.mysql;

import io.jobengine.mysql.ServerCheck.ServerVersion;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;

/**
 * The connection the store hands jOOQ: the real one, except that its metadata reports the server
 * version the store read itself ({@link ServerCheck}) instead of the driver's.
 *
 * <p>Why: on the first connection it is given, jOOQ 3.19 compares the dialect with {@link
 * DatabaseMetaData#getDatabaseMajorVersion()} and {@link DatabaseMetaData#getDatabaseMinorVersion()}
 * and logs "Database version is older than what dialect ... supports" at WARN when they are below
 * its support matrix. Through Connector/J a MariaDB server before 11 reports version 5.5 (its
 * handshake's {@code 5.5.5-} compatibility prefix), so every start on MariaDB 10.11 printed that
 * warning, though the server is supported. jOOQ has no setting for the check, and a library does
 * not configure its host's logging; the store answers jOOQ's question with the right version
 * instead. jOOQ then logs once, at INFO, that the version is supported. (jOOQ 3.19 lists MariaDB
 * from 10.7 and MySQL from 8.0.31; on the older servers the store accepts, MariaDB 10.6 and MySQL
 * 8.0.0 to 8.0.30, its warning is true and stays.)
 *
 * <p>Everything else goes to the real connection unchanged; the statements jOOQ prepares are the
 * driver's own.
 */
final class VersionReportingConnection {

  private VersionReportingConnection() {}

  /** {@code connection}, whose metadata reports {@code version}. */
  static Connection wrap(Connection connection, ServerVersion version) {
    return (Connection)
        Proxy.newProxyInstance(
            VersionReportingConnection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            new OnConnection(connection, version));
  }

  private record OnConnection(Connection connection, ServerVersion version)
      implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getName().equals("getMetaData") && method.getParameterCount() == 0) {
        DatabaseMetaData metaData = connection.getMetaData();
        return Proxy.newProxyInstance(
            VersionReportingConnection.class.getClassLoader(),
            new Class<?>[] {DatabaseMetaData.class},
            new OnMetaData(metaData, version, (Connection) proxy));
      }
      if (method.getName().equals("toString") && method.getParameterCount() == 0) {
        return connection.toString();
      }
      return delegate(method, connection, args);
    }
  }

  private record OnMetaData(DatabaseMetaData metaData, ServerVersion version, Connection proxy)
      implements InvocationHandler {
    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
      if (method.getParameterCount() == 0) {
        switch (method.getName()) {
          case "getDatabaseMajorVersion":
            return version.major();
          case "getDatabaseMinorVersion":
            return version.minor();
          case "getDatabaseProductVersion":
            return version.text();
          case "getConnection":
            return proxy;
          default:
            break;
        }
      }
      return delegate(method, metaData, args);
    }
  }

  private static Object delegate(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
