package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.ACTIVE_UNIQUE_KEY;
import static io.jobengine.mysql.JobTables.ATTEMPT;
import static io.jobengine.mysql.JobTables.CANCEL_REQUESTED;
import static io.jobengine.mysql.JobTables.CREATED_AT;
import static io.jobengine.mysql.JobTables.ID;
import static io.jobengine.mysql.JobTables.LEASE_TOKEN;
import static io.jobengine.mysql.JobTables.MAX_ATTEMPTS;
import static io.jobengine.mysql.JobTables.PAYLOAD;
import static io.jobengine.mysql.JobTables.PRIORITY;
import static io.jobengine.mysql.JobTables.QUEUE;
import static io.jobengine.mysql.JobTables.RUN_AT;
import static io.jobengine.mysql.JobTables.STATUS;
import static io.jobengine.mysql.JobTables.TIMEOUT_MICROS;
import static io.jobengine.mysql.JobTables.TYPE;
import static io.jobengine.mysql.JobTables.UNIQUE_KEY;
import static io.jobengine.mysql.JobTables.UPDATED_AT;
import static org.jooq.impl.DSL.val;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.mysql.EventQueries.Event;
import io.jobengine.spi.EnqueueResult;
import io.jobengine.spi.NewJob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStepN;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.ResultQuery;
import org.jooq.exception.DataAccessException;

/**
 * Writes new jobs, in the store's transaction or in the caller's.
 *
 * <p>Duplicates are found before the insert: a job whose id exists, or whose unique key an
 * unfinished job holds, is reported with the existing job's id and {@code created = false}. The
 * rest go in as multi-row INSERTs. Between the look-up and the insert another transaction may
 * commit the same id or key; the insert then fails with a duplicate-key error, which in MySQL
 * undoes that statement only, and the look-up runs again, now as a locking read so that it sees
 * the latest committed rows whatever the caller's isolation level. No {@code INSERT IGNORE}: it
 * would also turn truncation and other errors into warnings.
 *
 * <p>"At most one unfinished job holds a key" is kept by the database: {@code active_unique_key}
 * is a generated column that equals {@code unique_key} while the status is PENDING, QUEUED,
 * RUNNING or TO_CANCEL and is NULL otherwise, under a UNIQUE index (which allows many NULLs).
 */
final class EnqueueQueries {

  /** Rows per INSERT statement at most. */
  static final int MAX_ROWS_PER_INSERT = 500;

  /** Payload characters per INSERT statement at most, to stay well inside max_allowed_packet. */
  static final long MAX_PAYLOAD_CHARS_PER_INSERT = 4L << 20;

  /** How many times the look-up and insert run when other transactions keep winning the race. */
  static final int MAX_ROUNDS = 5;

  private static final List<Field<?>> INSERT_COLUMNS =
      List.of(
          ID, QUEUE, TYPE, STATUS, PRIORITY, RUN_AT, ATTEMPT, MAX_ATTEMPTS, LEASE_TOKEN,
          CANCEL_REQUESTED, PAYLOAD, UNIQUE_KEY, TIMEOUT_MICROS, CREATED_AT, UPDATED_AT);

  private EnqueueQueries() {}

  /** Writes the jobs that are not duplicates; one result per job, in order. */
  static List<EnqueueResult> enqueue(DSLContext ctx, JobTables t, List<NewJob> jobs) {
    EnqueueResult[] results = new EnqueueResult[jobs.size()];
    for (int round = 1; ; round++) {
      List<Integer> toInsert = resolveDuplicates(ctx, t, jobs, results, round > 1);
      if (toInsert.isEmpty()) {
        break;
      }
      try {
        insert(ctx, t, jobs, toInsert, results);
        break;
      } catch (DataAccessException e) {
        if (!StoreErrors.isDuplicateKey(e) || round >= MAX_ROUNDS) {
          throw e;
        }
        // Another transaction committed the same id or unique key since the look-up: look again.
      }
    }
    return List.of(results);
  }

