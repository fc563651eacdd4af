-- Messages to one number are delivered in the order they were queued, also while the gateway
-- is down and retries back off: before sending, a worker asks whether an earlier message to
-- the same number is still undelivered. The key is the number's lookup hash (the payload,
-- which holds the number, stays sealed).

ALTER TABLE sms_outbox ADD COLUMN recipient_key TEXT;
CREATE INDEX sms_outbox_recipient ON sms_outbox (recipient_key, id) WHERE delivered_at IS NULL;
