package io.jobengine.core;

import org.slf4j.MDC;

/**
 * The MDC keys that tie a log line to a job, and a scope that sets them for one job and puts the
 * previous values back when it closes. Every line the engine logs about one job carries them,
 * whichever thread logs it: the worker running the handler, the outcome writer, the progress
 * flusher, the lease keeper, the timeout timer or shutdown.
 *
 * <p>Use it through {@link #run}, or as below (not try-with-resources: javac's lint flags a
 * resource the block does not use):
 *
 * <pre>{@code
 * JobMdc mdc = JobMdc.of(job);
 * try {
 *   log.info("{} was canceled", job);
 * } finally {
 *   mdc.close();
 * }
 * }</pre>
 */
final class JobMdc {
  static final String JOB_ID = "jobengine.jobId";
  static final String JOB_TYPE = "jobengine.jobType";
  static final String ATTEMPT = "jobengine.attempt";
  static final String NODE = "jobengine.node";

  private static final String[] KEYS = {JOB_ID, JOB_TYPE, ATTEMPT, NODE};

  private final String[] previous = new String[KEYS.length];

  private JobMdc(RunningJob job) {
    for (int i = 0; i < KEYS.length; i++) {
      previous[i] = MDC.get(KEYS[i]);
    }
    MDC.put(JOB_ID, job.id().toString());
    MDC.put(JOB_TYPE, job.job().type());
    MDC.put(ATTEMPT, Integer.toString(job.job().attempt()));
    // The lease's owner is this node: the name the claim was made under.
    MDC.put(NODE, job.lease().owner());
  }

  /** Sets the job's keys on this thread until {@link #close()}. */
  static JobMdc of(RunningJob job) {
    return new JobMdc(job);
  }

  /** Runs {@code block} with the job's keys set, then restores the previous values. */
  static void run(RunningJob job, Runnable block) {
    JobMdc mdc = of(job);
    try {
      block.run();
    } finally {
      mdc.close();
    }
  }

  /** Puts back the values the keys had before; removes those that had none. */
  void close() {
    for (int i = 0; i < KEYS.length; i++) {
      if (previous[i] == null) {
        MDC.remove(KEYS[i]);
      } else {
        MDC.put(KEYS[i], previous[i]);
      }
    }
  }
}
