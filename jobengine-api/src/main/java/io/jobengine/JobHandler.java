package io.jobengine;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs the jobs of one type. The host application writes one per job type and gives it to the
 * engine, either explicitly ({@code JobEngine.builder().handler(...)}, for handlers built by the
 * host's dependency injection) or through {@link java.util.ServiceLoader} (a public no-argument
 * class listed in {@code META-INF/services/io.jobengine.JobHandler}).
 *
 * <p>A handler is called from several worker threads at once and must be thread-safe. The engine
 * runs a job at least once: after a crash a job may run again, so side effects should be
 * idempotent or fenced with {@link JobContext#fencingToken()}.
 *
 * @param <P> the payload type, decoded from the job's JSON by the engine's codec
 */
public interface JobHandler<P> {

  /**
   * The job type this handler runs; unique per engine. See {@link JobNames#TYPE}.
   *
   * @return the type
   */
  String type();

  /**
   * The class the payload is decoded into.
   *
   * @return the payload class
   */
  Class<P> payloadType();

  /**
   * Runs one attempt of a job. Returning normally ends the job in SUCCESS (or WARNING if {@link
   * JobContext#warn(String)} was called); throwing retries it or ends it in FAILURE as the retry
   * policy says. Long-running handlers should call {@link JobContext#checkpoint()} now and then
   * and respond to interrupts, so that cancel, timeout and shutdown can stop them.
   *
   * @param payload the decoded payload, null if the job was enqueued with a null payload
   * @param context the job's context: its id, attempt, progress and stop signal
   * @throws Exception any failure; the engine records it as the attempt's error
   */
  void run(P payload, JobContext context) throws Exception;

  /**
   * The retry policy of this type; when empty, the engine's default policy applies. A request's
   * {@code maxAttempts} overrides the policy's maximum; a job enqueued without one takes the
   * maximum of the policy of the node that first claims it (whichever client enqueued it), and
   * keeps it.
   *
   * @return the policy, or empty for the engine's default
   */
  default Optional<RetryPolicy> retryPolicy() {
    return Optional.empty();
  }

  /**
   * How long one attempt may run before the engine interrupts it; when empty, attempts have no
   * timeout. A request's {@code timeout} overrides it.
   *
   * @return the timeout, or empty for none
   */
  default Optional<Duration> timeout() {
    return Optional.empty();
  }

  /**
   * A handler from a lambda, for handlers with no retry policy or timeout of their own.
   *
   * @param type the job type
   * @param payloadType the payload class
   * @param body what runs for each job
   * @param <P> the payload type
   * @return the handler
   * @throws IllegalArgumentException if {@code type} is invalid
   */
  static <P> JobHandler<P> of(String type, Class<P> payloadType, Body<P> body) {
    JobNames.requireType(type);
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(body, "body");
    return new JobHandler<>() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public Class<P> payloadType() {
        return payloadType;
      }

      @Override
      public void run(P payload, JobContext context) throws Exception {
        body.run(payload, context);
      }

      @Override
      public String toString() {
        return "JobHandler[" + type + "]";
      }
    };
  }

  /**
   * The body of a handler made with {@link #of(String, Class, Body)}.
   *
   * @param <P> the payload type
   */
  @FunctionalInterface
  interface Body<P> {
    /**
     * Runs one attempt.
     *
     * @param payload the payload
     * @param context the job's context
     * @throws Exception any failure
     */
    void run(P payload, JobContext context) throws Exception;
  }
}
