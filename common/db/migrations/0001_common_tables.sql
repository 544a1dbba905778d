-- Tables that every service's database has, used by common/.
-- Times are BIGINT microseconds since the Unix epoch (UTC).

-- Results of mutating RPCs by request_id (common/idempotency.h).
CREATE TABLE IF NOT EXISTS idempotency_keys (
  caller VARCHAR(191) NOT NULL,          -- token subject: ids are scoped per caller
  request_id VARCHAR(128) NOT NULL,
  method VARCHAR(191) NOT NULL,
  request_hash BINARY(32) NOT NULL,      -- SHA-256 of the deterministic request bytes
  response MEDIUMBLOB NULL,              -- serialized response, NULL until the body commits
  created_at_us BIGINT NOT NULL,
  PRIMARY KEY (caller, request_id),
  KEY idx_idempotency_created (created_at_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Transactional outbox (common/outbox.h).
CREATE TABLE IF NOT EXISTS outbox_events (
  id BIGINT NOT NULL AUTO_INCREMENT,
  aggregate_type VARCHAR(64) NOT NULL,
  aggregate_id VARCHAR(128) NOT NULL,
  event_type VARCHAR(128) NOT NULL,
  payload MEDIUMBLOB NOT NULL,
  created_at_us BIGINT NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at_us BIGINT NOT NULL,
  delivered_at_us BIGINT NULL,
  last_error VARCHAR(512) NULL,
  PRIMARY KEY (id),
  KEY idx_outbox_pending (delivered_at_us, id),
  KEY idx_outbox_aggregate (aggregate_type, aggregate_id, delivered_at_us, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Blocks of identifiers handed to processes (common/db/id_allocator.h), so that
-- writers do not all queue on one counter row.
CREATE TABLE IF NOT EXISTS id_blocks (
  sequence_name VARCHAR(64) NOT NULL,
  scope VARCHAR(32) NOT NULL,            -- e.g. the day for per-day case numbers
  next_value BIGINT NOT NULL,
  PRIMARY KEY (sequence_name, scope)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
