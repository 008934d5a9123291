package io.jobengine.core;

import io.jobengine.CancelResult;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobPage;
import io.jobengine.JobQuery;
import io.jobengine.NodeInfo;
import io.jobengine.StoreDataException;
import io.jobengine.StoreException;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.EnqueueResult;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import io.jobengine.spi.LeaseRenewal;
import io.jobengine.spi.NewJob;
import io.jobengine.spi.NodeRegistration;
import io.jobengine.spi.ProgressUpdate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A store whose heartbeats (lease renewals and node heartbeats), or all of whose calls, can be made
 * to fail (a database outage) or to hang (a slow database, a lock wait); and whose completions can
 * be refused for the data of a row.
 */
class SwitchableStore implements JobStore {
  private final JobStore delegate;
  private volatile boolean down;
  private volatile boolean renewalsDown;
  private volatile CountDownLatch renewalGate;
  private final AtomicInteger hanging = new AtomicInteger();
  private final AtomicInteger registrations = new AtomicInteger();
  private volatile Predicate<Completion> refused = c -> false;
  private final List<Integer> completeBatches = new CopyOnWriteArrayList<>();

  SwitchableStore(JobStore delegate) {
    this.delegate = delegate;
  }

  void down(boolean down) {
    this.down = down;
  }

  /** How many times {@link #registerNode} was called. */
  int registrations() {
    return registrations.get();
  }

  void renewalsDown(boolean renewalsDown) {
    this.renewalsDown = renewalsDown;
  }

  /** While on, lease renewals and node heartbeats wait until it is turned off, then go through. */
  void renewalsHang(boolean hang) {
    if (hang) {
      renewalGate = new CountDownLatch(1);
    } else {
      CountDownLatch gate = renewalGate;
      renewalGate = null;
      if (gate != null) {
        gate.countDown();
      }
    }
  }

  /** How many renewals or heartbeats are waiting now. */
  int hangingCalls() {
    return hanging.get();
  }

  private void awaitGate() {
    CountDownLatch gate = renewalGate;
    if (gate == null) {
      return;
    }
    hanging.incrementAndGet();
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while the renewal hung (test)");
    } finally {
      hanging.decrementAndGet();
    }
  }

  /**
   * Makes {@link #complete} refuse, as a database refuses a row too large for its packet, every
   * batch that holds a completion {@code refused} matches.
   */
  void refuseCompletions(Predicate<Completion> refused) {
    this.refused = refused;
  }

  /** The sizes of the batches {@link #complete} was called with, in order. */
  List<Integer> completeBatches() {
    return List.copyOf(completeBatches);
  }

  private void check() {
    if (down) {
      throw new StoreException("the database is down (test)");
    }
  }

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    check();
    return delegate.enqueue(jobs);
  }

  @Override
  public List<ClaimedJob> claim(ClaimRequest request) {
    check();
    return delegate.claim(request);
  }

  @Override
  public Set<JobId> reportProgress(List<ProgressUpdate> updates) {
    check();
    return delegate.reportProgress(updates);
  }

  @Override
  public Set<JobId> complete(List<Completion> completions) {
    completeBatches.add(completions.size());
    check();
    if (completions.stream().anyMatch(refused)) {
      throw new StoreDataException("a row of the batch is too large (test)");
    }
    return delegate.complete(completions);
  }

  @Override
  public LeaseRenewal renewLeases(String owner, Collection<Lease> held, Duration leaseDuration) {
    check();
    if (renewalsDown) {
      throw new StoreException("lease renewal fails (test)");
    }
    awaitGate();
    return delegate.renewLeases(owner, held, leaseDuration);
  }

  @Override
  public Set<JobId> cancelRequests(Collection<Lease> held) {
    check();
    return delegate.cancelRequests(held);
  }

  @Override
  public int reapExpiredLeases() {
    check();
    return delegate.reapExpiredLeases();
  }

  @Override
  public Optional<JobInfo> get(JobId id) {
    check();
    return delegate.get(id);
  }

  @Override
  public JobPage list(JobQuery query) {
    check();
    return delegate.list(query);
  }

  @Override
  public CancelResult cancel(JobId id) {
    check();
    return delegate.cancel(id);
  }

  @Override
  public boolean retry(JobId id) {
    check();
    return delegate.retry(id);
  }

  @Override
  public Optional<NodeInfo> registerNode(NodeRegistration node) {
    check();
    registrations.incrementAndGet();
    return delegate.registerNode(node);
  }

  @Override
  public boolean nodeHeartbeat(String name, String instance, int runningJobs) {
    check();
    if (renewalsDown) {
      throw new StoreException("heartbeat fails (test)");
    }
    awaitGate();
    return delegate.nodeHeartbeat(name, instance, runningJobs);
  }

  @Override
  public void deregisterNode(String name, String instance) {
    check();
    delegate.deregisterNode(name, instance);
  }

  @Override
  public List<NodeInfo> nodes() {
    check();
    return delegate.nodes();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
