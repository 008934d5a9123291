-- The migrations applied to this set of jobengine tables, one row per version.
CREATE TABLE IF NOT EXISTS `${prefix}schema_version` (
  `version`      INT          NOT NULL,
  `description`  VARCHAR(200) NOT NULL,
  `installed_at` DATETIME(6)  NOT NULL,
  PRIMARY KEY (`version`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
