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

  synchronized void register(NodeRegistration registration) {
    Instant now = clock.instant();
    Node node = new Node();
    node.registration = registration;
    node.startedAt = now;
    node.heartbeatAt = now;
    nodes.put(registration.name(), node);
  }

  synchronized void heartbeat(String name, int runningJobs) {
    JobNames.requireNode(name);
    Node node = nodes.get(name);
    if (node != null) {
      node.heartbeatAt = clock.instant();
      node.runningJobs = runningJobs;
      node.stoppedAt = null;
    }
  }

  synchronized void deregister(String name) {
    JobNames.requireNode(name);
    Node node = nodes.get(name);
    if (node != null) {
      node.stoppedAt = clock.instant();
      node.runningJobs = 0;
    }
  }

  synchronized List<NodeInfo> list() {
    Instant now = clock.instant();
    List<NodeInfo> result = new ArrayList<>(nodes.size());
    for (Node node : nodes.values()) {
      Duration age = Duration.between(node.heartbeatAt, now);
      NodeInfo.State state =
          node.stoppedAt != null
              ? NodeInfo.State.STOPPED
              : age.compareTo(node.registration.leaseDuration()) > 0
                  ? NodeInfo.State.DEAD
                  : NodeInfo.State.ALIVE;
      NodeRegistration r = node.registration;
      result.add(
          new NodeInfo(
              r.name(), r.host(), r.pid(), r.queues(), state, node.runningJobs, node.startedAt,
              node.heartbeatAt, age, node.stoppedAt));
    }
    return result;
  }
}