  /**
   * Fills in the results of duplicates (of existing rows or of earlier jobs in the list) and
   * returns the indexes of the jobs to insert.
   */
  private static List<Integer> resolveDuplicates(
      DSLContext ctx, JobTables t, List<NewJob> jobs, EnqueueResult[] results, boolean locking) {
    List<byte[]> ids = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < jobs.size(); i++) {
      if (results[i] == null) {
        ids.add(jobs.get(i).id().toBytes());
        if (jobs.get(i).uniqueKey() != null) {
          keys.add(jobs.get(i).uniqueKey());
        }
      }
    }
    Set<JobId> existingIds = new HashSet<>();
    for (Record r : maybeLocking(ctx.select(ID).from(t.job).where(ID.in(ids)), locking)) {
      existingIds.add(JobId.fromBytes(r.get(ID)));
    }
    Map<String, JobId> keyHolders = new HashMap<>();
    if (!keys.isEmpty()) {
      for (Record2<byte[], String> r :
          maybeLocking(
              ctx.select(ID, ACTIVE_UNIQUE_KEY).from(t.job).where(ACTIVE_UNIQUE_KEY.in(keys)),
              locking)) {
        keyHolders.put(r.value2(), JobId.fromBytes(r.value1()));
      }
    }
    List<Integer> toInsert = new ArrayList<>();
    Set<JobId> batchIds = new HashSet<>();
    for (int i = 0; i < jobs.size(); i++) {
      if (results[i] != null) {
        continue;
      }
      NewJob job = jobs.get(i);
      if (existingIds.contains(job.id()) || batchIds.contains(job.id())) {
        results[i] = new EnqueueResult(job.id(), false);
        continue;
      }
      JobId holder = job.uniqueKey() == null ? null : keyHolders.get(job.uniqueKey());
      if (holder != null) {
        results[i] = new EnqueueResult(holder, false);
        continue;
      }
      toInsert.add(i);
      batchIds.add(job.id());
      if (job.uniqueKey() != null) {
        keyHolders.put(job.uniqueKey(), job.id()); // a later job of this list with the key
      }
    }
    return toInsert;
  }

  private static <R extends Record> ResultQuery<R> maybeLocking(
      org.jooq.SelectForUpdateStep<R> select, boolean locking) {
    // FOR SHARE (LOCK IN SHARE MODE on MariaDB) reads the latest committed row even in a caller's
    // REPEATABLE READ snapshot; taken only after a duplicate-key error, when a row surely exists.
    return locking ? select.forShare() : select;
  }

  private static void insert(
      DSLContext ctx, JobTables t, List<NewJob> jobs, List<Integer> toInsert,
      EnqueueResult[] results) {
    int from = 0;
    while (from < toInsert.size()) {
      int to = from;
      long chars = 0;
      while (to < toInsert.size()
          && to - from < MAX_ROWS_PER_INSERT
          && (to == from || chars + jobs.get(toInsert.get(to)).payload().length()
              <= MAX_PAYLOAD_CHARS_PER_INSERT)) {
        chars += jobs.get(toInsert.get(to)).payload().length();
        to++;
      }
      List<Integer> chunk = toInsert.subList(from, to);
      InsertValuesStepN<Record> insert = ctx.insertInto(t.job).columns(INSERT_COLUMNS);
      List<Event> events = new ArrayList<>(chunk.size());
      for (int i : chunk) {
        NewJob job = jobs.get(i);
        insert = insert.values(row(job));
        events.add(new Event(job.id(), 0, JobStatus.PENDING, null, null));
      }
      insert.execute();
      EventQueries.insert(ctx, t, events);
      // Only now: if a later chunk fails, these rows are in the transaction and must stay "ours".
      for (int i : chunk) {
        results[i] = new EnqueueResult(jobs.get(i).id(), true);
      }
      from = to;
    }
  }

  private static List<Field<?>> row(NewJob job) {
    Field<java.time.LocalDateTime> runAt =
        job.runAt() != null
            ? SqlTime.at(job.runAt(), "The runAt of job " + job.id())
            : SqlTime.nowPlus(job.delay());
    return Arrays.asList(
        val(job.id().toBytes(), ID),
        val(job.queue(), QUEUE),
        val(job.type(), TYPE),
        val(JobStatus.PENDING.name(), STATUS),
        val(job.priority(), PRIORITY),
        runAt,
        val(0, ATTEMPT),
        val(job.maxAttempts(), MAX_ATTEMPTS),
        val(0L, LEASE_TOKEN),
        val(false, CANCEL_REQUESTED),
        val(job.payload(), PAYLOAD),
        val(job.uniqueKey(), UNIQUE_KEY),
        val(job.timeout() == null ? null : SqlTime.micros(job.timeout()), TIMEOUT_MICROS),
        SqlTime.now(),
        SqlTime.now());
  }
}
