package io.jobengine.spi;

/** What {@link JobStore#nodeHeartbeat} did with a node's heartbeat. */
public enum HeartbeatResult {
  /** The heartbeat was recorded. */
  RECORDED,
  /**
   * Not recorded, because another transaction held the node's row locked (an operator's {@code
   * SELECT ... FOR UPDATE}): the store passed over it instead of waiting for the lock. The row is
   * still this instance's; a later heartbeat tries again. Not a failure of the store.
   */
  BUSY,
  /**
   * Not recorded: the name's row belongs to another instance (it took the name over after this
   * one's heartbeats went stale), or there is none.
   */
  NOT_OWNER
}
