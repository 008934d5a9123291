package io.jobengine.mysql;

import com.mysql.cj.MysqlConnection;
import com.mysql.cj.Query;
import com.mysql.cj.interceptors.QueryInterceptor;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ServerSession;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Counts the statements of the connections it is set on; for {@link MySqlJobStoreBuilderTest}. */
public final class CountingInterceptor implements QueryInterceptor {

  /** The driver makes the instances, hence a static counter; only one test uses it. */
  static final AtomicLong STATEMENTS = new AtomicLong();

  /** For Connector/J. */
  public CountingInterceptor() {}

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
      Supplier<String> sql, Query interceptedQuery, T originalResultSet, ServerSession session) {
    return null;
  }
}
