package io.jobengine.testing;

import io.jobengine.CancelResult;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobNames;
import io.jobengine.JobPage;
import io.jobengine.JobQuery;
import io.jobengine.JobStatus;
import io.jobengine.NodeInfo;
import io.jobengine.PayloadException;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.EnqueueResult;
import io.jobengine.spi.HeartbeatResult;
import io.jobengine.spi.JobPages;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import io.jobengine.spi.LeaseRenewal;
import io.jobengine.spi.NewJob;
import io.jobengine.spi.NodeRegistration;
import io.jobengine.spi.ProgressUpdate;
import io.jobengine.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A {@link JobStore} that keeps its jobs in memory: the quickstart's default store, and a test aid
 * for users who want to test their handlers and engine set-up without a database. Jobs live as
 * long as the store object; nothing is persisted and nothing is shared between JVMs.
 *
 * <pre>{@code
 * SettableClock clock = new SettableClock(Instant.parse("2030-01-01T00:00:00Z"));
 * InMemoryJobStore store = InMemoryJobStore.builder().clock(clock).build();
 * }</pre>
 *
 * <p>It keeps every guarantee of {@link JobStore} and passes the store contract suite. All times
 * come from the injected {@link Clock} (by default {@link Clock#systemUTC()}); inject a {@link
 * SettableClock} to move time in tests. Stored errors are cut to {@value #MAX_ERROR_LENGTH}
 * characters. Where the SPI leaves a case open, this store does as follows (and the contract suite
 * asserts the same of every store):
 *
 * <ul>
 *   <li>A job's fencing token counts its claims: 1 at the first claim, 2 at the second, and so on.
 *   <li>A run time or lease expiry equal to the clock's time counts as come: a job is due when
 *       {@code runAt <= now}, a lease has expired when {@code leaseExpiresAt < now}.
 *   <li>A RETRY or RELEASE completion of a job whose cancel was requested (TO_CANCEL) ends it
 *       CANCELED: the cancel the user asked for is not lost by sending the job back to the queue.
 *       A RETRY keeps its error as the last error.
 *   <li>A job put back by the reaper carries the last error {@code "lease of node <owner> expired
 *       (attempt <n> of <max>)"}; one that has no attempt left ends in FAILURE with that error.
 *   <li>Two jobs with the same unique key in one {@link #enqueue(List)} call: the second reports
 *       the first's id with {@code created = false}. The same holds for two jobs with the same id.
 * </ul>
 *
 * <p>Thread-safe: one lock guards every job, so each method is atomic. A claim scans every job the
 * store holds, and ended jobs are never removed; this store is meant for tests, demos and small
 * workloads (tens of thousands of jobs), not for a long-running production queue.
 */
public final class InMemoryJobStore implements JobStore {

  /**
   * The longest error text kept; a longer error is cut to this length and ends in {@code "...
   * (truncated)"}.
   */
  public static final int MAX_ERROR_LENGTH = 8000;

  private static final String TRUNCATION_MARK = "... (truncated)";

  /** Claim order: priority (lower first), then run time, then id. */
  private static final Comparator<Job> CLAIM_ORDER =
      Comparator.<Job>comparingInt(j -> j.priority)
          .thenComparing(j -> j.runAt)
          .thenComparing(j -> j.id);

  private final Clock clock;
  private final int maxPayloadBytes;

  private final Object lock = new Object();
  /** Every job, in id order (the order of {@link #list}). Guarded by {@link #lock}. */
  private final TreeMap<JobId, Job> jobs = new TreeMap<>();

  private final InMemoryNodeRegistry nodes;
  /** Unique key to the one unfinished job that holds it. Guarded by {@link #lock}. */
  private final Map<String, JobId> uniqueKeyHolders = new HashMap<>();

  private InMemoryJobStore(Builder builder) {
    this.clock = builder.clock;
    this.nodes = new InMemoryNodeRegistry(builder.clock);
    this.maxPayloadBytes = builder.maxPayloadBytes;
  }

  /**
   * An empty store with the system UTC clock and the default payload limit.
   *
   * @return a new store
   */
  public static InMemoryJobStore create() {
    return builder().build();
  }

  /**
   * A builder with the defaults: {@link Clock#systemUTC()} and {@link
   * JobStore#DEFAULT_MAX_PAYLOAD_BYTES}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Every job is checked first (payload within {@link #maxPayloadBytes()}); only then is any
   * written.
   *
   * @throws PayloadException if a payload is over the limit; then no job was written
   */
  @Override
  public List<EnqueueResult> enqueue(List<NewJob> newJobs) {
    Objects.requireNonNull(newJobs, "jobs");
    for (NewJob job : newJobs) {
      Objects.requireNonNull(job, "jobs must not contain null");
      requirePayloadWithinLimit(job);
    }
    synchronized (lock) {
      Instant now = clock.instant();
      List<EnqueueResult> results = new ArrayList<>(newJobs.size());
      for (NewJob job : newJobs) {
        results.add(enqueueOne(job, now));
      }
      return List.copyOf(results);
    }
  }

  private void requirePayloadWithinLimit(NewJob job) {
    // A char is at most 3 UTF-8 bytes (surrogate pairs: 4 bytes for 2 chars); skip the encoding
    // when even that worst case fits.
    if ((long) job.payload().length() * 3 <= maxPayloadBytes) {
      return;
    }
    int bytes = job.payload().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxPayloadBytes) {
      throw new PayloadException(
          "The payload of job " + job.id() + " (type '" + job.type() + "') is " + bytes
              + " bytes of JSON, over this store's limit of " + maxPayloadBytes
              + " bytes; no job of this batch was written. Store large data elsewhere and pass a"
              + " reference");
    }
  }

  private EnqueueResult enqueueOne(NewJob newJob, Instant now) {
    if (jobs.containsKey(newJob.id())) {
      return new EnqueueResult(newJob.id(), false);
    }
    if (newJob.uniqueKey() != null) {
      JobId holder = uniqueKeyHolders.get(newJob.uniqueKey());
      if (holder != null) {
        return new EnqueueResult(holder, false);
      }
      uniqueKeyHolders.put(newJob.uniqueKey(), newJob.id());
    }
    Instant runAt = newJob.runAt() != null ? newJob.runAt() : now.plus(newJob.delay());
    jobs.put(newJob.id(), new Job(newJob, runAt, now));
    return new EnqueueResult(newJob.id(), true);
  }

  @Override
  public List<ClaimedJob> claim(ClaimRequest request) {
    Objects.requireNonNull(request, "request");
    synchronized (lock) {
      Instant now = clock.instant();
      List<Job> due =
          jobs.values().stream()
              .filter(j -> j.status == JobStatus.PENDING)
              .filter(j -> j.queue.equals(request.queue()))
              .filter(j -> request.types().contains(j.type))
              .filter(j -> !j.runAt.isAfter(now))
              .sorted(CLAIM_ORDER)
              .limit(request.limit())
              .toList();
      List<ClaimedJob> claimed = new ArrayList<>(due.size());
      for (Job job : due) {
        job.status = JobStatus.RUNNING;
        job.startedAt = now;
        job.attempt++;
        if (job.maxAttempts == null) {
          job.maxAttempts = request.maxAttemptsOf(job.type);
        }
        job.warnings = List.of(); // a new attempt reports its own warnings
        job.leaseToken++;
        job.leaseOwner = request.owner();
        job.leaseExpiresAt = now.plus(request.leaseDuration());
        job.updatedAt = now;
        claimed.add(
            new ClaimedJob(
                new Lease(job.id, job.leaseOwner, job.leaseToken),
                job.type,
                job.queue,
                job.payload,
                job.attempt,
                job.maxAttempts,
                job.timeout,
                job.priority,
                job.createdAt));
      }
      return List.copyOf(claimed);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Nobody else can lock this store's jobs, so it never reports a job busy.
   */
  @Override
  public WriteResult reportProgress(List<ProgressUpdate> updates) {
    requireNoNulls(updates, "updates");
    return WriteResult.rejected(applyToLiveLeases(
        updates,
        ProgressUpdate::lease,
        (job, update, now) -> {
          if (update.percent() != null) {
            job.progressPercent = update.percent();
            job.progressMessage = update.message();
          }
          job.warnings = update.warnings();
        }));
  }

  /**
   * {@inheritDoc}
   *
   * <p>A RETRY or RELEASE of a job whose cancel was requested ends it CANCELED (see the class
   * documentation). Errors are cut to {@value #MAX_ERROR_LENGTH} characters. Nobody else can lock
   * this store's jobs, so it never reports a job busy.
   */
  @Override
  public WriteResult complete(List<Completion> completions) {
    requireNoNulls(completions, "completions");
    return WriteResult.rejected(
        applyToLiveLeases(completions, Completion::lease, this::applyCompletion));
  }

  private void applyCompletion(Job job, Completion completion, Instant now) {
    boolean cancelRequested = job.status == JobStatus.TO_CANCEL;
    switch (completion.outcome()) {
      case SUCCESS -> {
        job.warnings = List.of();
        end(job, JobStatus.SUCCESS, now);
      }
      case WARNING -> {
        job.warnings = completion.warnings();
        end(job, JobStatus.WARNING, now);
      }
      case FAILURE -> {
        job.lastError = truncate(completion.error());
        end(job, JobStatus.FAILURE, now);
      }
      case CANCELED -> end(job, JobStatus.CANCELED, now);
      case RETRY -> {
        job.lastError = truncate(completion.error());
        if (cancelRequested) {
          end(job, JobStatus.CANCELED, now);
        } else {
          requeue(job, now.plus(completion.retryDelay()), now);
        }
      }
      case RELEASE -> {
        if (cancelRequested) {
          end(job, JobStatus.CANCELED, now);
        } else {
          job.attempt--; // the attempt did not fail: give it back
          requeue(job, now, now);
        }
      }
    }
  }

  /** A change to one job under one write's lease. */
  @FunctionalInterface
  private interface LeaseWrite<T> {
    void apply(Job job, T write, Instant now);
  }

  /**
   * The fencing rule, in one place: applies each write whose lease is live (stamping {@code
   * updatedAt}), and returns the ids of the others, for which nothing was written.
   */
  private <T> Set<JobId> applyToLiveLeases(
      List<T> writes, Function<T, Lease> leaseOf, LeaseWrite<T> write) {
    synchronized (lock) {
      Instant now = clock.instant();
      Set<JobId> rejected = new HashSet<>();
      for (T w : writes) {
        Lease lease = leaseOf.apply(w);
        Job job = liveJob(lease);
        if (job == null) {
          rejected.add(lease.jobId());
          continue;
        }
        write.apply(job, w, now);
        job.updatedAt = now;
      }
      return Set.copyOf(rejected);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Nothing here is ever locked by another transaction, so no lease is {@linkplain
   * LeaseRenewal#skipped() skipped}.
   */
  @Override
  public LeaseRenewal renewLeases(String owner, Collection<Lease> held, Duration leaseDuration) {
    JobNames.requireNode(owner);
    requireNoNulls(held, "held");
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("leaseDuration must be positive, got " + leaseDuration);
    }
    synchronized (lock) {
      Instant now = clock.instant();
      Set<JobId> lost = new HashSet<>();
      Set<JobId> cancelRequested = new HashSet<>();
      for (Lease lease : held) {
        Job job = liveJob(lease);
        // The owner check keeps a lease from being extended by a node that never held it.
        if (job == null || !owner.equals(job.leaseOwner)) {
          lost.add(lease.jobId());
          continue;
        }
        job.leaseExpiresAt = now.plus(leaseDuration);
        job.updatedAt = now;
        if (job.status == JobStatus.TO_CANCEL) {
          cancelRequested.add(job.id);
        }
      }
      return new LeaseRenewal(lost, cancelRequested);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Checks each lease's token and owner.
   */
  @Override
  public Set<JobId> cancelRequests(Collection<Lease> held) {
    requireNoNulls(held, "held");
    synchronized (lock) {
      Set<JobId> requested = new HashSet<>();
      for (Lease lease : held) {
        Job job = liveJob(lease);
        if (job != null && job.status == JobStatus.TO_CANCEL && lease.owner().equals(job.leaseOwner)) {
          requested.add(job.id);
        }
      }
      return Set.copyOf(requested);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Ends every expired lease in one call: there is no lock to pass over and no batch bound.
   */
  @Override
  public int reapExpiredLeases() {
    synchronized (lock) {
      Instant now = clock.instant();
      int changed = 0;
      for (Job job : jobs.values()) {
        if (!job.status.isLeased() || !job.leaseExpiresAt.isBefore(now)) {
          continue;
        }
        changed++;
        if (job.status == JobStatus.TO_CANCEL) {
          end(job, JobStatus.CANCELED, now);
          continue;
        }
        job.lastError =
            "lease of node " + job.leaseOwner + " expired (attempt " + job.attempt + " of "
                + job.maxAttempts + ")";
        if (job.attempt < job.maxAttempts) {
          // Keeps its run time: it was due when claimed, and keeps its place in the queue.
          requeue(job, job.runAt, now);
        } else {
          end(job, JobStatus.FAILURE, now);
        }
      }
      return changed;
    }
  }

  @Override
  public Optional<JobInfo> get(JobId id) {
    Objects.requireNonNull(id, "id");
    synchronized (lock) {
      Job job = jobs.get(id);
      return job == null ? Optional.empty() : Optional.of(job.snapshot());
    }
  }

  @Override
  public JobPage list(JobQuery query) {
    Objects.requireNonNull(query, "query");
    synchronized (lock) {
      Collection<Job> candidates =
          query.after() == null ? jobs.values() : jobs.tailMap(query.after(), false).values();
      List<JobInfo> oneMoreThanLimit = new ArrayList<>();
      for (Job job : candidates) {
        JobInfo info = job.snapshot();
        if (matches(query, info)) {
          oneMoreThanLimit.add(info);
          if (oneMoreThanLimit.size() > query.limit()) {
            break;
          }
        }
      }
      return JobPages.of(oneMoreThanLimit, query.limit());
    }
  }

  /** Whether a job passes the query's filters and comes after its cursor. */
  private static boolean matches(JobQuery query, JobInfo job) {
    return (query.statuses().isEmpty() || query.statuses().contains(job.status()))
        && (query.type() == null || query.type().equals(job.type()))
        && (query.queue() == null || query.queue().equals(job.queue()))
        && (query.after() == null || job.id().compareTo(query.after()) > 0);
  }

  @Override
  public CancelResult cancel(JobId id) {
    Objects.requireNonNull(id, "id");
    synchronized (lock) {
      Job job = jobs.get(id);
      if (job == null) {
        return CancelResult.NOT_FOUND;
      }
      Instant now = clock.instant();
      switch (job.status) {
        case PENDING -> {
          end(job, JobStatus.CANCELED, now);
          return CancelResult.CANCELED;
        }
        case QUEUED, RUNNING -> {
          job.status = JobStatus.TO_CANCEL;
          job.cancelRequested = true;
          job.updatedAt = now;
          return CancelResult.CANCEL_REQUESTED;
        }
        case TO_CANCEL -> {
          return CancelResult.CANCEL_REQUESTED;
        }
        default -> {
          return CancelResult.ALREADY_FINISHED;
        }
      }
    }
  }

  @Override
  public boolean retry(JobId id) {
    Objects.requireNonNull(id, "id");
    synchronized (lock) {
      Job job = jobs.get(id);
      if (job == null
          || (job.status != JobStatus.FAILURE && job.status != JobStatus.CANCELED)) {
        return false;
      }
      if (job.uniqueKey != null) {
        if (uniqueKeyHolders.containsKey(job.uniqueKey)) {
          return false;
        }
        uniqueKeyHolders.put(job.uniqueKey, job.id);
      }
      Instant now = clock.instant();
      job.status = JobStatus.PENDING;
      job.runAt = now;
      job.attempt = 0;
      job.cancelRequested = false;
      job.finishedAt = null;
      job.progressPercent = null;
      job.progressMessage = null;
      job.warnings = List.of();
      job.updatedAt = now;
      return true;
    }
  }

  @Override
  public Optional<NodeInfo> registerNode(NodeRegistration node) {
    return nodes.register(Objects.requireNonNull(node, "node"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never {@link HeartbeatResult#BUSY}: nobody else can lock this store's rows.
   */
  @Override
  public HeartbeatResult nodeHeartbeat(String name, String instance, int runningJobs) {
    return nodes.heartbeat(name, instance, runningJobs)
        ? HeartbeatResult.RECORDED
        : HeartbeatResult.NOT_OWNER;
  }

  @Override
  public void deregisterNode(String name, String instance) {
    nodes.deregister(name, instance);
  }

  @Override
  public List<NodeInfo> nodes() {
    return nodes.list();
  }

  /** Nothing to release; the jobs stay readable. Idempotent. */
  @Override
  public void close() {
    // Holds no resources: no threads, no connections.
  }

  @Override
  public String toString() {
    int size;
    synchronized (lock) {
      size = jobs.size();
    }
    return "InMemoryJobStore[jobs=" + size + ", clock=" + clock + ", maxPayloadBytes="
        + maxPayloadBytes + "]";
  }

  /** Checks a whole batch before any write, so a null element cannot leave it half applied. */
  private static void requireNoNulls(Collection<?> batch, String name) {
    Objects.requireNonNull(batch, name);
    for (Object element : batch) {
      Objects.requireNonNull(element, () -> name + " must not contain null");
    }
  }

  /** The job if {@code lease} is live on it (same token, leased status), else null. */
  private Job liveJob(Lease lease) {
    Job job = jobs.get(lease.jobId());
    if (job == null || job.leaseToken != lease.token() || !job.status.isLeased()) {
      return null;
    }
    return job;
  }

  /** Ends the job in a final status: its lease ends and its unique key is free again. */
  private void end(Job job, JobStatus status, Instant now) {
    job.status = status;
    job.finishedAt = now;
    job.updatedAt = now;
    job.leaseOwner = null;
    job.leaseExpiresAt = null;
    if (job.uniqueKey != null) {
      uniqueKeyHolders.remove(job.uniqueKey, job.id);
    }
  }

  /** Back to PENDING, due at {@code runAt}, with no lease; the token counter stays. */
  private static void requeue(Job job, Instant runAt, Instant now) {
    job.status = JobStatus.PENDING;
    job.runAt = runAt;
    job.updatedAt = now;
    job.leaseOwner = null;
    job.leaseExpiresAt = null;
  }

  private static String truncate(String error) {
    if (error == null || error.length() <= MAX_ERROR_LENGTH) {
      return error;
    }
    return error.substring(0, MAX_ERROR_LENGTH - TRUNCATION_MARK.length()) + TRUNCATION_MARK;
  }

  /** The mutable state of one job. Guarded by the store's lock. */
  private static final class Job {
    final JobId id;
    final String type;
    final String queue;
    final int priority;
    final String payload;
    /** Null until the first claim when the request set none. */
    Integer maxAttempts;
    final Duration timeout;
    final String uniqueKey;
    final Instant createdAt;

    JobStatus status = JobStatus.PENDING;
    Instant runAt;
    int attempt;
    /** The token of the latest claim; 0 before the first. Never goes down. */
    long leaseToken;
    String leaseOwner;
    Instant leaseExpiresAt;
    boolean cancelRequested;
    Integer progressPercent;
    String progressMessage;
    List<String> warnings = List.of();
    String lastError;
    Instant startedAt;
    Instant finishedAt;
    Instant updatedAt;

    Job(NewJob job, Instant runAt, Instant now) {
      this.id = job.id();
      this.type = job.type();
      this.queue = job.queue();
      this.priority = job.priority();
      this.payload = job.payload();
      this.maxAttempts = job.maxAttempts();
      this.timeout = job.timeout();
      this.uniqueKey = job.uniqueKey();
      this.createdAt = now;
      this.runAt = runAt;
      this.updatedAt = now;
    }

    JobInfo snapshot() {
      return new JobInfo(
          id, type, queue, status, priority, payload, runAt, attempt, maxAttempts, timeout,
          uniqueKey, leaseOwner, leaseExpiresAt, cancelRequested, progressPercent, progressMessage,
          warnings, lastError, createdAt, startedAt, finishedAt, updatedAt);
    }
  }

  /** Builds an {@link InMemoryJobStore}; each setter checks its value. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;

    private Builder() {}

    /**
     * @param clock where every time the store writes comes from; a {@link SettableClock} in tests
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * @param maxPayloadBytes the largest payload, in UTF-8 bytes, that {@link #enqueue(List)}
     *     accepts; at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      if (maxPayloadBytes < 1) {
        throw new IllegalArgumentException(
            "maxPayloadBytes must be at least 1, got " + maxPayloadBytes);
      }
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /**
     * @return a new, empty store
     */
    public InMemoryJobStore build() {
      return new InMemoryJobStore(this);
    }
  }
}
