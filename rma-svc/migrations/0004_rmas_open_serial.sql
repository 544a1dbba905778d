-- One open RMA per unit, held by a unique index instead of a lock and a
-- read: open_serial is the unit's serial while the RMA is open and NULL
-- once it is rejected, cancelled or closed (IsOpen in rma_types.h says the
-- same), so the INSERT of a second open RMA of a unit fails on
-- uq_rmas_open_serial — also when it races the first, whose uncommitted row
-- the unique check waits on.
-- Two statements fewer per CreateRma. A stored (PERSISTENT) column, not a
-- VIRTUAL one: with an index on a virtual column, a Galera node killed
-- mid-transaction never finished its restart (mariadbd --wsrep-recover
-- spun at full CPU and grew without end; MariaDB 10.11.19, e2e_galera).
-- Adding it rebuilds the table once. rma_serial_locks stays for binaries
-- older than this migration (they still lock it; the index holds for them
-- too).
ALTER TABLE rmas
  ADD COLUMN IF NOT EXISTS open_serial VARCHAR(40)
    AS (IF(status IN ('REJECTED', 'CANCELLED', 'CLOSED'), NULL, serial)) PERSISTENT,
  ADD UNIQUE KEY IF NOT EXISTS uq_rmas_open_serial (open_serial);
