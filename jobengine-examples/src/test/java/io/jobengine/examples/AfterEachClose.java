package io.jobengine.examples;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test opened (clusters of worker processes, private database servers) after the
 * test, last opened first, whether it passed or not, so that no worker JVM outlives its test.
 * Register it on an instance field: {@code @RegisterExtension final AfterEachClose closer = new
 * AfterEachClose();}.
 */
final class AfterEachClose implements AfterEachCallback {
  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  /** Closes {@code resource} after the test; returns it. */
  <T extends AutoCloseable> T add(T resource) {
    open.push(resource);
    return resource;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Exception failure = null;
    while (!open.isEmpty()) {
      try {
        open.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
