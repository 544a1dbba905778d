-- Notifications that leave the suite (common/notifications.h): one delivery
-- per notification, channel and recipient, written in the transaction of the
-- change that caused it and sent afterwards by NotificationDispatcher.
-- (event_key, channel, target) is unique, so publishing the same
-- notification again writes nothing.
CREATE TABLE IF NOT EXISTS notification_deliveries (
  id BIGINT NOT NULL AUTO_INCREMENT,
  event_key VARCHAR(191) NOT NULL,
  event_type VARCHAR(64) NOT NULL,
  account_id VARCHAR(64) NOT NULL,
  -- 'email', 'webhook', 'case_note'
  channel VARCHAR(16) NOT NULL,
  -- the e-mail address, the webhook subscription id or the technical case id
  target VARCHAR(254) NOT NULL,
  -- JSON: subject, body, data, occurred_at (what every channel sends)
  payload MEDIUMTEXT NOT NULL,
  -- 'pending', 'delivered', 'dead'
  state VARCHAR(16) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at_us BIGINT NOT NULL,
  last_error VARCHAR(512) NULL,
  created_at_us BIGINT NOT NULL,
  delivered_at_us BIGINT NULL,
  dead_at_us BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_delivery (event_key, channel, target),
  KEY idx_delivery_due (state, next_attempt_at_us, id),
  KEY idx_delivery_state (state, id),
  KEY idx_delivery_target (channel, target, id),
  KEY idx_delivery_account (account_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Webhook subscriptions of an account: deliveries of the listed event types
-- (all when empty) are POSTed to url, signed with secret (HMAC-SHA256).
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
  id VARCHAR(40) NOT NULL,
  account_id VARCHAR(64) NOT NULL,
  url VARCHAR(2048) NOT NULL,
  -- comma-separated event types; empty: every event
  event_types VARCHAR(1024) NOT NULL,
  description VARCHAR(256) NOT NULL,
  secret VARCHAR(128) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  created_at_us BIGINT NOT NULL,
  deleted_at_us BIGINT NULL,
  seq BIGINT NOT NULL AUTO_INCREMENT,
  PRIMARY KEY (id),
  UNIQUE KEY uq_webhook_seq (seq),
  KEY idx_webhook_account (account_id, deleted_at_us, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
