package io.jobengine.mysql;

import io.jobengine.CancelResult;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobNames;
import io.jobengine.JobPage;
import io.jobengine.JobQuery;
import io.jobengine.NodeInfo;
import io.jobengine.PayloadException;
import io.jobengine.StoreException;
import io.jobengine.mysql.ServerCheck.ServerVersion;
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
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * The production {@link JobStore}: jobs in MySQL 8.0+ or MariaDB 10.6+.
 *
 * <pre>{@code
 * JobStore store = MySqlJobStore.builder()
 *     .jdbcUrl("jdbc:mysql://db:3306/app", "app", password)   // or .dataSource(hostDataSource)
 *     .build();
 * }</pre>
 *
 * <p>At {@link Builder#build()} the store checks the server (version, {@code SKIP LOCKED}), then
 * creates or upgrades its tables under a named lock, or, with {@code autoMigrate(false)}, checks
 * that someone else has (see docs/mysql-schema.md). Every time it writes comes from the
 * database's {@code UTC_TIMESTAMP(6)}; the JVM clock and the session time zone play no part.
 *
 * <p><b>Transactional enqueue.</b> {@link #enqueue(Connection, NewJob)} (reached through {@code
 * JobClient.enqueue(connection, request)}) writes the job with the caller's connection, in the
 * caller's transaction: the job exists if and only if the caller commits. The connection must be
 * to the store's database; the store neither commits nor closes it. With jOOQ:
 *
 * <pre>{@code
 * dsl.transaction(tx -> {
 *   tx.dsl().insertInto(ORDERS).set(...).execute();
 *   tx.dsl().connection(c -> client.enqueue(c, JobRequest.of("send-receipt", receipt)));
 * });
 * }</pre>
 *
 * <p>Database failures surface as {@link StoreException}s naming the operation and the job;
 * deadlocks and lock-wait timeouts are retried inside the store first. Payloads are never logged.
 * Thread-safe.
 */
public final class MySqlJobStore implements JobStore {

  /** The table prefix unless one is set. */
  public static final String DEFAULT_TABLE_PREFIX = "jobengine_";

  /** Connections in the store's own pool unless set. */
  public static final int DEFAULT_POOL_SIZE = 5;

  /** The largest pool the builder accepts. */
  public static final int MAX_POOL_SIZE = 100;

  /** How long a busy node's claims may resume before reading the queue from its start again. */
  public static final Duration DEFAULT_CLAIM_RESCAN_INTERVAL = ClaimMemory.RESCAN_INTERVAL;

  /** The longest claim rescan interval the builder accepts, in seconds. */
  public static final int MAX_CLAIM_RESCAN_SECONDS = 10;

  /** The largest payload limit the builder accepts: 64 MiB. */
  public static final int MAX_PAYLOAD_LIMIT = 64 << 20;

  private final Db db;
  private final JobTables tables;
  /** The store's own pools, or null with a host DataSource. */
  private final ConnectionPools.Own ownPools;
  private final int maxPayloadBytes;
  private final ServerVersion server;
  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final JobClaimer claimer;
  private final CompletionWriter completer;

  private MySqlJobStore(
      StoreStartup.Started started, JobTables tables, int maxPayloadBytes, ClaimMemory claims) {
    this.db = started.db();
    this.tables = tables;
    this.ownPools = started.pools();
    this.maxPayloadBytes = maxPayloadBytes;
    this.server = started.server();
    this.description = started.description();
    this.claimer = new JobClaimer(db, tables, claims);
    this.completer = new CompletionWriter(db, tables);
  }

