-- Who is e-mailed about an admin case (docs/NOTIFICATIONS.md): the
-- addresses of Case.notification_emails joined by ',' (a valid address has
-- no comma), '' for none. Cases stored before this migration notify no one
-- by e-mail.
ALTER TABLE cases
  ADD COLUMN IF NOT EXISTS notification_emails TEXT NOT NULL DEFAULT '' AFTER closed_at_us;
