-- case-svc schema. The shared tables (idempotency_keys, outbox_events,
-- id_blocks) come from common/db/migrations.
CREATE TABLE IF NOT EXISTS service_info (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
