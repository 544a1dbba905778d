-- Indexes that keep every page and every claim an ordered index range scan
-- (checked with EXPLAIN at 1,000,000 units, see docs/inventory-svc.md):
--   units by SKU in serial order (ListUnits sku=...);
--   available units of a SKU and condition in serial order (ReserveUnit by
--   SKU and condition: a locking read must never sort, or it locks every row
--   it sorts);
--   reservations of a SKU by expiry (claiming an expired reservation) and
--   all reservations by expiry (the sweeper).
ALTER TABLE units
  ADD KEY idx_units_sku (sku, serial),
  ADD KEY idx_units_sku_state_condition (sku, state, unit_condition, serial),
  ADD KEY idx_units_sku_expiry (sku, state, reserved_until_us),
  ADD KEY idx_units_expiry (state, reserved_until_us);
