-- CreateRma's idempotency key on the RMA it created (RepositoryStore::
-- CreateOnce, common/row_key_sql.h) instead of a row of idempotency_keys:
-- one statement fewer per request. The caller (role, scope and subject, as
-- idempotency_keys.caller) and the request_id are unique together;
-- request_hash is the SHA-256 of the request and request_response the
-- serialized first answer. NULL for RMAs created without a request_id and
-- for RMAs stored before this migration (their keys, if any, are in
-- idempotency_keys until the retention purge, and still answered).
ALTER TABLE rmas
  ADD COLUMN IF NOT EXISTS request_caller VARCHAR(191) NULL,
  ADD COLUMN IF NOT EXISTS request_id VARCHAR(128) NULL,
  ADD COLUMN IF NOT EXISTS request_hash BINARY(32) NULL,
  ADD COLUMN IF NOT EXISTS request_response MEDIUMBLOB NULL,
  ADD UNIQUE KEY IF NOT EXISTS uq_rmas_request (request_caller, request_id);
