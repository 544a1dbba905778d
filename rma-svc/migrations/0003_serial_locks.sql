-- One row per unit that ever had an RMA request: opening a request locks it,
-- so two requests for the same unit cannot both pass the one-open-RMA check
-- (row locks work under every isolation level; gap locks do not).
CREATE TABLE IF NOT EXISTS rma_serial_locks (
  serial VARCHAR(40) NOT NULL,
  PRIMARY KEY (serial)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
