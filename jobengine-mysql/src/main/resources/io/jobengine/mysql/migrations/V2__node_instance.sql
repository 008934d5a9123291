-- jobengine schema, version 2: the engine instance that owns a node's row.
-- A node name has one row; each start of an engine is a new instance (a random id) that takes the
-- row only when the row's node stopped or its heartbeat went stale, and heartbeats and the
-- deregistration of the node write the row only where this column is theirs: two engines started
-- under one name never share a row. NULL in rows written before this version.

ALTER TABLE `${prefix}node`
  ADD COLUMN `instance` VARCHAR(64) NULL COMMENT 'the engine instance that owns the row' AFTER `name`;
