package io.jobengine.spi;

import java.util.Objects;

/**
 * A running job's progress, written under its lease.
 *
 * @param lease the attempt's lease
 * @param percent from 0 to 100
 * @param message a short note, or null
 */
public record ProgressUpdate(Lease lease, int percent, String message) {

  /**
   * Checks the update.
   *
   * @throws IllegalArgumentException if {@code percent} is out of range
   */
  public ProgressUpdate {
    Objects.requireNonNull(lease, "lease");
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be between 0 and 100, got " + percent);
    }
  }
}
