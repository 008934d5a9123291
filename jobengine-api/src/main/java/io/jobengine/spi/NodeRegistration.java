package io.jobengine.spi;

import io.jobengine.JobNames;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An engine node announcing itself to the node registry at start.
 *
 * @param name the node name; a registration under a name that exists replaces it when that node
 *     stopped or its heartbeat went stale (a restarted node keeps its name), and is refused while it
 *     is alive (see {@link JobStore#registerNode})
 * @param instance this run of the engine, different for every start (a random UUID): the owner
 *     of the name's row, which fences heartbeats and deregistration so that two engines of one name
 *     never write one row; letters, digits, {@code . _ : -}, at most {@value #MAX_INSTANCE_LENGTH}
 * @param host the host name
 * @param pid the process id
 * @param queues the node's queues and their worker threads
 * @param leaseDuration the node's lease: a node whose heartbeat is older than this is shown DEAD
 */
public record NodeRegistration(
    String name,
    String instance,
    String host,
    long pid,
    Map<String, Integer> queues,
    Duration leaseDuration) {

  /** The longest instance id. */
  public static final int MAX_INSTANCE_LENGTH = 64;

  private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /**
   * Checks the registration.
   *
   * @throws IllegalArgumentException if the name or instance is invalid or the lease not positive
   */
  public NodeRegistration {
    JobNames.requireNode(name);
    requireInstance(instance);
    Objects.requireNonNull(host, "host");
    queues = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(queues, "queues")));
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("leaseDuration must be positive, got " + leaseDuration);
    }
  }

  /**
   * Checks an instance id.
   *
   * @param instance the id
   * @return {@code instance}
   * @throws IllegalArgumentException if null, empty, too long or with other characters than
   *     letters, digits and {@code . _ : -}
   */
  public static String requireInstance(String instance) {
    if (instance == null || !INSTANCE.matcher(instance).matches()) {
      throw new IllegalArgumentException(
          "Invalid node instance id " + JobNames.quote(instance) + ": it must match "
              + INSTANCE.pattern());
    }
    return instance;
  }
}
