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
import io.jobengine.spi.HeartbeatResult;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import io.jobengine.spi.LeaseRenewal;
import io.jobengine.spi.NewJob;
import io.jobengine.spi.NodeRegistration;
import io.jobengine.spi.ProgressUpdate;
import io.jobengine.spi.WriteResult;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A store whose heartbeats (lease renewals and node heartbeats), or all of whose calls, can be made
 * to fail (a database outage) or to hang (a slow database, a lock wait); and whose completions can
 * be refused for the data of a row; and whose job rows or node row can be held "locked", as an
 * outsider's {@code SELECT ... FOR UPDATE} would: writes to them are passed over and reported busy.
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
  private final Set<JobId> lockedRows = ConcurrentHashMap.newKeySet();
  private final Set<JobId> lockedForOneWrite = ConcurrentHashMap.newKeySet();
  private volatile boolean nodeRowLocked;

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

  /**
   * Holds a job's row "locked" (true) or releases it: while locked, {@link #complete} and {@link
   * #reportProgress} pass over its writes and report it busy, writing the others.
   */
  void lockRow(JobId id, boolean locked) {
    if (locked) {
      lockedRows.add(id);
    } else {
      lockedRows.remove(id);
    }
  }

  /**
   * The job's row is "locked" for the next write that includes it only, as this node's own lease
   * renewal holds it for the moment of its transaction.
   */
  void lockRowForOneWrite(JobId id) {
    lockedForOneWrite.add(id);
  }

  /** While on, {@link #nodeHeartbeat} reports the node's row busy and records nothing. */
  void lockNodeRow(boolean locked) {
    this.nodeRowLocked = locked;
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
  public WriteResult reportProgress(List<ProgressUpdate> updates) {
    check();
    return passOverLocked(updates, u -> u.lease().jobId(), delegate::reportProgress);
  }

  @Override
  public WriteResult complete(List<Completion> completions) {
    completeBatches.add(completions.size());
    check();
    if (completions.stream().anyMatch(refused)) {
      throw new StoreDataException("a row of the batch is too large (test)");
    }
    return passOverLocked(completions, c -> c.lease().jobId(), delegate::complete);
  }

  /** Writes the items whose rows are not "locked"; reports the others busy. */
  private <T> WriteResult passOverLocked(
      List<T> items, Function<T, JobId> id, Function<List<T>, WriteResult> write) {
    Set<JobId> busy = new HashSet<>();
    for (T item : items) {
      JobId each = id.apply(item);
      if (lockedRows.contains(each) || lockedForOneWrite.remove(each)) {
        busy.add(each);
      }
    }
    List<T> free = items.stream().filter(i -> !busy.contains(id.apply(i))).toList();
    WriteResult written = free.isEmpty() ? WriteResult.ALL_WRITTEN : write.apply(free);
    return new WriteResult(written.rejected(), busy);
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
  public HeartbeatResult nodeHeartbeat(String name, String instance, int runningJobs) {
    check();
    if (renewalsDown) {
      throw new StoreException("heartbeat fails (test)");
    }
    awaitGate();
    if (nodeRowLocked) {
      return HeartbeatResult.BUSY;
    }
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
