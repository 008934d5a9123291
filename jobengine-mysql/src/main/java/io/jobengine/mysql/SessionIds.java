package io.jobengine.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The server's id ({@code CONNECTION_ID()}) of each physical connection the store's transactions
 * run on, asked once per physical connection and remembered while the connection lives. After a
 * COMMIT was cut off, this id is how the store makes sure the old session is gone before it reads
 * what the COMMIT did ({@link CommitOutcome#endSession}).
 *
 * <p>A pool hands out a new wrapper of the same physical connection each time; the wrapper is
 * unwrapped to the driver's connection, which is the key. A pool whose wrappers do not unwrap
 * costs one {@code SELECT CONNECTION_ID()} per transaction instead. The id stays right as long as
 * the driver does not reconnect under the same connection object, which is why the store's own
 * pool refuses {@code autoReconnect}.
 */
final class SessionIds {

  /** Keys are compared by identity (the driver's connections do not override equals). */
  private final Map<Connection, Long> ids = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The server's id of the session behind {@code connection}.
   *
   * @throws SQLException if the connection fails
   */
  long of(Connection connection) throws SQLException {
    Connection physical = physical(connection);
    Long id = ids.get(physical);
    if (id == null) {
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
        rs.next();
        id = rs.getLong(1);
      }
      ids.put(physical, id);
    }
    return id;
  }

  private static Connection physical(Connection connection) {
    try {
      if (connection.isWrapperFor(com.mysql.cj.jdbc.JdbcConnection.class)) {
        return connection.unwrap(com.mysql.cj.jdbc.JdbcConnection.class);
      }
      if (connection.isWrapperFor(Connection.class)) {
        return connection.unwrap(Connection.class);
      }
      return connection;
    } catch (SQLException | RuntimeException e) {
      return connection; // a wrapper that cannot say: key on the wrapper itself
    }
  }
}
