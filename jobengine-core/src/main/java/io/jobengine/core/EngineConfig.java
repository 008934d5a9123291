package io.jobengine.core;

import io.jobengine.PayloadCodec;
import io.jobengine.RetryPolicy;
import io.jobengine.spi.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The engine's checked, immutable configuration, made by {@link JobEngine.Builder}. */
record EngineConfig(
    JobStore store,
    String nodeName,
    Map<String, Integer> queues,
    Duration leaseDuration,
    Duration heartbeatInterval,
    Duration pollInterval,
    Duration shutdownGrace,
    Clock clock,
    PayloadCodec codec,
    RetryPolicy retryPolicy) {

  EngineConfig {
    queues = Collections.unmodifiableMap(new LinkedHashMap<>(queues));
  }
}
