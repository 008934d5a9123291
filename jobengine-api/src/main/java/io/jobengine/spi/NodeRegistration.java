package io.jobengine.spi;

import io.jobengine.JobNames;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An engine node announcing itself to the node registry at start.
 *
 * @param name the node name; a registration under a name that exists replaces it (a restarted
 *     node keeps its name)
 * @param host the host name
 * @param pid the process id
 * @param queues the node's queues and their worker threads
 * @param leaseDuration the node's lease: a node whose heartbeat is older than this is shown DEAD
 */
public record NodeRegistration(
    String name, String host, long pid, Map<String, Integer> queues, Duration leaseDuration) {

  /**
   * Checks the registration.
   *
   * @throws IllegalArgumentException if the name is invalid or the lease not positive
   */
  public NodeRegistration {
    JobNames.requireNode(name);
    Objects.requireNonNull(host, "host");
    queues = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(queues, "queues")));
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("leaseDuration must be positive, got " + leaseDuration);
    }
  }
}
