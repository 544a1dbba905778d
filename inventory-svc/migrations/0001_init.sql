-- inventory-svc schema. The shared tables (idempotency_keys, outbox_events,
-- id_blocks) come from common/db/migrations. Times are BIGINT microseconds
-- since the Unix epoch (UTC), enums are stored by name, money in integer
-- minor units.

CREATE TABLE IF NOT EXISTS products (
  sku VARCHAR(40) NOT NULL,
  display_name VARCHAR(200) NOT NULL,
  family VARCHAR(16) NOT NULL,
  series VARCHAR(100) NOT NULL,
  platform VARCHAR(100) NOT NULL,
  list_price_minor BIGINT NOT NULL,
  currency_code CHAR(3) NOT NULL,
  lifecycle VARCHAR(24) NOT NULL,
  end_of_production_us BIGINT NULL,
  latest_software_release VARCHAR(64) NOT NULL,
  standard_warranty_months INT NOT NULL,
  version BIGINT NOT NULL,
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (sku),
  KEY idx_products_family (family, sku),
  KEY idx_products_lifecycle (lifecycle, sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The manufacturer's registry of genuine serials (loaded in bulk).
CREATE TABLE IF NOT EXISTS genuine_serials (
  serial VARCHAR(40) NOT NULL,
  sku VARCHAR(40) NOT NULL,
  loaded_at_us BIGINT NOT NULL,
  PRIMARY KEY (serial)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every hardware unit by serial number.
CREATE TABLE IF NOT EXISTS units (
  id BIGINT NOT NULL AUTO_INCREMENT,
  serial VARCHAR(40) NOT NULL,
  sku VARCHAR(40) NOT NULL,
  state VARCHAR(24) NOT NULL,
  source VARCHAR(24) NOT NULL,
  unit_condition VARCHAR(16) NOT NULL,
  cert_round INT NOT NULL DEFAULT 0,
  certificate_id VARCHAR(80) NULL,
  certified_by VARCHAR(191) NULL,
  certified_at_us BIGINT NULL,
  reservation_id VARCHAR(64) NULL,
  reserved_partner_id VARCHAR(191) NULL,
  reserved_at_us BIGINT NULL,
  reserved_until_us BIGINT NULL,
  reserved_price_minor BIGINT NOT NULL DEFAULT 0,
  reserved_discount_bps INT NOT NULL DEFAULT 0,
  owner_account_id VARCHAR(64) NULL,
  original_purchaser_account_id VARCHAR(64) NULL,
  site_region_code CHAR(2) NULL,
  site_postal_code VARCHAR(20) NULL,
  site_administrative_area VARCHAR(100) NULL,
  site_locality VARCHAR(100) NULL,
  site_address_lines VARCHAR(1100) NULL,   -- lines joined with '\n'
  site_recipient VARCHAR(200) NULL,
  site_organization VARCHAR(200) NULL,
  ssrn VARCHAR(32) NULL,
  ship_at_us BIGINT NULL,
  sale_price_minor BIGINT NOT NULL DEFAULT 0,
  currency_code CHAR(3) NULL,
  sold_by_partner_id VARCHAR(191) NULL,
  warranty_kind VARCHAR(32) NULL,
  warranty_end_us BIGINT NULL,
  grey_market TINYINT(1) NOT NULL DEFAULT 0,
  allocated_rma VARCHAR(16) NULL,
  quarantine_reason VARCHAR(1024) NULL,
  received_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_units_serial (serial),
  UNIQUE KEY uq_units_ssrn (ssrn),
  -- available stock of a SKU (reserve by SKU, catalog counts) and SKU filters
  KEY idx_units_sku_state (sku, state, serial),
  KEY idx_units_state (state, serial),
  KEY idx_units_source (source, serial),
  KEY idx_units_owner (owner_account_id, serial),
  KEY idx_units_rma (allocated_rma)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The history of every unit: state changes, certification steps (every
-- round), ownership, site, grey market and contract changes. Append-only.
CREATE TABLE IF NOT EXISTS unit_events (
  id BIGINT NOT NULL AUTO_INCREMENT,
  serial VARCHAR(40) NOT NULL,
  cert_round INT NOT NULL,
  at_us BIGINT NOT NULL,
  actor VARCHAR(191) NOT NULL,
  actor_role VARCHAR(16) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  from_state VARCHAR(24) NOT NULL,
  to_state VARCHAR(24) NOT NULL,
  step VARCHAR(32) NULL,
  passed TINYINT(1) NOT NULL DEFAULT 0,
  detail VARCHAR(2048) NOT NULL,
  PRIMARY KEY (id),
  KEY idx_unit_events_serial (serial, id),
  KEY idx_unit_events_round (serial, cert_round, step, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Support contracts; the public id is "CT" + id zero-padded to 8 digits.
CREATE TABLE IF NOT EXISTS support_contracts (
  id BIGINT NOT NULL AUTO_INCREMENT,
  serial VARCHAR(40) NOT NULL,
  account_id VARCHAR(64) NOT NULL,
  level VARCHAR(24) NOT NULL,
  start_us BIGINT NOT NULL,
  end_us BIGINT NOT NULL,
  purchased_at_sale TINYINT(1) NOT NULL DEFAULT 0,
  pre_approval_reference VARCHAR(64) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY idx_contracts_serial (serial, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
