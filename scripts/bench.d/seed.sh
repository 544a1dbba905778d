#!/usr/bin/env bash
# Bulk seed for scripts/bench: INSERT ... SELECT over MariaDB's sequence engine
# (seq_1_to_N), straight into each service's tables, after the services have
# applied their migrations. Every statement names every NOT NULL column of the
# table as the migrations define it.
#
#   scripts/bench.d/seed.sh MYSQL_SOCKET UNITS CASES RMAS LICENSES RMA_TARGETS
#
# What it writes (identifiers chosen so that the services' own id blocks never
# collide with them):
#   inventory: 100 products SKU-001..SKU-100; UNITS units BN0000000001.. (every
#              SKU in every state: 30 % CERTIFIED, 40 % IN_SERVICE at ACCT-0000..ACCT-0999 with an active
#              standard warranty, 10 % SOLD, 10 % RECEIVED, 10 % SPARE) and
#              RMA_TARGETS units BR0000000001.. IN_SERVICE at ACME-001 (the
#              serials of the CreateRma benchmark, one RMA each);
#   cases:     CASES admin cases 2025-01DD-NNNNN (10 days of 100,000);
#   rma:       RMAS RMAs V9NNNNNNN (a quarter each PENDING, APPROVED as
#              R9NNNNNNN, CLOSED, CANCELLED) for BN serials, with their serial locks;
#   licensing: LICENSES/2 entitlements ENT-SEED… and LICENSES licenses LIC-SEED….
set -euo pipefail
sock=$1 units=$2 cases=$3 rmas=$4 licenses=$5 targets=$6
now=$(($(date +%s) * 1000000))
year=$((365 * 86400 * 1000000))
day=$((86400 * 1000000))

client=$(command -v mariadb || command -v mysql)
run() { local db=$1; shift; "$client" --no-defaults --protocol=socket --socket="$sock" -uroot "$db" -e "SET unique_checks=0; SET foreign_key_checks=0; $*"; }

echo "seed: inventory ($units units + $targets RMA targets)"
run aftercare_inventory "
INSERT INTO products (sku, display_name, family, series, platform, list_price_minor, currency_code,
  lifecycle, end_of_production_us, latest_software_release, standard_warranty_months, version,
  created_at_us, updated_at_us)
SELECT CONCAT('SKU-', LPAD(seq, 3, '0')), CONCAT('Bench switch ', seq), 'SWITCHING', 'EX Series',
  'EX4300', 2500000, 'USD', 'CURRENT', NULL, '22.2R3', 12, 1, $now, $now FROM seq_1_to_100;
INSERT INTO units (serial, sku, state, source, unit_condition, cert_round, certificate_id,
  certified_by, certified_at_us, owner_account_id, original_purchaser_account_id, ship_at_us,
  warranty_kind, warranty_end_us, received_at_us, updated_at_us, version)
SELECT CONCAT('BN', LPAD(seq, 10, '0')), CONCAT('SKU-', LPAD(1 + (seq DIV 10) % 100, 3, '0')),
  ELT(1 + seq % 10, 'CERTIFIED', 'CERTIFIED', 'CERTIFIED', 'IN_SERVICE', 'IN_SERVICE',
      'IN_SERVICE', 'IN_SERVICE', 'SOLD', 'RECEIVED', 'SPARE'),
  'STOCK_ROTATION', 'REFURBISHED', IF(seq % 10 < 3, 1, 0),
  IF(seq % 10 < 3, CONCAT('CPO-BN', LPAD(seq, 10, '0'), '-1'), NULL),
  IF(seq % 10 < 3, 'bench-lab', NULL), IF(seq % 10 < 3, $now - $day, NULL),
  IF(seq % 10 BETWEEN 3 AND 7, CONCAT('ACCT-', LPAD(seq % 1000, 4, '0')), NULL),
  IF(seq % 10 BETWEEN 3 AND 7, CONCAT('ACCT-', LPAD(seq % 1000, 4, '0')), NULL),
  IF(seq % 10 BETWEEN 3 AND 7, $now - 60 * $day, NULL),
  IF(seq % 10 BETWEEN 3 AND 7, 'STANDARD', NULL),
  IF(seq % 10 BETWEEN 3 AND 7, $now + $year, NULL),
  $now - 90 * $day, $now - 90 * $day, 1
FROM seq_1_to_$units;
INSERT INTO units (serial, sku, state, source, unit_condition, owner_account_id,
  original_purchaser_account_id, ship_at_us, warranty_kind, warranty_end_us, received_at_us,
  updated_at_us, version)
SELECT CONCAT('BR', LPAD(seq, 10, '0')), CONCAT('SKU-', LPAD(1 + seq % 100, 3, '0')), 'IN_SERVICE',
  'NEW_SALE', 'NEW', 'ACME-001', 'ACME-001', $now - 60 * $day, 'STANDARD', $now + $year,
  $now - 90 * $day, $now - 90 * $day, 1
FROM seq_1_to_$targets;"

