package io.jobengine.mysql;

import io.jobengine.contract.PayloadSecrecyContract;
import io.jobengine.spi.JobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** Issue 9, defect 4, through the engine over {@link MySqlJobStore}. */
class MySqlPayloadSecrecyTest extends PayloadSecrecyContract {

  private static String prefix;
  private static MySqlJobStore store;

  @BeforeAll
  static void start() {
    prefix = TestDatabase.uniquePrefix("secrecy");
    store = TestDatabase.store(prefix);
  }

  @AfterAll
  static void stop() {
    if (store != null) {
      store.close();
    }
  }

  @BeforeEach
  void empty() {
    TestDatabase.clear(prefix);
  }

  @Override
  protected JobStore store() {
    return store;
  }
}
