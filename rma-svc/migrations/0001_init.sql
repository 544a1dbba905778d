-- rma-svc schema. The shared tables (idempotency_keys, outbox_events,
-- id_blocks) come from common/db/migrations.
CREATE TABLE IF NOT EXISTS service_info (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- RMAs from request (validation number) to close (RMA number once
-- approved). Times are BIGINT microseconds since the Unix epoch (UTC), enums
-- are stored by name, money in integer minor units.
CREATE TABLE IF NOT EXISTS rmas (
  id BIGINT NOT NULL AUTO_INCREMENT,
  validation_number VARCHAR(16) NOT NULL,
  rma_number VARCHAR(16) NULL,
  status VARCHAR(24) NOT NULL,
  rma_type VARCHAR(24) NOT NULL,
  account_id VARCHAR(64) NOT NULL,
  serial VARCHAR(40) NOT NULL,
  replacement_serial VARCHAR(40) NULL,
  sku VARCHAR(40) NOT NULL,
  technical_case_id VARCHAR(64) NOT NULL,
  failure_description TEXT NOT NULL,
  damage_cause VARCHAR(24) NOT NULL,
  ship_region_code CHAR(2) NOT NULL,
  ship_postal_code VARCHAR(20) NOT NULL,
  ship_administrative_area VARCHAR(100) NOT NULL,
  ship_locality VARCHAR(100) NOT NULL,
  ship_address_lines VARCHAR(1100) NOT NULL,
  ship_recipient VARCHAR(200) NOT NULL,
  ship_organization VARCHAR(200) NOT NULL,
  contact_email VARCHAR(254) NOT NULL,
  entitlement_summary VARCHAR(512) NOT NULL,
  rejection_reason VARCHAR(1000) NOT NULL,
  cancellation_reason VARCHAR(1000) NOT NULL,
  list_price_minor BIGINT NOT NULL,
  currency_code CHAR(3) NOT NULL,
  repl_carrier VARCHAR(64) NULL,
  repl_tracking VARCHAR(64) NULL,
  repl_shipped_at_us BIGINT NULL,
  return_due_date CHAR(10) NULL,
  return_due_us BIGINT NULL,
  charge_minor BIGINT NULL,
  charged_at_us BIGINT NULL,
  received_at_us BIGINT NULL,
  received_by VARCHAR(128) NULL,
  repair_summary TEXT NULL,
  software_version VARCHAR(64) NULL,
  repaired_at_us BIGINT NULL,
  back_carrier VARCHAR(64) NULL,
  back_tracking VARCHAR(64) NULL,
  back_shipped_at_us BIGINT NULL,
  created_by VARCHAR(128) NOT NULL,
  approved_by VARCHAR(128) NULL,
  created_at_us BIGINT NOT NULL,
  approved_at_us BIGINT NULL,
  closed_at_us BIGINT NULL,
  updated_at_us BIGINT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_rmas_validation (validation_number),
  UNIQUE KEY uq_rmas_rma_number (rma_number),
  KEY idx_rmas_account (account_id, id),
  KEY idx_rmas_status (status, id),
  KEY idx_rmas_serial (serial, id),
  KEY idx_rmas_type (rma_type, id),
  -- The overdue sweeper and the overdue list.
  KEY idx_rmas_due (status, charged_at_us, return_due_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Received serials that did not match their RMA.
CREATE TABLE IF NOT EXISTS rma_receipt_exceptions (
  id BIGINT NOT NULL AUTO_INCREMENT,
  rma_id BIGINT NOT NULL,
  received_serial VARCHAR(40) NOT NULL,
  expected_serial VARCHAR(40) NOT NULL,
  note VARCHAR(1000) NOT NULL,
  recorded_by VARCHAR(128) NOT NULL,
  recorded_at_us BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY idx_exceptions_rma (rma_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per transition notification; delivered through the outbox.
CREATE TABLE IF NOT EXISTS rma_notifications (
  id BIGINT NOT NULL AUTO_INCREMENT,
  rma_id BIGINT NOT NULL,
  rma_number VARCHAR(16) NULL,
  template VARCHAR(64) NOT NULL,
  recipient VARCHAR(254) NOT NULL,
  copy_to_case_id VARCHAR(64) NOT NULL,
  subject VARCHAR(300) NOT NULL,
  body TEXT NOT NULL,
  status VARCHAR(24) NOT NULL,
  created_at_us BIGINT NOT NULL,
  delivered_at_us BIGINT NULL,
  PRIMARY KEY (id),
  KEY idx_notifications_rma (rma_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Depots that take returns, and the ship-to countries each serves.
CREATE TABLE IF NOT EXISTS return_locations (
  location_code VARCHAR(16) NOT NULL,
  name VARCHAR(200) NOT NULL,
  theater VARCHAR(16) NOT NULL,
  region_code CHAR(2) NOT NULL,
  postal_code VARCHAR(20) NOT NULL,
  administrative_area VARCHAR(100) NOT NULL,
  locality VARCHAR(100) NOT NULL,
  address_lines VARCHAR(1100) NOT NULL,
  recipient VARCHAR(200) NOT NULL,
  PRIMARY KEY (location_code),
  KEY idx_locations_theater (theater, location_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS return_location_countries (
  region_code CHAR(2) NOT NULL,
  location_code VARCHAR(16) NOT NULL,
  PRIMARY KEY (region_code),
  KEY idx_countries_location (location_code, region_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
