package io.jobengine.core;

import io.jobengine.spi.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts back the jobs whose leases expired on any node (a node that died or lost the database). It
 * runs on a thread of its own, never the lease thread: however long the store takes to reap, this
 * node's renewals are not delayed.
 *
 * <p>A store reaps a bounded batch per call and passes over rows that another transaction holds
 * locked, so one pass calls it again while a call reaps any, up to {@value #MAX_CALLS_PER_PASS}
 * calls; what is left waits for the next pass.
 */
final class LeaseReaper {
  private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);

  /** The most reaper calls of one pass. */
  static final int MAX_CALLS_PER_PASS = 20;

  private final JobStore store;

  LeaseReaper(JobStore store) {
    this.store = store;
  }

  /** One pass; returns how many jobs it put back or ended. */
  int reapOnce() {
    int reaped = 0;
    try {
      for (int call = 0; call < MAX_CALLS_PER_PASS; call++) {
        int n = store.reapExpiredLeases();
        if (n <= 0) {
          break;
        }
        reaped += n;
      }
    } catch (RuntimeException e) {
      log.warn("Could not reap expired leases: {}", e.toString());
    }
    if (reaped > 0) {
      log.info("Recovered {} job(s) whose lease had expired", reaped);
    }
    return reaped;
  }
}
