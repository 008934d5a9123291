package io.jobengine.testing;

import io.jobengine.JobNames;
import io.jobengine.NodeInfo;
import io.jobengine.spi.NodeRegistration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The node registry of {@link InMemoryJobStore}. Thread-safe. */
final class InMemoryNodeRegistry {
  private final Clock clock;
  private final Map<String, Node> nodes = new TreeMap<>();

  private static final class Node {
    NodeRegistration registration;
    Instant startedAt;
    Instant heartbeatAt;
    Instant stoppedAt;
    int runningJobs;
  }

  InMemoryNodeRegistry(Clock clock) {
    this.clock = clock;
  }

  /** Registers the node unless a live node of another instance holds its name; see the SPI. */
  synchronized Optional<NodeInfo> register(NodeRegistration registration) {
    Instant now = clock.instant();
    Node held = nodes.get(registration.name());
    if (held != null && !held.registration.instance().equals(registration.instance())) {
      NodeInfo holder = info(held, now);
      if (holder.state() == NodeInfo.State.ALIVE) {
        return Optional.of(holder);
      }
    }
    Node node = new Node();
    node.registration = registration;
    node.startedAt = now;
    node.heartbeatAt = now;
    nodes.put(registration.name(), node);
    return Optional.empty();
  }

  synchronized boolean heartbeat(String name, String instance, int runningJobs) {
    Node node = own(name, instance);
    if (node == null) {
      return false;
    }
    node.heartbeatAt = clock.instant();
    node.runningJobs = runningJobs;
    node.stoppedAt = null;
    return true;
  }

  synchronized void deregister(String name, String instance) {
    Node node = own(name, instance);
    if (node != null) {
      node.stoppedAt = clock.instant();
      node.runningJobs = 0;
    }
  }

  /** The name's row if {@code instance} owns it, else null. */
  private Node own(String name, String instance) {
    JobNames.requireNode(name);
    NodeRegistration.requireInstance(instance);
    Node node = nodes.get(name);
    return node != null && node.registration.instance().equals(instance) ? node : null;
  }

  synchronized List<NodeInfo> list() {
    Instant now = clock.instant();
    List<NodeInfo> result = new ArrayList<>(nodes.size());
    for (Node node : nodes.values()) {
      result.add(info(node, now));
    }
    return result;
  }

  private static NodeInfo info(Node node, Instant now) {
    Duration age = Duration.between(node.heartbeatAt, now);
    NodeInfo.State state =
        node.stoppedAt != null
            ? NodeInfo.State.STOPPED
            : age.compareTo(node.registration.leaseDuration()) > 0
                ? NodeInfo.State.DEAD
                : NodeInfo.State.ALIVE;
    NodeRegistration r = node.registration;
    return new NodeInfo(
        r.name(), r.host(), r.pid(), r.queues(), state, node.runningJobs, node.startedAt,
        node.heartbeatAt, age, node.stoppedAt);
  }
}
