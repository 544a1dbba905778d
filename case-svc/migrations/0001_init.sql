-- case-svc schema. The shared tables (idempotency_keys, outbox_events,
-- id_blocks) come from common/db/migrations.
CREATE TABLE IF NOT EXISTS service_info (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Admin cases. Times are BIGINT microseconds since the Unix epoch (UTC);
-- enums are stored by their aftercare.cases.v1 number. breach_at_us is the
-- response due time while the SLA clock runs on an open case without a
-- first response (NULL otherwise): breaching = breach_at_us < now.
CREATE TABLE IF NOT EXISTS cases (
  id CHAR(15) NOT NULL,
  request_type TINYINT NOT NULL,
  sub_type VARCHAR(100) NOT NULL,
  priority TINYINT NOT NULL,
  status TINYINT NOT NULL,
  follow_up TINYINT NOT NULL,
  callback_phone VARCHAR(20) NOT NULL,
  summary VARCHAR(200) NOT NULL,
  description MEDIUMTEXT NOT NULL,
  serial VARCHAR(40) NOT NULL,
  ssrn VARCHAR(32) NOT NULL,
  product_series VARCHAR(100) NOT NULL,
  product_platform VARCHAR(100) NOT NULL,
  lookup_state TINYINT NOT NULL,
  account_id VARCHAR(64) NOT NULL,
  opened_by VARCHAR(128) NOT NULL,
  owner VARCHAR(128) NOT NULL,
  escalation_level INT NOT NULL,
  team_lead_attention TINYINT NOT NULL,
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  sla_due_us BIGINT NULL,
  sla_paused_at_us BIGINT NULL,
  sla_remaining_us BIGINT NOT NULL,
  first_response_us BIGINT NULL,
  breach_at_us BIGINT NULL,
  mis_shipment MEDIUMBLOB NULL,
  reinstatement TINYINT NOT NULL,
  resolution TEXT NOT NULL,
  resolved_at_us BIGINT NULL,
  closed_at_us BIGINT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY idx_cases_created (created_at_us, id),
  KEY idx_cases_status (status, created_at_us, id),
  KEY idx_cases_priority (priority, created_at_us, id),
  KEY idx_cases_type (request_type, created_at_us, id),
  KEY idx_cases_account (account_id, created_at_us, id),
  KEY idx_cases_owner (owner, created_at_us, id),
  KEY idx_cases_opened_by (opened_by, created_at_us, id),
  KEY idx_cases_breach (breach_at_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The append-only timeline of admin and trade-in cases.
CREATE TABLE IF NOT EXISTS case_events (
  id BIGINT NOT NULL AUTO_INCREMENT,
  case_id CHAR(15) NOT NULL,
  event_at_us BIGINT NOT NULL,
  actor VARCHAR(128) NOT NULL,
  actor_role VARCHAR(16) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  detail MEDIUMTEXT NOT NULL,
  internal TINYINT NOT NULL,
  PRIMARY KEY (id),
  KEY idx_case_events_case (case_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Trade-in (TMIP) cases: the filtered columns, and the whole case as a
-- serialized aftercare.cases.v1.TradeInCase (lines, exceptions, shipping).
CREATE TABLE IF NOT EXISTS trade_in_cases (
  id CHAR(15) NOT NULL,
  account_id VARCHAR(64) NOT NULL,
  opened_by VARCHAR(128) NOT NULL,
  status TINYINT NOT NULL,
  due_at_us BIGINT NOT NULL,
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  version BIGINT NOT NULL,
  body MEDIUMBLOB NOT NULL,
  PRIMARY KEY (id),
  KEY idx_trade_in_created (created_at_us, id),
  KEY idx_trade_in_status (status, created_at_us, id),
  KEY idx_trade_in_account (account_id, created_at_us, id),
  KEY idx_trade_in_opened_by (opened_by, created_at_us, id),
  KEY idx_trade_in_due (status, due_at_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Uploaded documents of trade-in cases; versions count per case and kind.
CREATE TABLE IF NOT EXISTS attachments (
  id BIGINT NOT NULL AUTO_INCREMENT,
  case_id CHAR(15) NOT NULL,
  kind TINYINT NOT NULL,
  version INT NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  content_type VARCHAR(100) NOT NULL,
  size_bytes BIGINT NOT NULL,
  sha256 CHAR(64) NOT NULL,
  uploaded_by VARCHAR(128) NOT NULL,
  created_at_us BIGINT NOT NULL,
  cod MEDIUMBLOB NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_attachments_version (case_id, kind, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Attachment content in chunks of at most 256 KiB.
CREATE TABLE IF NOT EXISTS attachment_chunks (
  attachment_id BIGINT NOT NULL,
  seq INT NOT NULL,
  data MEDIUMBLOB NOT NULL,
  PRIMARY KEY (attachment_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