echo "seed: cases ($cases admin cases)"
run aftercare_cases "
INSERT INTO cases (id, request_type, sub_type, priority, status, follow_up, callback_phone, summary,
  description, serial, ssrn, product_series, product_platform, lookup_state, account_id, opened_by,
  owner, escalation_level, team_lead_attention, created_at_us, updated_at_us, sla_due_us,
  sla_paused_at_us, sla_remaining_us, first_response_us, breach_at_us, mis_shipment,
  reinstatement, resolution, resolved_at_us, closed_at_us, version)
SELECT CONCAT('2025-01', LPAD(1 + seq DIV 100000, 2, '0'), '-', LPAD(seq % 100000, 5, '0')),
  1 + seq % 7, '', 1 + seq % 4, IF(seq % 5 = 0, 2, 5), 1, '', CONCAT('bench case ', seq), '',
  '', '', '', '', 0, CONCAT('ACCT-', LPAD(seq % 1000, 4, '0')),
  CONCAT('bench-customer-', seq % 1000), IF(seq % 5 = 0, 'bench-agent', ''), 0, 0,
  $now - 400 * $day + seq * 1000000, $now - 400 * $day + seq * 1000000, NULL, NULL, 0,
  $now - 400 * $day + seq * 1000000, NULL, NULL, 0, '', NULL,
  IF(seq % 5 = 0, NULL, $now - 300 * $day), 1
FROM seq_1_to_$cases;"

echo "seed: rma ($rmas RMAs)"
run aftercare_rma "
INSERT INTO rmas (validation_number, rma_number, status, rma_type, account_id, serial, sku,
  technical_case_id, failure_description, damage_cause, ship_region_code, ship_postal_code,
  ship_administrative_area, ship_locality, ship_address_lines, ship_recipient, ship_organization,
  contact_email, entitlement_summary, rejection_reason, cancellation_reason, list_price_minor,
  currency_code, created_by, approved_by, created_at_us, approved_at_us, closed_at_us,
  updated_at_us, version)
SELECT CONCAT('V9', LPAD(seq, 7, '0')), IF(seq % 4 IN (1, 2), CONCAT('R9', LPAD(seq, 7, '0')), NULL),
  ELT(1 + seq % 4, 'PENDING', 'APPROVED', 'CLOSED', 'CANCELLED'), 'STANDARD_WARRANTY',
  CONCAT('ACCT-', LPAD(seq % 1000, 4, '0')), CONCAT('BN', LPAD(seq, 10, '0')),
  CONCAT('SKU-', LPAD(1 + seq % 100, 3, '0')), CONCAT('2025-0101-', LPAD(seq % 100000, 5, '0')),
  'bench failure', 'HARDWARE_FAILURE', 'US', '94089', 'CA', 'Sunnyvale', '1 Bench Way', '', '',
  'noc@bench.example', '', '', IF(seq % 4 = 3, 'bench', ''), 2500000, 'USD', 'bench-tse',
  IF(seq % 4 IN (1, 2), 'bench-tse', NULL), $now - 200 * $day + seq * 1000000,
  IF(seq % 4 IN (1, 2), $now - 199 * $day, NULL), IF(seq % 4 = 2, $now - 100 * $day, NULL),
  $now - 100 * $day, 1
FROM seq_1_to_$rmas;
INSERT INTO rma_serial_locks (serial) SELECT CONCAT('BN', LPAD(seq, 10, '0')) FROM seq_1_to_$rmas;"

ents=$(( (licenses + 1) / 2 ))
echo "seed: licensing ($ents entitlements, $licenses licenses)"
run aftercare_licensing "
INSERT INTO entitlements (id, account_id, kind, sku, feature, capacity, term_type, term_months,
  licensing_system, unlock_key_required, max_devices, order_reference, code_hash, start_us,
  term_end_us, renewal_count, version, created_at_us, updated_at_us)
SELECT CONCAT('ENT-SEED', LPAD(seq, 16, '0')), CONCAT('ACCT-', LPAD(seq % 1000, 4, '0')),
  'ACTIVATION_CODE', 'S-EX-A-C2-P', 'advanced-routing', 48, 'PERPETUAL', 0, 'JUNOS', 1, 2,
  CONCAT('SO-SEED-', seq), UNHEX(SHA2(CONCAT('bench-code-', seq), 256)), $now - 100 * $day, NULL,
  0, 1, $now - 100 * $day + seq * 1000000, $now - 100 * $day + seq * 1000000
FROM seq_1_to_$ents;
INSERT INTO licenses (id, entitlement_id, account_id, sku, feature, capacity, licensing_system,
  term_type, device_serial, state, not_before_us, not_after_us, key_id, license_key,
  key_generation, version, created_at_us, updated_at_us)
SELECT CONCAT('LIC-SEED', LPAD(seq, 16, '0')),
  CONCAT('ENT-SEED', LPAD(1 + (seq - 1) DIV 2, 16, '0')),
  CONCAT('ACCT-', LPAD((1 + (seq - 1) DIV 2) % 1000, 4, '0')), 'S-EX-A-C2-P', 'advanced-routing',
  48, 'JUNOS', 'PERPETUAL', CONCAT('BN', LPAD(seq, 10, '0')), 'ACTIVE', $now - 100 * $day, NULL,
  'seed', 'seeded-by-bench', 1, 1, $now - 100 * $day + seq * 1000000,
  $now - 100 * $day + seq * 1000000
FROM seq_1_to_$licenses;"
