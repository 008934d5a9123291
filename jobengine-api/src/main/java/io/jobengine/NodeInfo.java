package io.jobengine;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One engine node as the node registry last saw it: what {@code supervisorctl status} shows for a
 * worker process. Times and the heartbeat age are the store's.
 *
 * @param name the node name
 * @param host the host it runs on
 * @param pid its process id
 * @param queues its queues and their worker threads
 * @param state alive, stopped, or dead (no heartbeat for longer than its lease)
 * @param runningJobs how many jobs it held at its last heartbeat
 * @param startedAt when it registered
 * @param heartbeatAt its last heartbeat
 * @param heartbeatAge how long ago that was, by the store's clock
 * @param stoppedAt when it deregistered on a clean shutdown, or null
 */
public record NodeInfo(
    String name,
    String host,
    long pid,
    Map<String, Integer> queues,
    State state,
    int runningJobs,
    Instant startedAt,
    Instant heartbeatAt,
    Duration heartbeatAge,
    Instant stoppedAt) {

  /** Whether a node is working. */
  public enum State {
    /** It heartbeats. */
    ALIVE,
    /** It shut down cleanly. */
    STOPPED,
    /** It has not heartbeaten for longer than its lease: crashed, paused or cut off. */
    DEAD
  }

  /** Checks the required fields and copies the queues. */
  public NodeInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(heartbeatAt, "heartbeatAt");
    Objects.requireNonNull(heartbeatAge, "heartbeatAge");
    queues = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(queues, "queues")));
  }
}
