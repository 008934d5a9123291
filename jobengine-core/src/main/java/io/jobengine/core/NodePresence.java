package io.jobengine.core;

import io.jobengine.spi.JobStore;
import io.jobengine.spi.NodeRegistration;
import java.net.InetAddress;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's entry in the node registry: registered at start, heartbeaten with the lease
 * renewals, marked stopped at a clean shutdown. A failed heartbeat is logged and tried again next
 * time; the registry shows the node DEAD only when its heartbeats stop for longer than its lease.
 */
final class NodePresence {
  private static final Logger log = LoggerFactory.getLogger(NodePresence.class);

  private final JobStore store;
  private final NodeRegistration registration;
  private final IntSupplier runningJobs;

  NodePresence(JobStore store, EngineConfig config, IntSupplier runningJobs) {
    this.store = store;
    this.registration =
        new NodeRegistration(
            config.nodeName(), hostName(), ProcessHandle.current().pid(), config.queues(),
            config.leaseDuration());
    this.runningJobs = runningJobs;
  }

  /** Registers the node; a failure here fails the engine's start. */
  void register() {
    store.registerNode(registration);
  }

  void heartbeatOnce() {
    try {
      store.nodeHeartbeat(registration.name(), runningJobs.getAsInt());
    } catch (RuntimeException e) {
      log.warn("Could not record the heartbeat of node '{}': {}", registration.name(), e.toString());
    }
  }

  void deregister() {
    try {
      store.deregisterNode(registration.name());
    } catch (RuntimeException e) {
      log.warn(
          "Could not mark node '{}' as stopped; the registry will show it DEAD once its lease "
              + "passes: {}",
          registration.name(), e.toString());
    }
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
