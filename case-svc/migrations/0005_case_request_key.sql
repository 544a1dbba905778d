-- CreateCase's idempotency key on the case it created (RepositoryStore::
-- CreateOnce, common/idempotency.h RowKey) instead of a row of
-- idempotency_keys: one statement less per case. The caller (role, scope and
-- subject, as idempotency_keys.caller) and the request_id are unique
-- together; request_hash is the SHA-256 of the request and request_response
-- the serialized first answer. NULL for cases created without a request_id
-- and for cases stored before this migration (their keys, if any, are in
-- idempotency_keys until the retention purge).
ALTER TABLE cases
  ADD COLUMN IF NOT EXISTS request_caller VARCHAR(191) NULL,
  ADD COLUMN IF NOT EXISTS request_id VARCHAR(128) NULL,
  ADD COLUMN IF NOT EXISTS request_hash BINARY(32) NULL,
  ADD COLUMN IF NOT EXISTS request_response MEDIUMBLOB NULL,
  ADD UNIQUE KEY IF NOT EXISTS uq_cases_request (request_caller, request_id);
