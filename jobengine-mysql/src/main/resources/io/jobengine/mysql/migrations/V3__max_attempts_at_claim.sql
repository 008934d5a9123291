-- jobengine schema, version 3: max_attempts may be NULL until the first claim.
-- A job enqueued without max attempts is stored with NULL; the claim sets the claiming node's
-- handler policy's value (COALESCE), so every client stores the same and the row holds a number
-- from its first claim on. Running it again changes nothing.

ALTER TABLE `${prefix}job`
  MODIFY `max_attempts` INT NULL COMMENT 'NULL until the first claim sets the handler policy''s value';
