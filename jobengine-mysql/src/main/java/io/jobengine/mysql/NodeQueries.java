package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.NODE_HEARTBEAT_AT;
import static io.jobengine.mysql.JobTables.NODE_HOST;
import static io.jobengine.mysql.JobTables.NODE_LEASE_MICROS;
import static io.jobengine.mysql.JobTables.NODE_NAME;
import static io.jobengine.mysql.JobTables.NODE_PID;
import static io.jobengine.mysql.JobTables.NODE_QUEUES;
import static io.jobengine.mysql.JobTables.NODE_RUNNING_JOBS;
import static io.jobengine.mysql.JobTables.NODE_STARTED_AT;
import static io.jobengine.mysql.JobTables.NODE_STOPPED_AT;

import io.jobengine.NodeInfo;
import io.jobengine.spi.NodeRegistration;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The node registry: one row per node name. A node's state is decided when it is read, from the
 * database's clock: STOPPED once it deregistered, DEAD when its last heartbeat is older than its
 * lease, else ALIVE. Nothing is ever deleted here; a restarted node replaces its row.
 */
final class NodeQueries {

  /** The host column's length. */
  static final int MAX_HOST_LENGTH = 255;

  private static final Field<Long> READ_STARTED_AT = SqlTime.read(NODE_STARTED_AT);
  private static final Field<Long> READ_HEARTBEAT_AT = SqlTime.read(NODE_HEARTBEAT_AT);
  private static final Field<Long> READ_STOPPED_AT = SqlTime.read(NODE_STOPPED_AT);
  private static final Field<Long> HEARTBEAT_AGE =
      DSL.field(
              "timestampdiff(microsecond, {0}, {1})", SQLDataType.BIGINT, NODE_HEARTBEAT_AT,
              SqlTime.now())
          .as("heartbeat_age_micros");

  private NodeQueries() {}

  /**
   * Replaces the row of a node of that name (a restart), or inserts one. Not {@code INSERT ... ON
   * DUPLICATE KEY UPDATE}: jOOQ renders it for MySQL with a row alias ({@code AS excluded}) that
   * MySQL understands only from 8.0.19, and registration is too rare to need one statement.
   */
  static void register(DSLContext ctx, JobTables t, NodeRegistration node) {
    String host = Texts.truncate(node.host(), MAX_HOST_LENGTH);
    String queues = Json.counts(node.queues());
    long lease = SqlTime.micros(node.leaseDuration());
    if (replace(ctx, t, node, host, queues, lease) == 1) {
      return;
    }
    try {
      ctx.insertInto(t.node)
          .set(NODE_NAME, node.name())
          .set(NODE_HOST, host)
          .set(NODE_PID, node.pid())
          .set(NODE_QUEUES, queues)
          .set(NODE_LEASE_MICROS, lease)
          .set(NODE_RUNNING_JOBS, 0)
          .set(NODE_STARTED_AT, SqlTime.now())
          .set(NODE_HEARTBEAT_AT, SqlTime.now())
          .set(NODE_STOPPED_AT, (LocalDateTime) null)
          .execute();
    } catch (DataAccessException e) {
      // Another process registered the same name in between; the last registration wins.
      if (!StoreErrors.isDuplicateKey(e) || replace(ctx, t, node, host, queues, lease) != 1) {
        throw e;
      }
    }
  }

  private static int replace(
      DSLContext ctx, JobTables t, NodeRegistration node, String host, String queues, long lease) {
    return ctx.update(t.node)
        .set(NODE_HOST, host)
        .set(NODE_PID, node.pid())
        .set(NODE_QUEUES, queues)
        .set(NODE_LEASE_MICROS, lease)
        .set(NODE_RUNNING_JOBS, 0)
        .set(NODE_STARTED_AT, SqlTime.now())
        .set(NODE_HEARTBEAT_AT, SqlTime.now())
        .set(NODE_STOPPED_AT, (LocalDateTime) null)
        .where(NODE_NAME.eq(node.name()))
        .execute();
  }

  /** Records a heartbeat; a name that never registered changes nothing. */
  static void heartbeat(DSLContext ctx, JobTables t, String name, int runningJobs) {
    ctx.update(t.node)
        .set(NODE_HEARTBEAT_AT, SqlTime.now())
        .set(NODE_RUNNING_JOBS, runningJobs)
        .set(NODE_STOPPED_AT, (LocalDateTime) null)
        .where(NODE_NAME.eq(name))
        .execute();
  }

  static void deregister(DSLContext ctx, JobTables t, String name) {
    ctx.update(t.node)
        .set(NODE_STOPPED_AT, SqlTime.now())
        .set(NODE_RUNNING_JOBS, 0)
        .where(NODE_NAME.eq(name))
        .execute();
  }

  static List<NodeInfo> list(DSLContext ctx, JobTables t) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (Record r :
        ctx.select(
                NODE_NAME, NODE_HOST, NODE_PID, NODE_QUEUES, NODE_LEASE_MICROS, NODE_RUNNING_JOBS,
                READ_STARTED_AT, READ_HEARTBEAT_AT, READ_STOPPED_AT, HEARTBEAT_AGE)
            .from(t.node)
            .orderBy(NODE_NAME)
            .fetch()) {
      Duration age = SqlTime.fromMicros(r.get(HEARTBEAT_AGE));
      Duration lease = SqlTime.fromMicros(r.get(NODE_LEASE_MICROS));
      NodeInfo.State state =
          r.get(READ_STOPPED_AT) != null
              ? NodeInfo.State.STOPPED
              : age.compareTo(lease) > 0 ? NodeInfo.State.DEAD : NodeInfo.State.ALIVE;
      nodes.add(
          new NodeInfo(
              r.get(NODE_NAME),
              r.get(NODE_HOST),
              r.get(NODE_PID),
              Json.parseCounts(r.get(NODE_QUEUES)),
              state,
              r.get(NODE_RUNNING_JOBS),
              SqlTime.fromEpochMicros(r.get(READ_STARTED_AT)),
              SqlTime.fromEpochMicros(r.get(READ_HEARTBEAT_AT)),
              age,
              SqlTime.fromEpochMicros(r.get(READ_STOPPED_AT))));
    }
    return List.copyOf(nodes);
  }
}
