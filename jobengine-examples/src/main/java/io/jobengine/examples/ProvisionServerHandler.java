package io.jobengine.examples;

import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Provisions a (pretend) server in five steps, reporting progress after each and checking for
 * cancel between them. A request for more CPUs than a host has ends in WARNING.
 */
public final class ProvisionServerHandler implements JobHandler<ProvisionServerHandler.Request> {
  /** The job type. */
  public static final String TYPE = "provision-server";
  static final int MAX_CPUS = 8;
  private static final String[] STEPS = {
    "allocating disk", "installing OS", "configuring network", "starting services", "health check"
  };

  /**
   * What to provision.
   *
   * @param host the host name
   * @param cpus the CPUs wanted
   */
  public record Request(String host, int cpus) {}

  private final Duration stepTime;

  /** A handler whose steps take 400 ms each. */
  public ProvisionServerHandler() {
    this(Duration.ofMillis(400));
  }

  ProvisionServerHandler(Duration stepTime) {
    this.stepTime = stepTime;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Class<Request> payloadType() {
    return Request.class;
  }

  @Override
  public Optional<Duration> timeout() {
    return Optional.of(Duration.ofMinutes(1));
  }

  @Override
  public void run(Request request, JobContext ctx) throws InterruptedException {
    if (request.cpus() > MAX_CPUS) {
      ctx.warn(request.host() + ": asked for " + request.cpus() + " CPUs, gave " + MAX_CPUS);
    }
    for (int i = 0; i < STEPS.length; i++) {
      ctx.checkpoint();
      ctx.progress(i * 100 / STEPS.length, STEPS[i]);
      TimeUnit.NANOSECONDS.sleep(stepTime.toNanos()); // the real work would go here
    }
    ctx.progress(100, request.host() + " is up");
  }
}