  /**
   * A builder; give it either {@link Builder#dataSource(DataSource)} or {@link
   * Builder#jdbcUrl(String, String, String)}.
   *
   * @return a new builder with the defaults
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
   * <p>One transaction, multi-row INSERTs. Payload sizes and run times are checked before any SQL.
   *
   * @throws PayloadException if a payload is over {@link #maxPayloadBytes()}; nothing was written
   * @throws IllegalArgumentException if a run time is outside what a DATETIME column holds
   */
  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    Objects.requireNonNull(jobs, "jobs");
    requireOpen();
    if (jobs.isEmpty()) {
      return List.of();
    }
    jobs.forEach(this::check);
    List<NewJob> copy = List.copyOf(jobs);
    List<EnqueueResult> results =
        db.inTransaction(
            "enqueue " + copy.size() + (copy.size() == 1 ? " job" : " jobs"),
            copy.size() == 1 ? copy.get(0).id() : null,
            ctx -> EnqueueQueries.enqueue(ctx, tables, copy));
    copy.forEach(claimer::enqueued);
    return results;
  }

  /**
   * {@inheritDoc}
   *
   * <p>A deadlock here has rolled back the caller's transaction, so nothing is retried: the
   * {@link StoreException} tells the caller to run its transaction again.
   *
   * @throws PayloadException if the payload is over {@link #maxPayloadBytes()}
   * @throws StoreException if the write failed; the caller should roll back
   */
  @Override
  public EnqueueResult enqueue(Connection connection, NewJob job) {
    Objects.requireNonNull(connection, "connection");
    requireOpen();
    check(job);
    try {
      EnqueueResult result = EnqueueQueries.enqueue(db.using(connection), tables, List.of(job)).get(0);
      claimer.enqueued(job);
      return result;
    } catch (RuntimeException e) {
      throw StoreErrors.translate("enqueue a job in the caller's transaction", job.id(), e, 1);
    }
  }

  private void check(NewJob job) {
    Objects.requireNonNull(job, "jobs must not contain null");
    String payload = job.payload();
    if ((long) payload.length() * 3 > maxPayloadBytes) {
      int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxPayloadBytes) {
        throw new PayloadException(
            "The payload of job " + job.id() + " (type '" + job.type() + "') is " + bytes
                + " bytes of JSON, over this store's limit of " + maxPayloadBytes
                + " bytes; nothing was written. Store large data elsewhere and pass a reference");
      }
    }
    if (job.runAt() != null) {
      SqlTime.requireStorable(job.runAt(), "The runAt of job " + job.id());
    }
    SqlTime.micros(job.delay());
  }

  /**
   * {@inheritDoc}
   *
   * <p>When the last claim of the same owner and queue found nothing, a plain read (no locks, no
   * transaction) first checks that some job is due; only then is the claim transaction run. An
   * idle node thus costs one statement per poll instead of a transaction's four, and a busy one
   * nothing extra.
   *
   * <p>While a claimer works through a backlog (its last claim filled its limit), its next claim
   * resumes at the last job it got instead of reading the queue from its start, where InnoDB keeps
   * the entries of jobs that just left PENDING until its purge removes them; it reads the whole
   * queue again at least every {@link Builder#claimRescanInterval} (100 ms unless set). A job that
   * sorts before that point (a higher priority, an earlier run time, a job put back by the reaper)
   * may thus be claimed up to that much later than strict order says, unless this store enqueued or put it back itself:
   * then the next claim reads from the start. Measured in docs/performance.md.
   */
  @Override
  public List<ClaimedJob> claim(ClaimRequest request) {
    Objects.requireNonNull(request, "request");
    requireOpen();
    return claimer.claim(request);
  }

  @Override
  public WriteResult reportProgress(List<ProgressUpdate> updates) {
    List<ProgressUpdate> copy = List.copyOf(Objects.requireNonNull(updates, "updates"));
    requireOpen();
    if (copy.isEmpty()) {
      return WriteResult.ALL_WRITTEN;
    }
    requireOnePerJob(copy.stream().map(u -> u.lease().jobId()).toList(), "progress updates");
    return db.inTransaction(
        "write the progress of " + copy.size() + " job(s)", single(copy, u -> u.lease().jobId()),
        ctx -> CompletionQueries.reportProgress(ctx, tables, copy));
  }

  @Override
  public WriteResult complete(List<Completion> completions) {
    List<Completion> copy = List.copyOf(Objects.requireNonNull(completions, "completions"));
    requireOpen();
    if (copy.isEmpty()) {
      return WriteResult.ALL_WRITTEN;
    }
    requireOnePerJob(copy.stream().map(c -> c.lease().jobId()).toList(), "completions");
    return completer.complete(copy, single(copy, c -> c.lease().jobId()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>See {@link TransactionalCompletion}. Nothing is retried: a deadlock has rolled back the
   * caller's transaction.
   *
   * @throws StoreException if the write failed; the caller should roll back
   */
  @Override
  public boolean completeInTransaction(Connection connection, Completion completion) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(completion, "completion");
    requireOpen();
    return TransactionalCompletion.complete(db, tables, connection, completion);
  }

  @Override
  public boolean completionLanded(Completion completion) {
    Objects.requireNonNull(completion, "completion");
    requireOpen();
    return db.inTransaction(
        "re-read a job completed in a handler's transaction", completion.lease().jobId(),
        ctx -> TransactionalCompletion.landed(ctx, tables, completion));
  }

  @Override
  public LeaseRenewal renewLeases(String owner, Collection<Lease> held, Duration leaseDuration) {
    JobNames.requireNode(owner);
    Objects.requireNonNull(held, "held");
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("leaseDuration must be positive, got " + leaseDuration);
    }
    requireOpen();
    List<Lease> copy = List.copyOf(held);
    if (copy.isEmpty()) {
      return new LeaseRenewal(Set.of(), Set.of());
    }
    return db.inTransaction(
        "renew " + copy.size() + " lease(s) of node '" + owner + "'", null,
        ctx -> LeaseQueries.renew(ctx, tables, owner, copy, leaseDuration));
  }

  @Override
  public int reapExpiredLeases() {
    requireOpen();
    int reaped = db.inTransaction("reap expired leases", null, ctx -> LeaseQueries.reap(ctx, tables));
    if (reaped > 0) {
      claimer.putBack();
    }
    return reaped;
  }

  @Override
  public Set<JobId> cancelRequests(Collection<Lease> held) {
    List<Lease> copy = List.copyOf(Objects.requireNonNull(held, "held"));
    requireOpen();
    return copy.isEmpty() ? Set.of() : db.single(
        "read the cancel requests of " + copy.size() + " job(s)", null,
        ctx -> LeaseQueries.cancelRequests(ctx, tables, copy));
  }

  @Override
  public Optional<JobInfo> get(JobId id) {
    Objects.requireNonNull(id, "id");
    requireOpen();
    return db.inTransaction("read a job", id, ctx -> JobQueries.get(ctx, tables, id));
  }

  @Override
  public JobPage list(JobQuery query) {
    Objects.requireNonNull(query, "query");
    requireOpen();
    return db.inTransaction("list jobs", null, ctx -> JobQueries.list(ctx, tables, query));
  }

  @Override
  public CancelResult cancel(JobId id) {
    Objects.requireNonNull(id, "id");
    requireOpen();
    return db.inTransaction("cancel a job", id, ctx -> JobQueries.cancel(ctx, tables, id));
  }

  @Override
  public boolean retry(JobId id) {
    Objects.requireNonNull(id, "id");
    requireOpen();
    return db.inTransaction("retry a job", id, ctx -> JobQueries.retry(ctx, tables, id));
  }

  @Override
  public Optional<NodeInfo> registerNode(NodeRegistration node) {
    Objects.requireNonNull(node, "node");
    requireOpen();
    return db.inTransaction(
        "register node '" + node.name() + "'", null, ctx -> NodeQueries.register(ctx, tables, node));
  }

  @Override
  public HeartbeatResult nodeHeartbeat(String name, String instance, int runningJobs) {
    JobNames.requireNode(name);
    NodeRegistration.requireInstance(instance);
    requireOpen();
    return db.inTransaction(
        "record the heartbeat of node '" + name + "'", null,
        ctx -> NodeQueries.heartbeat(ctx, tables, name, instance, runningJobs));
  }

  @Override
  public void deregisterNode(String name, String instance) {
    JobNames.requireNode(name);
    NodeRegistration.requireInstance(instance);
    requireOpen();
    db.inTransaction(
        "deregister node '" + name + "'", null,
        ctx -> {
          NodeQueries.deregister(ctx, tables, name, instance);
          return null;
        });
  }

  @Override
  public List<NodeInfo> nodes() {
    requireOpen();
    return db.inTransaction("list nodes", null, ctx -> NodeQueries.list(ctx, tables));
  }

  /** Closes the store's own pool, if it made one; a host's DataSource is left open. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownPools != null) {
      ownPools.close();
    }
  }

  @Override
  public String toString() {
    return "MySqlJobStore[" + description + "]";
  }

  /** The tables, for tests in this package. */
  JobTables tables() {
    return tables;
  }

  /** The database access, for tests in this package. */
  Db db() {
    return db;
  }

  /** What the store remembers of claims, for tests in this package. */
  ClaimMemory claimMemory() {
    return claimer.memory();
  }

  /** The server found at start, for tests in this package. */
  ServerVersion server() {
    return server;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  private static <T> JobId single(List<T> items, java.util.function.Function<T, JobId> id) {
    return items.size() == 1 ? id.apply(items.get(0)) : null;
  }

  private static void requireOnePerJob(List<JobId> ids, String what) {
    Set<JobId> seen = new HashSet<>();
    for (JobId id : ids) {
      if (!seen.add(id)) {
        throw new IllegalArgumentException("Two " + what + " for job " + id + "; give at most one");
      }
    }
  }

  /**
   * Builds a {@link MySqlJobStore}; each setter checks its value and names a bad one. Not
   * thread-safe; {@link #build()} may be called more than once and leaves the builder as it is.
   */
  public static final class Builder {
    private DataSource dataSource;
    private String jdbcUrl;
    private String user;
    private String password;
    private Integer poolSize;
    private final Map<String, String> driverProperties = new LinkedHashMap<>();
    private String tablePrefix = DEFAULT_TABLE_PREFIX;
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private boolean autoMigrate = true;
    private LongSupplier nanoTime = System::nanoTime;
    private Duration claimRescanInterval = DEFAULT_CLAIM_RESCAN_INTERVAL;

    private Builder() {}

    /**
     * Uses the host application's DataSource. Its connections must reach the database that holds
     * (or will hold) the store's tables; the store sets READ COMMITTED on each of its own
     * transactions and never closes the DataSource. Excludes {@link #jdbcUrl}.
     *
     * @param dataSource the DataSource
     * @return this builder
     * @throws IllegalStateException if a JDBC URL was given
     */
    public Builder dataSource(DataSource dataSource) {
      Objects.requireNonNull(dataSource, "dataSource must not be null");
      if (jdbcUrl != null) {
        throw new IllegalStateException(
            "A JDBC URL (" + ConnectionPools.redact(jdbcUrl) + ") is already set; give either"
                + " dataSource(...) or jdbcUrl(...), not both");
      }
      this.dataSource = dataSource;
      return this;
    }

    /**
     * Lets the store open its own small HikariCP pool (READ COMMITTED, hardened Connector/J
     * settings). Excludes {@link #dataSource}.
     *
     * <p>The URL may not set, whatever the value, in its query string or in its host properties
     * ({@code (host=h,key=value)}, {@code address=(...)(key=value)}), names in any case, a
     * Connector/J option that:
     *
     * <ul>
     *   <li>loads classes it names: {@code queryInterceptors}, {@code statementInterceptors},
     *       {@code exceptionInterceptors}, {@code connectionLifecycleInterceptors}, {@code
     *       authenticationPlugins}, {@code defaultAuthenticationPlugin}, {@code socketFactory},
     *       {@code clientInfoProvider}, {@code propertiesTransform}, {@code
     *       loadBalanceExceptionChecker}, {@code loadBalanceSQLExceptionSubclassFailover}, {@code
     *       ha.loadBalanceStrategy}, {@code loadBalanceStrategy}, {@code profilerEventHandler},
     *       {@code logger}, {@code queryInfoCacheFactory}, {@code parseInfoCacheFactory}, {@code
     *       serverConfigCacheFactory}, the authentication callback handlers ({@code
     *       authentication*CallbackHandler}), {@code xdevapi.compression-extensions};
     *   <li>reads local files or fetches URLs: {@code allowLoadLocalInfile}, {@code
     *       allowLoadLocalInfileInPath}, {@code allowUrlInLocalInfile}, {@code
     *       serverRSAPublicKeyFile}, {@code trustCertificateKeyStoreUrl}, {@code
     *       clientCertificateKeyStoreUrl}, {@code xdevapi.ssl-keystore}, {@code
     *       xdevapi.ssl-truststore}, {@code ociConfigFile}, {@code idTokenFile}, {@code
     *       namedPipePath}, {@code path}, {@code useConfigs};
     *   <li>deserializes: {@code autoDeserialize};
     *   <li>puts SQL with its bound values (payloads) into logs or messages: {@code profileSQL},
     *       {@code traceProtocol}, {@code logSlowQueries}, {@code autoGenerateTestcaseScript},
     *       {@code dumpQueriesOnException}, {@code enablePacketDebug};
     *   <li>undoes the store's settings: {@code autoReconnect}, {@code autoReconnectForPools},
     *       {@code allowMultiQueries}.
     * </ul>
     *
     * A URL is configuration that more people can change than the code, so it must not be able
     * to make the JVM run or read anything. Whoever needs such an option sets it in code with
     * {@link #driverProperty}, or configures a DataSource and passes it to {@link #dataSource}. TLS
     * with key stores of one's own also works through the JVM's {@code javax.net.ssl.*}
     * properties ({@code fallbackToSystemKeyStore} and {@code fallbackToSystemTrustStore}, which
     * are allowed in the URL).
     *
     * @param jdbcUrl a Connector/J URL naming the database, e.g. {@code jdbc:mysql://db:3306/app}
     * @param user the database user
     * @param password the password; empty for none
     * @return this builder
     * @throws IllegalArgumentException if the URL is not a {@code jdbc:mysql:} URL or sets one of
     *     the options above (the message names it), or the user is blank
     * @throws IllegalStateException if a DataSource was given
     */
    public Builder jdbcUrl(String jdbcUrl, String user, String password) {
      ConnectionPools.requireUrl(jdbcUrl);
      if (user == null || user.isBlank()) {
        throw new IllegalArgumentException(
            "The database user is " + (user == null ? "null" : "blank") + "; give one");
      }
      Objects.requireNonNull(password, "password must not be null (give \"\" for none)");
      if (dataSource != null) {
        throw new IllegalStateException(
            "A DataSource (" + dataSource.getClass().getName() + ") is already set; give either"
                + " dataSource(...) or jdbcUrl(...), not both");
      }
      this.jdbcUrl = jdbcUrl;
      this.user = user;
      this.password = password;
      return this;
    }

    /**
     * @param poolSize connections in the store's own pool, from 1 to {@value #MAX_POOL_SIZE};
     *     {@value #DEFAULT_POOL_SIZE} unless set. Only with {@link #jdbcUrl}.
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder poolSize(int poolSize) {
      if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
        throw new IllegalArgumentException(
            "poolSize must be between 1 and " + MAX_POOL_SIZE + ", got " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /**
     * Sets a Connector/J property on the store's own connections, in code. Options a {@link
     * #jdbcUrl} may not carry (interceptors, socket factories, key store URLs...) are for code to
     * set, which is reviewed as the application is, not for configuration; for example a {@code
     * queryInterceptors} class that counts statements. Only with {@link #jdbcUrl}.
     *
     * @param name the property's name, e.g. {@code queryInterceptors}; not one the store sets
     *     itself (autoDeserialize, allowLoadLocalInfile, allowLoadLocalInfileInPath,
     *     allowUrlInLocalInfile, autoReconnect, autoReconnectForPools, allowMultiQueries,
     *     characterEncoding, connectTimeout, socketTimeout, sessionVariables, tcpKeepAlive,
     *     useLocalSessionState, user, password)
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or one the store sets itself
     */
    public Builder driverProperty(String name, String value) {
      ConnectionPools.requireCodeProperty(name);
      Objects.requireNonNull(value, "value must not be null");
      driverProperties.put(name.trim(), value);
      return this;
    }

    /**
     * @param tablePrefix put before every table name; lower-case letters, digits and underscores,
     *     starting with a letter, at most 24 characters, not empty; {@value #DEFAULT_TABLE_PREFIX}
     *     unless set
     * @return this builder
     * @throws IllegalArgumentException if it breaks that pattern
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = JobTables.requirePrefix(tablePrefix);
      return this;
    }

    /**
     * @param maxPayloadBytes the largest payload in UTF-8 bytes, from 1 to {@value
     *     #MAX_PAYLOAD_LIMIT}; {@link JobStore#DEFAULT_MAX_PAYLOAD_BYTES} unless set. The server's
     *     {@code max_allowed_packet} must leave room for it, which {@link #build()} checks.
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      if (maxPayloadBytes < 1 || maxPayloadBytes > MAX_PAYLOAD_LIMIT) {
        throw new IllegalArgumentException(
            "maxPayloadBytes must be between 1 and " + MAX_PAYLOAD_LIMIT + ", got "
                + maxPayloadBytes);
      }
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /**
     * @param autoMigrate true (the default) to create and upgrade the tables at start; false to
     *     only check that they are at the version this code needs, for teams that apply the DDL
     *     of docs/mysql-schema.md themselves
     * @return this builder
     */
    public Builder autoMigrate(boolean autoMigrate) {
      this.autoMigrate = autoMigrate;
      return this;
    }

    /**
     * How long a node working through a backlog may resume its claims where the last one ended
     * before it reads the queue from its start again (see {@link MySqlJobStore#claim}). Resuming
     * saves each claim a walk over the index entries InnoDB has not purged yet; the cost is that
     * a job another node enqueues ahead of the backlog (a more urgent priority, or a run time in
     * the past) may be claimed up to this much later than strict order says. Zero never resumes:
     * strict order, slower claims under load.
     *
     * @param interval from zero to {@value #MAX_CLAIM_RESCAN_SECONDS} seconds; {@link
     *     #DEFAULT_CLAIM_RESCAN_INTERVAL} unless set
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder claimRescanInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.compareTo(Duration.ofSeconds(MAX_CLAIM_RESCAN_SECONDS)) > 0) {
        throw new IllegalArgumentException(
            "claimRescanInterval must be between 0 and " + MAX_CLAIM_RESCAN_SECONDS
                + " seconds, got " + interval);
      }
      this.claimRescanInterval = interval;
      return this;
    }

    /** The monotonic clock the claim memory uses; for tests in this package. */
    Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Connects, checks the server, migrates (or checks) the schema, and returns the store.
     *
     * @return the store
     * @throws IllegalStateException if neither a DataSource nor a JDBC URL was given, or a pool
     *     size was given with a DataSource
     * @throws StoreException if the server cannot be reached, is too old, refuses the user, or
     *     the schema is missing (with migration off) or newer than this code
     */
    public MySqlJobStore build() {
      if (dataSource == null && jdbcUrl == null) {
        throw new IllegalStateException(
            "No database given: call dataSource(...) or jdbcUrl(url, user, password)");
      }
      if (dataSource != null && !driverProperties.isEmpty()) {
        throw new IllegalStateException(
            "driverProperty(...) " + driverProperties.keySet() + " applies only to the store's"
                + " own pool (jdbcUrl(...)); set them on the host's DataSource instead");
      }
      if (dataSource != null && poolSize != null) {
        throw new IllegalStateException(
            "poolSize(" + poolSize + ") applies only to the store's own pool (jdbcUrl(...)); the"
                + " host's DataSource has its own size");
      }
      JobTables tables = new JobTables(tablePrefix);
      StoreStartup.Started started =
          StoreStartup.start(
              new StoreStartup.Config(
                  dataSource, jdbcUrl, user, password,
                  poolSize == null ? DEFAULT_POOL_SIZE : poolSize, Map.copyOf(driverProperties),
                  tables, maxPayloadBytes,
                  autoMigrate));
      return new MySqlJobStore(
          started, tables, maxPayloadBytes, new ClaimMemory(nanoTime, claimRescanInterval));
    }

    @Override
    public String toString() {
      List<String> parts = new ArrayList<>();
      if (dataSource != null) {
        parts.add("dataSource=" + dataSource.getClass().getName());
      }
      if (jdbcUrl != null) {
        parts.add("jdbcUrl=" + ConnectionPools.redact(jdbcUrl));
        parts.add("user=" + user);
        parts.add("password=" + (password.isEmpty() ? "(empty)" : "***"));
      }
      if (poolSize != null) {
        parts.add("poolSize=" + poolSize);
      }
      if (!driverProperties.isEmpty()) {
        parts.add("driverProperties=" + driverProperties.keySet());
      }
      parts.add("tablePrefix=" + tablePrefix);
      parts.add("maxPayloadBytes=" + maxPayloadBytes);
      parts.add("autoMigrate=" + autoMigrate);
      return "MySqlJobStore.Builder" + parts;
    }
  }
}
