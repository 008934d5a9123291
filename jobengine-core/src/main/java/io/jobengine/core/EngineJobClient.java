package io.jobengine.core;

import io.jobengine.CancelResult;
import io.jobengine.JobClient;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobPage;
import io.jobengine.JobQuery;
import io.jobengine.JobRequest;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.NodeInfo;
import io.jobengine.RetryPolicy;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The client of a running engine. Over the plain store client it adds what only the engine knows:
 * a request without {@code maxAttempts} gets its handler's (or the engine's) retry policy maximum;
 * an enqueue wakes this engine's dispatcher at once; a cancel of a job running here stops its
 * handler at once instead of at the next lease renewal.
 */
final class EngineJobClient implements JobClient {
  private final JobClient delegate;
  private final HandlerRegistry handlers;
  private final RetryPolicy defaultPolicy;
  private final Map<JobId, RunningJob> active;
  private final Runnable wake;

  EngineJobClient(
      JobClient delegate,
      HandlerRegistry handlers,
      RetryPolicy defaultPolicy,
      Map<JobId, RunningJob> active,
      Runnable wake) {
    this.delegate = delegate;
    this.handlers = handlers;
    this.defaultPolicy = defaultPolicy;
    this.active = active;
    this.wake = wake;
  }

  @Override
  public JobId enqueue(JobRequest request) {
    JobId id = delegate.enqueue(withDefaults(request));
    wake.run();
    return id;
  }

  @Override
  public List<JobId> enqueueAll(List<JobRequest> requests) {
    Objects.requireNonNull(requests, "requests");
    List<JobRequest> resolved = new ArrayList<>(requests.size());
    for (JobRequest r : requests) {
      resolved.add(withDefaults(r));
    }
    List<JobId> ids = delegate.enqueueAll(resolved);
    wake.run();
    return ids;
  }

  @Override
  public JobId enqueue(Connection connection, JobRequest request) {
    // Not visible to the dispatcher until the caller commits: no wake-up, polling finds it.
    return delegate.enqueue(connection, withDefaults(request));
  }

  @Override
  public Optional<JobInfo> get(JobId id) {
    return delegate.get(id);
  }

  @Override
  public JobPage list(JobQuery query) {
    return delegate.list(query);
  }

  @Override
  public CancelResult cancel(JobId id) {
    CancelResult result = delegate.cancel(id);
    if (result == CancelResult.CANCEL_REQUESTED) {
      RunningJob running = active.get(id);
      if (running != null) {
        running.requestStop(Reason.CANCELED);
      }
    }
    return result;
  }

  @Override
  public boolean retry(JobId id) {
    boolean retried = delegate.retry(id);
    if (retried) {
      wake.run();
    }
    return retried;
  }

  @Override
  public List<NodeInfo> nodes() {
    return delegate.nodes();
  }

  private JobRequest withDefaults(JobRequest request) {
    Objects.requireNonNull(request, "request");
    if (request.maxAttempts() != null) {
      return request;
    }
    JobHandler<?> handler = handlers.get(request.type());
    RetryPolicy policy =
        handler == null ? defaultPolicy : handler.retryPolicy().orElse(defaultPolicy);
    return request.toBuilder().maxAttempts(policy.maxAttempts()).build();
  }

  @Override
  public String toString() {
    return "EngineJobClient[" + delegate + "]";
  }
}
