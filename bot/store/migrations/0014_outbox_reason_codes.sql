-- Why a row was skipped, failed or is tried again is a short stable code in `last_error`
-- (bot.store.outbox.OutboxReason: blocked, daily_cap, refused, …), read in Vietnamese through
-- the labels outbox.reason.*; the channel's own words move to `last_detail`. Older rows held
-- free text: the texts recognized below become codes, any other text stays as it was.
ALTER TABLE outbox ADD COLUMN last_detail TEXT;

UPDATE outbox SET last_error = 'daily_cap' WHERE last_error = 'daily cap';
UPDATE outbox SET last_error = 'blocked', last_detail = substr(last_error, 10)
    WHERE last_error LIKE 'blocked: %';
UPDATE outbox SET last_error = 'rate_limited', last_detail = substr(last_error, 15)
    WHERE last_error LIKE 'rate limited: %';
UPDATE outbox SET last_error = 'gave_up', last_detail = substr(last_error, 15)
    WHERE last_error LIKE 'gave up after %';
UPDATE outbox SET last_error = 'not_prepared', last_detail = substr(last_error, 20)
    WHERE last_error LIKE 'could not prepare: %';
UPDATE outbox SET last_error = 'unexpected', last_detail = substr(last_error, 19)
    WHERE last_error LIKE 'unexpected error: %';
UPDATE outbox SET last_error = 'proactive_off', last_detail = last_error
    WHERE last_error LIKE 'proactive messages are off on Zalo%';
UPDATE outbox SET last_error = 'template', last_detail = substr(last_error, 23)
    WHERE last_error LIKE 'mẫu tin lỗi khi soạn: %';
UPDATE outbox SET last_error = 'recipient_gone'
    WHERE last_error = 'người nhận không còn trong hệ thống';
UPDATE outbox SET last_error = 'no_broadcast', last_detail = last_error
    WHERE last_error LIKE 'không có đợt gửi số %';
-- What the channel refused for good (Telegram's bad requests, Zalo's 4xx answers).
UPDATE outbox SET last_error = 'refused', last_detail = last_error
    WHERE status = 'failed'
    AND (last_error LIKE 'bad request: %' OR last_error LIKE 'chat moved to %'
         OR last_error LIKE 'zalo 4__: %');
-- A queued row's reason was always a retry's: a timeout, network or server error.
UPDATE outbox SET last_error = 'transient', last_detail = last_error
    WHERE status = 'queued' AND last_error IS NOT NULL
    AND last_error NOT IN ('daily_cap', 'blocked', 'rate_limited', 'gave_up', 'not_prepared',
                           'unexpected', 'proactive_off', 'template', 'recipient_gone',
                           'no_broadcast', 'refused', 'stopped', 'cancelled', 'renewed');
