package io.jobengine.core;

import io.jobengine.contract.PayloadSecrecyContract;
import io.jobengine.spi.JobStore;
import io.jobengine.testing.InMemoryJobStore;
import org.junit.jupiter.api.AfterEach;

/** Issue 9, defect 4, through the engine over {@link InMemoryJobStore}. */
class InMemoryPayloadSecrecyTest extends PayloadSecrecyContract {

  private final InMemoryJobStore store = InMemoryJobStore.create();

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  protected JobStore store() {
    return store;
  }
}
