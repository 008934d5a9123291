package io.jobengine.examples.bench;

import com.mysql.cj.MysqlConnection;
import com.mysql.cj.Query;
import com.mysql.cj.interceptors.QueryInterceptor;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ServerSession;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Counts, on the client, the statements the engine's connections send (Connector/J's {@code
 * queryInterceptors}): the driver's own COMMIT and SET autocommit included. The server's global
 * counters see every client of the server; this sees only the nodes under test, so it is the
 * cross-check when other work runs on the same server. The driver makes the instances, hence the
 * static counter.
 */
public final class StatementCounter implements QueryInterceptor {
  static final AtomicLong STATEMENTS = new AtomicLong();

  /** For Connector/J, which makes one per connection. */
  public StatementCounter() {}

  @Override
  public QueryInterceptor init(MysqlConnection conn, Properties props, Log log) {
    return this;
  }

  @Override
  public <T extends Resultset> T preProcess(Supplier<String> sql, Query interceptedQuery) {
    STATEMENTS.incrementAndGet();
    return null;
  }

  @Override
  public boolean executeTopLevelOnly() {
    return false;
  }

  @Override
  public void destroy() {}

  @Override
  public <T extends Resultset> T postProcess(
      Supplier<String> sql, Query interceptedQuery, T originalResultSet, ServerSession serverSession) {
    return null;
  }
}
