package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.ATTEMPT;
import static io.jobengine.mysql.JobTables.CANCEL_REQUESTED;
import static io.jobengine.mysql.JobTables.READ_CREATED_AT;
import static io.jobengine.mysql.JobTables.READ_FINISHED_AT;
import static io.jobengine.mysql.JobTables.ID;
import static io.jobengine.mysql.JobTables.LAST_ERROR;
import static io.jobengine.mysql.JobTables.READ_LEASE_EXPIRES_AT;
import static io.jobengine.mysql.JobTables.LEASE_OWNER;
import static io.jobengine.mysql.JobTables.MAX_ATTEMPTS;
import static io.jobengine.mysql.JobTables.PAYLOAD;
import static io.jobengine.mysql.JobTables.PRIORITY;
import static io.jobengine.mysql.JobTables.PROGRESS_MESSAGE;
import static io.jobengine.mysql.JobTables.PROGRESS_PERCENT;
import static io.jobengine.mysql.JobTables.QUEUE;
import static io.jobengine.mysql.JobTables.READ_RUN_AT;
import static io.jobengine.mysql.JobTables.READ_STARTED_AT;
import static io.jobengine.mysql.JobTables.STATUS;
import static io.jobengine.mysql.JobTables.TIMEOUT_MICROS;
import static io.jobengine.mysql.JobTables.TYPE;
import static io.jobengine.mysql.JobTables.UNIQUE_KEY;
import static io.jobengine.mysql.JobTables.READ_UPDATED_AT;
import static io.jobengine.mysql.JobTables.WARNINGS;

import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobStatus;
import org.jooq.Record;

/** Reads job rows into the API's records. */
final class JobRecordMapper {

  private JobRecordMapper() {}

  /** A row read with {@link JobTables#INFO_COLUMNS}. */
  static JobInfo toInfo(Record r) {
    return new JobInfo(
        JobId.fromBytes(r.get(ID)),
        r.get(TYPE),
        r.get(QUEUE),
        status(r),
        r.get(PRIORITY),
        r.get(PAYLOAD),
        SqlTime.fromEpochMicros(r.get(READ_RUN_AT)),
        r.get(ATTEMPT),
        r.get(MAX_ATTEMPTS),
        SqlTime.fromMicros(r.get(TIMEOUT_MICROS)),
        r.get(UNIQUE_KEY),
        r.get(LEASE_OWNER),
        SqlTime.fromEpochMicros(r.get(READ_LEASE_EXPIRES_AT)),
        Boolean.TRUE.equals(r.get(CANCEL_REQUESTED)),
        r.get(PROGRESS_PERCENT),
        r.get(PROGRESS_MESSAGE),
        Json.parseStrings(r.get(WARNINGS)),
        r.get(LAST_ERROR),
        SqlTime.fromEpochMicros(r.get(READ_CREATED_AT)),
        SqlTime.fromEpochMicros(r.get(READ_STARTED_AT)),
        SqlTime.fromEpochMicros(r.get(READ_FINISHED_AT)),
        SqlTime.fromEpochMicros(r.get(READ_UPDATED_AT)));
  }

  static JobStatus status(Record r) {
    String status = r.get(STATUS);
    try {
      return JobStatus.valueOf(status);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "Job " + JobId.fromBytes(r.get(ID)) + " has status '" + status + "', which this version"
              + " of jobengine does not know; was the row written by a newer version?", e);
    }
  }
}
