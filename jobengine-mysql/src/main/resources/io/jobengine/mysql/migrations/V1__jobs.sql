-- jobengine schema, version 1: jobs, their history, and live nodes.
-- ${prefix} stands for the table prefix (default jobengine_); MySqlJobStore replaces it with the
-- configured prefix, which it has checked against [a-z][a-z0-9_]{0,23}.
-- Times are DATETIME(6) holding UTC, written from UTC_TIMESTAMP(6) by the store.

CREATE TABLE IF NOT EXISTS `${prefix}job` (
  `id`                BINARY(16)    NOT NULL COMMENT 'UUIDv7, big-endian: byte order is time order',
  `queue`             VARCHAR(64)   NOT NULL,
  `type`              VARCHAR(100)  NOT NULL,
  `status`            VARCHAR(16)   NOT NULL COMMENT 'PENDING QUEUED RUNNING TO_CANCEL SUCCESS WARNING FAILURE CANCELED',
  `priority`          INT           NOT NULL COMMENT 'lower runs first',
  `run_at`            DATETIME(6)   NOT NULL COMMENT 'due from (UTC)',
  `attempt`           INT           NOT NULL DEFAULT 0 COMMENT 'attempts started, counted at claim',
  `max_attempts`      INT           NOT NULL,
  `lease_owner`       VARCHAR(100)  NULL COMMENT 'node holding the lease',
  `lease_token`       BIGINT        NOT NULL DEFAULT 0 COMMENT 'fencing token: the number of claims',
  `lease_expires_at`  DATETIME(6)   NULL,
  `cancel_requested`  BOOLEAN       NOT NULL DEFAULT FALSE,
  `payload`           LONGTEXT      NOT NULL COMMENT 'JSON text',
  `warnings`          MEDIUMTEXT    NULL COMMENT 'JSON array of strings',
  `last_error`        TEXT          NULL COMMENT 'at most 8000 characters',
  `progress_percent`  SMALLINT      NULL,
  `progress_message`  VARCHAR(1000) NULL,
  `unique_key`        VARCHAR(200)  NULL,
  `active_unique_key` VARCHAR(200)  GENERATED ALWAYS AS (
                        CASE WHEN `status` IN ('PENDING', 'QUEUED', 'RUNNING', 'TO_CANCEL')
                             THEN `unique_key` END) STORED
                        COMMENT 'unique_key while the job has not ended: one unfinished job per key',
  `timeout_micros`    BIGINT        NULL COMMENT 'per-attempt timeout',
  `created_at`        DATETIME(6)   NOT NULL,
  `started_at`        DATETIME(6)   NULL,
  `finished_at`       DATETIME(6)   NULL,
  `updated_at`        DATETIME(6)   NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `active_unique_key` (`active_unique_key`),
  -- Serves the claim exactly: equality on queue and status, rows in ORDER BY priority, run_at, id.
  KEY `claim` (`queue`, `status`, `priority`, `run_at`, `id`),
  -- Serves the reaper: status IN (leased) AND lease_expires_at < now.
  KEY `lease_expiry` (`status`, `lease_expires_at`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `${prefix}job_event` (
  `id`       BIGINT       NOT NULL AUTO_INCREMENT,
  `job_id`   BINARY(16)   NOT NULL,
  `at`       DATETIME(6)  NOT NULL,
  `attempt`  INT          NOT NULL,
  `status`   VARCHAR(16)  NOT NULL COMMENT 'the job status after the change',
  `node`     VARCHAR(100) NULL,
  `message`  TEXT         NULL,
  PRIMARY KEY (`id`),
  KEY `job` (`job_id`, `id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS `${prefix}node` (
  `name`         VARCHAR(100) NOT NULL,
  `host`         VARCHAR(255) NOT NULL,
  `pid`          BIGINT       NOT NULL,
  `queues`       TEXT         NOT NULL COMMENT 'JSON object: queue name to worker threads',
  `lease_micros` BIGINT       NOT NULL COMMENT 'a node silent for longer than its lease is dead',
  `running_jobs` INT          NOT NULL DEFAULT 0 COMMENT 'jobs held at the last heartbeat',
  `started_at`   DATETIME(6)  NOT NULL,
  `heartbeat_at` DATETIME(6)  NOT NULL,
  `stopped_at`   DATETIME(6)  NULL COMMENT 'set on a clean shutdown',
  PRIMARY KEY (`name`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
