package io.jobengine.core;

import io.jobengine.JobHandler;
import io.jobengine.JobNames;
import io.jobengine.RetryPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The engine's handlers by type, and their retry policies: checked once at start, read-only after.
 * A handler's policy is read once, here, so that every claim and every outcome uses the same one,
 * and a handler whose {@code retryPolicy()} throws is refused at start rather than at its first
 * failure.
 */
final class HandlerRegistry {

  private final Map<String, JobHandler<?>> byType;
  private final Map<String, Optional<RetryPolicy>> policies;

  private HandlerRegistry(Map<String, JobHandler<?>> byType, Map<String, Optional<RetryPolicy>> policies) {
    this.byType = Collections.unmodifiableMap(byType);
    this.policies = Collections.unmodifiableMap(policies);
  }

  /**
   * The explicit handlers plus, if asked, those found by {@link ServiceLoader}.
   *
   * @throws IllegalStateException if two handlers share a type, a handler's type or payload type
   *     is invalid, its {@code retryPolicy()} throws or returns null, discovery fails, or there is
   *     no handler at all
   */
  static HandlerRegistry of(List<JobHandler<?>> explicit, boolean discover) {
    List<JobHandler<?>> all = new ArrayList<>(explicit);
    if (discover) {
      all.addAll(discovered());
    }
    Map<String, JobHandler<?>> byType = new LinkedHashMap<>();
    for (JobHandler<?> handler : all) {
      String type = checkedType(handler);
      if (handler.payloadType() == null) {
        throw new IllegalStateException(
            "Handler " + handler.getClass().getName() + " for type '" + type
                + "' returns null from payloadType(); return the payload class (Void.class for none)");
      }
      JobHandler<?> previous = byType.putIfAbsent(type, handler);
      if (previous != null) {
        throw new IllegalStateException(
            "Two handlers for job type '" + type + "': " + previous.getClass().getName() + " and "
                + handler.getClass().getName()
                + "; keep one (if one is found by ServiceLoader and also registered, "
                + "call discoverHandlers(false) or drop its META-INF/services entry)");
      }
    }
    if (byType.isEmpty()) {
      throw new IllegalStateException(
          "No job handlers: register them with handler(...)"
              + (discover
                  ? " or list them in META-INF/services/io.jobengine.JobHandler"
                  : " (ServiceLoader discovery is off)"));
    }
    Map<String, Optional<RetryPolicy>> policies = new LinkedHashMap<>();
    byType.forEach((type, handler) -> policies.put(type, checkedPolicy(type, handler)));
    return new HandlerRegistry(byType, policies);
  }

  private static Optional<RetryPolicy> checkedPolicy(String type, JobHandler<?> handler) {
    Optional<RetryPolicy> policy;
    try {
      policy = handler.retryPolicy();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "Handler " + handler.getClass().getName() + " for type '" + type + "' failed in"
              + " retryPolicy(): " + ErrorText.headline(e) + "; return a policy, or"
              + " Optional.empty() for the engine's",
          e);
    }
    if (policy == null) {
      throw new IllegalStateException(
          "Handler " + handler.getClass().getName() + " for type '" + type + "' returns null from"
              + " retryPolicy(); return Optional.empty() for the engine's policy");
    }
    return policy;
  }

  private static String checkedType(JobHandler<?> handler) {
    String type;
    try {
      type = handler.type();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "Handler " + handler.getClass().getName() + " failed in type(): " + e, e);
    }
    try {
      return JobNames.requireType(type);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "Handler " + handler.getClass().getName() + " has an invalid type: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("rawtypes")
  private static List<JobHandler<?>> discovered() {
    List<JobHandler<?>> found = new ArrayList<>();
    try {
      for (JobHandler handler : ServiceLoader.load(JobHandler.class)) {
        found.add(handler);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException(
          "Loading job handlers from META-INF/services/io.jobengine.JobHandler failed: "
              + e.getMessage()
              + " (each listed class must be public with a public no-argument constructor)",
          e);
    }
    return found;
  }

  JobHandler<?> get(String type) {
    return byType.get(type);
  }

  Set<String> types() {
    return byType.keySet();
  }

  /**
   * For each type, the most attempts of its handler's retry policy, or of {@code defaultPolicy}
   * for a handler without one: what a claim gives jobs enqueued without max attempts.
   */
  Map<String, Integer> maxAttempts(RetryPolicy defaultPolicy) {
    Map<String, Integer> max = new LinkedHashMap<>();
    policies.forEach((type, policy) -> max.put(type, policy.orElse(defaultPolicy).maxAttempts()));
    return Collections.unmodifiableMap(max);
  }

  /** The retry policy of the handler of {@code type}, read at start; empty for the engine's. */
  Optional<RetryPolicy> policy(String type) {
    Optional<RetryPolicy> policy = policies.get(type);
    return policy == null ? Optional.empty() : policy;
  }

  @Override
  public String toString() {
    return byType.keySet().toString();
  }
}
