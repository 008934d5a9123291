package io.jobengine.spi;

import java.util.List;
import java.util.Objects;

/**
 * What a running attempt has reported so far, written under its lease: its latest progress and
 * all of its warnings. The engine sends the whole state each time, so the last write wins.
 *
 * @param lease the attempt's lease
 * @param percent from 0 to 100, or null if the attempt has reported no progress (the stored
 *     progress, percent and message, is then left as it is)
 * @param message a short note with the progress, or null
 * @param warnings the attempt's warnings so far; they replace the stored ones
 */
public record ProgressUpdate(Lease lease, Integer percent, String message, List<String> warnings) {

  /**
   * Checks the update and copies the warnings.
   *
   * @throws IllegalArgumentException if {@code percent} is out of range
   */
  public ProgressUpdate {
    Objects.requireNonNull(lease, "lease");
    if (percent != null && (percent < 0 || percent > 100)) {
      throw new IllegalArgumentException("percent must be between 0 and 100, got " + percent);
    }
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /**
   * Progress without warnings.
   *
   * @param lease the attempt's lease
   * @param percent from 0 to 100
   * @param message a short note, or null
   */
  public ProgressUpdate(Lease lease, int percent, String message) {
    this(lease, Integer.valueOf(percent), message, List.of());
  }
}
