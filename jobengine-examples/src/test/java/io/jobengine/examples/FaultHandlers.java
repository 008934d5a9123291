package io.jobengine.examples;

import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobStoppedException;
import io.jobengine.RetryPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers the worker processes of the fault tests run (found through ServiceLoader, listed in
 * src/test/resources/META-INF/services). Each records its attempts in {@link AttemptLog}.
 */
public final class FaultHandlers {
  private static final Logger log = LoggerFactory.getLogger(FaultHandlers.class);
  /** Retries come quickly, so that a test never waits for a backoff. */
  static final RetryPolicy QUICK_RETRIES =
      RetryPolicy.builder().initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofMillis(500)).build();

  private FaultHandlers() {}

  /** The payload of {@link Sleep}: work for this long; checkpoint between steps if cooperative. */
  public record Nap(long millis, boolean cooperative) {}

  /**
   * Works for a while in steps of 20 ms. Cooperative: calls {@code checkpoint()} after every step
   * and stops when told; otherwise ignores interrupts and checkpoints, as badly written handlers
   * do.
   */
  public static final class Sleep implements JobHandler<Nap> {
    @Override
    public String type() {
      return "fault-sleep";
    }

    @Override
    public Class<Nap> payloadType() {
      return Nap.class;
    }

    @Override
    public Optional<RetryPolicy> retryPolicy() {
      return Optional.of(QUICK_RETRIES);
    }

    @Override
    public void run(Nap nap, JobContext ctx) {
      AttemptLog.Attempt attempt = AttemptLog.begin(ctx);
      log.info("Working for {} ms (token {})", nap.millis(), ctx.fencingToken());
      try {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(nap.millis());
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
          LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
          if (nap.cooperative()) {
            ctx.checkpoint();
          } else {
            Thread.interrupted();
          }
        }
        attempt.end("ok", false);
      } catch (JobStoppedException e) {
        attempt.end("stopped:" + e.reason(), e.reason() == JobStoppedException.Reason.LEASE_LOST);
        throw e;
      } catch (RuntimeException e) {
        attempt.end("error", false);
        throw e;
      }
    }
  }

  /** The payload of {@link Noop}. */
  public record Item(int n) {}

  /** Records its attempt and returns: for runs of many jobs. */
  public static final class Noop implements JobHandler<Item> {
    @Override
    public String type() {
      return "fault-noop";
    }

    @Override
    public Class<Item> payloadType() {
      return Item.class;
    }

    @Override
    public Optional<RetryPolicy> retryPolicy() {
      return Optional.of(QUICK_RETRIES);
    }

    @Override
    public void run(Item item, JobContext ctx) {
      AttemptLog.instant(ctx);
    }
  }

  /** Records its attempt, then halts its JVM at once: no shutdown hook, no outcome written. */
  public static final class Poison implements JobHandler<Item> {
    @Override
    public String type() {
      return "fault-poison";
    }

    @Override
    public Class<Item> payloadType() {
      return Item.class;
    }

    @Override
    public void run(Item item, JobContext ctx) {
      AttemptLog.begin(ctx);
      Runtime.getRuntime().halt(1);
    }
  }
}
