package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.NODE_HEARTBEAT_AT;
import static io.jobengine.mysql.JobTables.NODE_HOST;
import static io.jobengine.mysql.JobTables.NODE_INSTANCE;
import static io.jobengine.mysql.JobTables.NODE_LEASE_MICROS;
import static io.jobengine.mysql.JobTables.NODE_NAME;
import static io.jobengine.mysql.JobTables.NODE_PID;
import static io.jobengine.mysql.JobTables.NODE_QUEUES;
import static io.jobengine.mysql.JobTables.NODE_RUNNING_JOBS;
import static io.jobengine.mysql.JobTables.NODE_STARTED_AT;
import static io.jobengine.mysql.JobTables.NODE_STOPPED_AT;

import io.jobengine.NodeInfo;
import io.jobengine.spi.HeartbeatResult;
import io.jobengine.spi.NodeRegistration;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The node registry: one row per node name, owned by the engine instance that registered it last.
 * A node's state is decided when it is read, from the database's clock: STOPPED once it
 * deregistered, DEAD when its last heartbeat is older than its lease, else ALIVE. Another instance
 * takes a row over only when it is not ALIVE; heartbeats and deregistration write only the owner's
 * row. Nothing is ever deleted here.
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
  private static final List<Field<?>> COLUMNS =
      List.of(
          NODE_NAME, NODE_INSTANCE, NODE_HOST, NODE_PID, NODE_QUEUES, NODE_LEASE_MICROS,
          NODE_RUNNING_JOBS, READ_STARTED_AT, READ_HEARTBEAT_AT, READ_STOPPED_AT, HEARTBEAT_AGE);

  private NodeQueries() {}

  /**
   * Registers a node unless a live node of another instance holds its name (see {@link
   * io.jobengine.spi.JobStore#registerNode}); runs in the caller's transaction. The name's row is
   * read {@code FOR UPDATE}, so two instances registering at once decide one after the other (or
   * deadlock on the gap of a missing row, and the store runs the transaction again). Not {@code
   * INSERT ... ON DUPLICATE KEY UPDATE}: jOOQ renders it for MySQL with a row alias that MySQL
   * understands only from 8.0.19, and registration is too rare to need one statement.
   *
   * @return empty if registered, else the live holder
   */
  static Optional<NodeInfo> register(DSLContext ctx, JobTables t, NodeRegistration node) {
    Record row =
        ctx.select(COLUMNS).from(t.node).where(NODE_NAME.eq(node.name())).forUpdate().fetchOne();
    if (row != null && !node.instance().equals(row.get(NODE_INSTANCE))) {
      NodeInfo holder = toInfo(row);
      if (holder.state() == NodeInfo.State.ALIVE) {
        return Optional.of(holder);
      }
    }
    String host = Texts.truncate(node.host(), MAX_HOST_LENGTH);
    String queues = Json.counts(node.queues());
    long lease = SqlTime.micros(node.leaseDuration());
    // One set of values for both: the row of an earlier instance is taken over in place.
    Map<Field<?>, Object> values = new LinkedHashMap<>();
    values.put(NODE_INSTANCE, node.instance());
    values.put(NODE_HOST, host);
    values.put(NODE_PID, node.pid());
    values.put(NODE_QUEUES, queues);
    values.put(NODE_LEASE_MICROS, lease);
    values.put(NODE_RUNNING_JOBS, 0);
    values.put(NODE_STARTED_AT, SqlTime.now());
    values.put(NODE_HEARTBEAT_AT, SqlTime.now());
    values.put(NODE_STOPPED_AT, DSL.val((LocalDateTime) null, NODE_STOPPED_AT));
    if (row != null) {
      ctx.update(t.node).set(values).where(NODE_NAME.eq(node.name())).execute();
    } else {
      values.put(NODE_NAME, node.name());
      ctx.insertInto(t.node).set(values).execute();
    }
    return Optional.empty();
  }

  /**
   * Records a heartbeat of the instance that owns the name's row, without waiting for a lock
   * another transaction holds on the row (an operator's {@code SELECT ... FOR UPDATE}): a locking
   * read with {@code SKIP LOCKED} takes the row if it is this instance's and free, and the UPDATE
   * then writes it by primary key, the instance condition repeated. When the read passes over the
   * row, a plain read tells a locked row of this instance (busy) from another instance's or none.
   * Runs in the caller's transaction: two statements in the common case, three when locked.
   */
  static HeartbeatResult heartbeat(DSLContext ctx, JobTables t, String name, String instance,
      int runningJobs) {
    Condition mine = NODE_NAME.eq(name).and(NODE_INSTANCE.eq(instance));
    boolean locked =
        ctx.fetchExists(ctx.select(NODE_NAME).from(t.node).where(mine).forUpdate().skipLocked());
    if (!locked) {
      return ctx.fetchExists(ctx.selectOne().from(t.node).where(mine))
          ? HeartbeatResult.BUSY
          : HeartbeatResult.NOT_OWNER;
    }
    int n =
        ctx.update(t.node)
            .set(NODE_HEARTBEAT_AT, SqlTime.now())
            .set(NODE_RUNNING_JOBS, runningJobs)
            .set(NODE_STOPPED_AT, (LocalDateTime) null)
            .where(mine)
            .execute();
    return n == 1 ? HeartbeatResult.RECORDED : HeartbeatResult.NOT_OWNER;
  }

  /** Marks the node stopped, if {@code instance} owns its row. */
  static void deregister(DSLContext ctx, JobTables t, String name, String instance) {
    ctx.update(t.node)
        .set(NODE_STOPPED_AT, SqlTime.now())
        .set(NODE_RUNNING_JOBS, 0)
        .where(NODE_NAME.eq(name).and(NODE_INSTANCE.eq(instance)))
        .execute();
  }

  static List<NodeInfo> list(DSLContext ctx, JobTables t) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (Record r : ctx.select(COLUMNS).from(t.node).orderBy(NODE_NAME).fetch()) {
      nodes.add(toInfo(r));
    }
    return List.copyOf(nodes);
  }

  private static NodeInfo toInfo(Record r) {
    Duration age = SqlTime.fromMicros(r.get(HEARTBEAT_AGE));
    Duration lease = SqlTime.fromMicros(r.get(NODE_LEASE_MICROS));
    NodeInfo.State state =
        r.get(READ_STOPPED_AT) != null
            ? NodeInfo.State.STOPPED
            : age.compareTo(lease) > 0 ? NodeInfo.State.DEAD : NodeInfo.State.ALIVE;
    return new NodeInfo(
        r.get(NODE_NAME),
        r.get(NODE_HOST),
        r.get(NODE_PID),
        Json.parseCounts(r.get(NODE_QUEUES)),
        state,
        r.get(NODE_RUNNING_JOBS),
        SqlTime.fromEpochMicros(r.get(READ_STARTED_AT)),
        SqlTime.fromEpochMicros(r.get(READ_HEARTBEAT_AT)),
        age,
        SqlTime.fromEpochMicros(r.get(READ_STOPPED_AT)));
  }
}
