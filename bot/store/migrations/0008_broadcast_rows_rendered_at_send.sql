-- Broadcast rows are rendered when the sender claims them, from the recipient's fields of
-- that moment (a card renewed meanwhile shows its new date): such a row is queued with empty
-- text and points at its broadcast. Rows queued before this migration keep their text.
ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER REFERENCES broadcasts (id);
-- The daily cap is checked at send time now; capped recipients are counted from the outbox
-- (skipped rows with reason 'daily cap'), so the broadcast's own counter is gone.
ALTER TABLE broadcasts DROP COLUMN capped;
