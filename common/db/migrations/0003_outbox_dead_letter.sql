-- Dead letters of the transactional outbox (common/outbox.h, issue 20): an
-- event that can never be delivered (its payload does not parse, no handler
-- is registered for its event_type, or its handler returned PoisonEvent)
-- gets dead_at_us (last_error keeps the reason) instead of delivered_at_us.
-- Pending now means delivered_at_us IS NULL AND dead_at_us IS NULL: a dead
-- event no longer holds back the later events of its aggregate, and the
-- backlog gauges leave it out. Both indexes gain dead_at_us before id, so
-- the dispatcher's queries still read them in id order:
--   idx_outbox_pending: the oldest pending event (one index entry under
--     (NULL, NULL), kOldestPendingSql), the pending and dead counts;
--   idx_outbox_aggregate: "an older pending event of the same aggregate".
-- Dead events are kept (PurgeDeliveredEvents deletes delivered ones only)
-- until an operator replays or deletes them (docs/RUNBOOKS.md).
ALTER TABLE outbox_events
  ADD COLUMN dead_at_us BIGINT NULL AFTER delivered_at_us,
  DROP KEY idx_outbox_pending,
  ADD KEY idx_outbox_pending (delivered_at_us, dead_at_us, id),
  DROP KEY idx_outbox_aggregate,
  ADD KEY idx_outbox_aggregate (aggregate_type, aggregate_id, delivered_at_us, dead_at_us, id);
