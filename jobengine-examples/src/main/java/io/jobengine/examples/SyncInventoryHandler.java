package io.jobengine.examples;

import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.RetryPolicy;
import java.time.Duration;
import java.util.Optional;

/**
 * Syncs an inventory from a (pretend) flaky upstream: the first two attempts fail, the third
 * succeeds. Shows retries with backoff.
 */
public final class SyncInventoryHandler implements JobHandler<String> {
  /** The job type. */
  public static final String TYPE = "sync-inventory";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Class<String> payloadType() {
    return String.class;
  }

  @Override
  public Optional<RetryPolicy> retryPolicy() {
    return Optional.of(
        RetryPolicy.builder()
            .maxAttempts(4)
            .initialDelay(Duration.ofMillis(500))
            .multiplier(2)
            .jitter(0.1)
            .build());
  }

  @Override
  public void run(String datacenter, JobContext ctx) {
    ctx.progress(0, "attempt " + ctx.attempt() + ": contacting " + datacenter);
    if (ctx.attempt() < 3) {
      throw new IllegalStateException(datacenter + " inventory API answered 503 (attempt " + ctx.attempt() + ")");
    }
    ctx.progress(100, "synced " + datacenter);
  }
}
