package io.jobengine.core;

import io.jobengine.JobEngineException;
import io.jobengine.NodeInfo;
import io.jobengine.StoreException;
import io.jobengine.spi.HeartbeatResult;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.NodeRegistration;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's entry in the node registry: registered at start and marked stopped at a clean
 * shutdown. Its heartbeats go with the lease renewals ({@link LeaseKeeper}); the registry shows
 * the node DEAD when they stop for longer than its lease.
 *
 * <p>One node name is one engine. Each start is a new instance (a random id) that owns the name's
 * row, and only the owner's heartbeats and deregistration are written. A second engine started
 * under the name of a live one is refused, so that two engines never share a row (and {@code
 * jobctl status} never shows a dead process as alive). The exception is the supervisor's restart:
 * a worker killed with {@code kill -9} and restarted at once finds its old row still alive until
 * the old heartbeat ages past the lease. So a start that finds the name held waits, polling the
 * registry, up to the holder's remaining lease (bounded by this node's lease plus one heartbeat),
 * then takes the name over; it refuses as soon as the holder's heartbeat moves (a live engine), or
 * when the holder is still alive at the end of the wait.
 */
final class NodePresence {
  private static final Logger log = LoggerFactory.getLogger(NodePresence.class);

  /** The longest pause between two looks at a held name while waiting for it. */
  private static final Duration MAX_POLL = Duration.ofMillis(500);

  private final JobStore store;
  private final NodeRegistration registration;
  private final Duration heartbeatInterval;
  /** Whether the last heartbeat was passed over for a row lock; on the lease thread only. */
  private boolean heartbeatBusy;

  NodePresence(JobStore store, EngineConfig config) {
    this.store = store;
    this.heartbeatInterval = config.heartbeatInterval();
    this.registration =
        new NodeRegistration(
            config.nodeName(), UUID.randomUUID().toString(), hostName(),
            ProcessHandle.current().pid(), config.queues(), config.leaseDuration());
  }

  /** This start's instance id: the owner of the node's row in the registry. */
  String instance() {
    return registration.instance();
  }

  /**
   * Registers the node, waiting for a crashed predecessor's row to go stale; a failure here fails
   * the engine's start.
   *
   * @throws JobEngineException if another live engine holds the name, or the wait is interrupted
   */
  void register() {
    Optional<NodeInfo> held = store.registerNode(registration);
    if (held.isEmpty()) {
      return;
    }
    NodeInfo first = held.get();
    long waitNanos =
        registration.leaseDuration().plus(heartbeatInterval).minus(first.heartbeatAge()).toNanos();
    log.warn(
        "Node name '{}' is held by a live node ({}); waiting up to {} ms for its heartbeat to go"
            + " stale, as it does when that process has died (a restart after a crash), before"
            + " taking the name over",
        registration.name(), describe(first), TimeUnit.NANOSECONDS.toMillis(Math.max(waitNanos, 0)));
    long start = System.nanoTime();
    long poll = Math.max(1, Math.min(MAX_POLL.toNanos(), heartbeatInterval.toNanos() / 2));
    while (true) {
      long left = waitNanos - (System.nanoTime() - start);
      if (left <= 0) {
        throw inUse(
            first,
            "it was still alive after a wait of " + TimeUnit.NANOSECONDS.toMillis(waitNanos)
                + " ms (this node's lease and one heartbeat, less its heartbeat's age)");
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(poll, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JobEngineException(
            "Interrupted while waiting for node name '" + registration.name() + "' ("
                + describe(first) + ") to become free; the engine did not start");
      }
      held = store.registerNode(registration);
      if (held.isEmpty()) {
        log.info(
            "Node name '{}' taken over from {}, whose heartbeat went stale",
            registration.name(), describe(first));
        return;
      }
      NodeInfo now = held.get();
      if (!now.heartbeatAt().equals(first.heartbeatAt()) || now.pid() != first.pid()
          || !now.host().equals(first.host())) {
        throw inUse(now, "it is heartbeating");
      }
    }
  }

  /**
   * Records this node's heartbeat. A heartbeat the store passed over because another session holds
   * the node's row locked ({@link HeartbeatResult#BUSY}) is no failure: the lease renewals, which
   * are what keeps the node's jobs, went through, so the node stays healthy and keeps claiming.
   * It is logged once at WARN until a heartbeat is recorded again; meanwhile the registry shows the
   * last recorded heartbeat (and the node DEAD once that is older than its lease). On the lease
   * thread only.
   *
   * @throws StoreException if the store fails, or another engine has taken the name over (this
   *     node's heartbeats had stopped for longer than its lease): the lease keeper then counts
   *     the node unhealthy and it claims nothing more
   */
  void heartbeat(int runningJobs) {
    HeartbeatResult result =
        store.nodeHeartbeat(registration.name(), registration.instance(), runningJobs);
    switch (result) {
      case RECORDED -> {
        if (heartbeatBusy) {
          heartbeatBusy = false;
          log.info("The heartbeat of node '{}' is recorded again", registration.name());
        }
      }
      case BUSY -> {
        if (!heartbeatBusy) {
          heartbeatBusy = true;
          log.warn(
              "The heartbeat of node '{}' was not recorded: another session holds its row in the"
                  + " node registry locked. Passed over, not waited for; the node's leases are"
                  + " renewed as usual, and the registry shows its last heartbeat (DEAD once that"
                  + " is older than the lease) until the lock is released",
              registration.name());
        }
      }
      case NOT_OWNER -> throw new StoreException(
          "Node name '" + registration.name() + "' belongs to another engine now: this one's"
              + " heartbeats stopped for longer than its lease (a pause or an outage) and another"
              + " process took the name over. This engine claims no more jobs; stop it");
    }
  }

  void deregister() {
    try {
      store.deregisterNode(registration.name(), registration.instance());
    } catch (RuntimeException e) {
      log.warn(
          "Could not mark node '{}' as stopped; the registry will show it DEAD once its lease "
              + "passes: {}",
          registration.name(), e.toString());
    }
  }

  private JobEngineException inUse(NodeInfo holder, String why) {
    return new JobEngineException(
        "Node name '" + registration.name() + "' is in use by another live engine (" + describe(holder)
            + "): " + why + ". Give each engine its own node name (JobEngine.builder().nodeName(...),"
            + " or --node for a worker process), or stop the other one first; a node restarted after"
            + " a crash takes its name over once the old heartbeat is older than its lease");
  }

  private static String describe(NodeInfo node) {
    return "host " + node.host() + ", pid " + node.pid() + ", started " + node.startedAt()
        + ", last heartbeat " + node.heartbeatAge().toMillis() + " ms ago";
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
