package io.jobengine.mysql;

import io.jobengine.contract.JobStoreContract;
import io.jobengine.spi.JobStore;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store contract suite against a real MySQL or MariaDB server (see {@link TestDatabase}). One
 * store for the class, its tables emptied before each test; time moves by shifting every stored
 * time back, which is the same as moving the database's clock forward.
 */
class MySqlJobStoreContractTest extends JobStoreContract {

  private static String prefix;
  private static MySqlJobStore store;

  @BeforeAll
  static void start() {
    prefix = TestDatabase.uniquePrefix("contract");
    store = TestDatabase.storeWithOwnPool(prefix, 12);
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

  @Override
  protected void advanceTime(Duration duration) {
    TestDatabase.advanceTime(prefix, duration);
  }
}
