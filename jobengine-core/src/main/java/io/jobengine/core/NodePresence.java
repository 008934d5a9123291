package io.jobengine.core;

import io.jobengine.spi.JobStore;
import io.jobengine.spi.NodeRegistration;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's entry in the node registry: registered at start and marked stopped at a clean
 * shutdown. Its heartbeats go with the lease renewals ({@link LeaseKeeper}); the registry shows
 * the node DEAD when they stop for longer than its lease.
 */
final class NodePresence {
  private static final Logger log = LoggerFactory.getLogger(NodePresence.class);

  private final JobStore store;
  private final NodeRegistration registration;

  NodePresence(JobStore store, EngineConfig config) {
    this.store = store;
    this.registration =
        new NodeRegistration(
            config.nodeName(), hostName(), ProcessHandle.current().pid(), config.queues(),
            config.leaseDuration());
  }

  /** Registers the node; a failure here fails the engine's start. */
  void register() {
    store.registerNode(registration);
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
