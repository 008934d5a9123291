package io.jobengine.core;

import io.jobengine.CancelResult;
import io.jobengine.JobClient;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobPage;
import io.jobengine.JobQuery;
import io.jobengine.JobRequest;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.NodeInfo;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client of a running engine. Over the plain store client it adds what only the engine knows:
 * an enqueue wakes this engine's dispatcher at once; a cancel of a job running here stops its
 * handler at once instead of at the next lease renewal. It stores the same jobs as the plain
 * client: a request without {@code maxAttempts} is resolved at claim, not here (see {@link
 * io.jobengine.spi.ClaimRequest#maxAttempts()}), so jobs do not depend on which client enqueued.
 */
final class EngineJobClient implements JobClient {
  private final JobClient delegate;
  private final Map<JobId, RunningJob> active;
  private final Runnable wake;

  EngineJobClient(JobClient delegate, Map<JobId, RunningJob> active, Runnable wake) {
    this.delegate = delegate;
    this.active = active;
    this.wake = wake;
  }

  @Override
  public JobId enqueue(JobRequest request) {
    JobId id = delegate.enqueue(request);
    wake.run();
    return id;
  }

  @Override
  public List<JobId> enqueueAll(List<JobRequest> requests) {
    List<JobId> ids = delegate.enqueueAll(requests);
    wake.run();
    return ids;
  }

  @Override
  public JobId enqueue(Connection connection, JobRequest request) {
    // Not visible to the dispatcher until the caller commits: no wake-up, polling finds it.
    return delegate.enqueue(connection, request);
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

  @Override
  public String toString() {
    return "EngineJobClient[" + delegate + "]";
  }
}
