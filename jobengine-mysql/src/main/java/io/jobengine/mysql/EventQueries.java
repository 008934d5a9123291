package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.EVENT_AT;
import static io.jobengine.mysql.JobTables.EVENT_ATTEMPT;
import static io.jobengine.mysql.JobTables.EVENT_JOB_ID;
import static io.jobengine.mysql.JobTables.EVENT_MESSAGE;
import static io.jobengine.mysql.JobTables.EVENT_NODE;
import static io.jobengine.mysql.JobTables.EVENT_STATUS;

import static org.jooq.impl.DSL.val;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import java.time.LocalDateTime;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep6;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Writes the job history ({@code job_event}): one row per status change that the store makes on
 * enqueue, claim, completion, cancel and retry, in the same transaction as the change and as one
 * multi-row INSERT per transaction, so history costs a statement, not a commit. Lease expiries
 * found by the reaper write no history row: the reaper is one conditional UPDATE and does not
 * learn which rows it changed; the job's last error tells of the expiry.
 */
final class EventQueries {

  /** The longest event message kept, in characters. */
  static final int MAX_MESSAGE_LENGTH = 2000;

  private EventQueries() {}

  /**
   * One history row.
   *
   * @param jobId the job
   * @param attempt the job's attempt number after the change
   * @param status the job's status after the change
   * @param node the node that made the change, or null
   * @param message an error or note, or null
   */
  record Event(JobId jobId, int attempt, JobStatus status, String node, String message) {}

  /**
   * One history row per job, copied from the jobs' rows as they are now (their attempt numbers):
   * a history INSERT that needs no read of the jobs first.
   */
  static void copyFromJobs(
      DSLContext ctx, JobTables t, List<byte[]> jobIds, JobStatus status, String node) {
    ctx.insertInto(
            t.jobEvent, EVENT_JOB_ID, EVENT_AT, EVENT_ATTEMPT, EVENT_STATUS, EVENT_NODE,
            EVENT_MESSAGE)
        .select(
            ctx.select(
                    JobTables.ID,
                    SqlTime.now(),
                    JobTables.ATTEMPT,
                    val(status.name()),
                    val(node, EVENT_NODE),
                    DSL.inline((String) null, EVENT_MESSAGE))
                .from(t.job)
                .where(JobTables.ID.in(jobIds)))
        .execute();
  }

  static void insert(DSLContext ctx, JobTables t, List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    InsertValuesStep6<Record, byte[], LocalDateTime, Integer, String, String, String>
        insert =
            ctx.insertInto(
                t.jobEvent, EVENT_JOB_ID, EVENT_AT, EVENT_ATTEMPT, EVENT_STATUS, EVENT_NODE,
                EVENT_MESSAGE);
    for (Event e : events) {
      insert =
          insert.values(
              val(e.jobId().toBytes()),
              SqlTime.now(),
              val(e.attempt()),
              val(e.status().name()),
              val(e.node(), EVENT_NODE),
              val(Texts.truncate(e.message(), MAX_MESSAGE_LENGTH), EVENT_MESSAGE));
    }
    insert.execute();
  }
}
