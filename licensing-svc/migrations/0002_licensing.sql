-- Purchases, licenses (one per entitlement and device), renewals,
-- notifications and RMA transfers. Times are BIGINT microseconds (UTC).
-- Activation codes are never stored: only SHA-256 of the canonical code.

CREATE TABLE IF NOT EXISTS entitlements (
  id CHAR(24) NOT NULL PRIMARY KEY,
  account_id VARCHAR(64) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  sku VARCHAR(64) NOT NULL,
  feature VARCHAR(64) NOT NULL,
  capacity BIGINT NOT NULL,
  term_type VARCHAR(16) NOT NULL,
  term_months INT NOT NULL,
  licensing_system VARCHAR(16) NOT NULL,
  unlock_key_required TINYINT(1) NOT NULL,
  max_devices INT NOT NULL,
  order_reference VARCHAR(128) NOT NULL,
  code_hash BINARY(32) NULL,
  start_us BIGINT NOT NULL,
  term_end_us BIGINT NULL,
  renewal_count INT NOT NULL DEFAULT 0,
  version BIGINT NOT NULL,
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  UNIQUE KEY uq_entitlements_code (code_hash),
  KEY idx_entitlements_account (account_id, created_at_us, id),
  KEY idx_entitlements_created (created_at_us, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS subscription_renewals (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entitlement_id CHAR(24) NOT NULL,
  term_months INT NOT NULL,
  previous_end_us BIGINT NOT NULL,
  new_end_us BIGINT NOT NULL,
  order_reference VARCHAR(128) NOT NULL,
  created_at_us BIGINT NOT NULL,
  KEY idx_renewals_entitlement (entitlement_id, created_at_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS licenses (
  id CHAR(24) NOT NULL PRIMARY KEY,
  entitlement_id CHAR(24) NOT NULL,
  account_id VARCHAR(64) NOT NULL,
  sku VARCHAR(64) NOT NULL,
  feature VARCHAR(64) NOT NULL,
  capacity BIGINT NOT NULL,
  licensing_system VARCHAR(16) NOT NULL,
  term_type VARCHAR(16) NOT NULL,
  device_serial VARCHAR(40) NOT NULL,
  state VARCHAR(16) NOT NULL,
  not_before_us BIGINT NOT NULL,
  not_after_us BIGINT NULL,
  key_id VARCHAR(32) NOT NULL,
  license_key TEXT NOT NULL,
  key_generation INT NOT NULL,
  revocation_reason VARCHAR(24) NULL,
  revocation_note VARCHAR(500) NULL,
  revoked_at_us BIGINT NULL,
  replaces_license_id CHAR(24) NULL,
  rma_number VARCHAR(16) NULL,
  version BIGINT NOT NULL,
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  KEY idx_licenses_account (account_id, created_at_us, id),
  KEY idx_licenses_device (device_serial, created_at_us, id),
  KEY idx_licenses_entitlement_device (entitlement_id, device_serial, created_at_us, id),
  KEY idx_licenses_entitlement (entitlement_id, created_at_us, id),
  KEY idx_licenses_created (created_at_us, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per RMA number: the primary key makes concurrent transfers of the
-- same RMA wait for the first and then find its result.
CREATE TABLE IF NOT EXISTS rma_transfers (
  rma_number VARCHAR(16) NOT NULL PRIMARY KEY,
  account_id VARCHAR(64) NOT NULL,
  from_serial VARCHAR(40) NOT NULL,
  to_serial VARCHAR(40) NOT NULL,
  requested_by VARCHAR(191) NOT NULL,
  created_at_us BIGINT NOT NULL,
  KEY idx_transfers_account (account_id, created_at_us, rma_number),
  KEY idx_transfers_created (created_at_us, rma_number),
  KEY idx_transfers_from (from_serial, created_at_us, rma_number),
  KEY idx_transfers_to (to_serial, created_at_us, rma_number)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS rma_transfer_items (
  rma_number VARCHAR(16) NOT NULL,
  old_license_id CHAR(24) NOT NULL,
  new_license_id CHAR(24) NOT NULL,
  PRIMARY KEY (rma_number, old_license_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS notifications (
  id CHAR(24) NOT NULL PRIMARY KEY,
  account_id VARCHAR(64) NOT NULL,
  entitlement_id CHAR(24) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  subject VARCHAR(255) NOT NULL,
  body TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  KEY idx_notifications_account (account_id, created_at_us, id),
  KEY idx_notifications_entitlement (entitlement_id, created_at_us, id),
  KEY idx_notifications_created (created_at_us, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
