-- Citizens who leave a phone number or an email with their report hear of it: a message when it is
-- received (its tracking number and link) and one when it is resolved (with the link to confirm or
-- dispute the work). They are not people of the registry, so such a notification has a recipient
-- address instead of a person; it has no inbox.

CREATE TABLE incident_reporter_contact (
    incident_id   bigint PRIMARY KEY REFERENCES incident (id) ON DELETE RESTRICT,
    channel       text   NOT NULL CHECK (channel IN ('email', 'sms')),
    address       text   NOT NULL CHECK (char_length(address) BETWEEN 3 AND 320),
    -- Each message carries a key of its own in its link; any of them follows the case as the
    -- receipt's token does (confirm, dispute, stop the messages). Kept only as hashes.
    key_sha256    bytea[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    opted_out_at  timestamptz
);
CREATE INDEX incident_reporter_contact_address ON incident_reporter_contact (address);

ALTER TABLE notification ALTER COLUMN person_id DROP NOT NULL;
ALTER TABLE notification
    ADD COLUMN recipient_channel text CHECK (recipient_channel IN ('email', 'sms')),
    ADD COLUMN recipient_address text CHECK (char_length(recipient_address) BETWEEN 3 AND 320),
    -- The one secret a message's link carries, until the message has left (then NULL).
    ADD COLUMN secret text,
    ADD CONSTRAINT notification_one_recipient CHECK (
        (person_id IS NOT NULL AND recipient_address IS NULL AND recipient_channel IS NULL) OR
        (person_id IS NULL AND recipient_address IS NOT NULL AND recipient_channel IS NOT NULL));
CREATE UNIQUE INDEX notification_recipient_dedupe ON notification (recipient_address, dedupe_key)
    WHERE recipient_address IS NOT NULL AND dedupe_key IS NOT NULL;
CREATE INDEX notification_recipient_recent ON notification (recipient_address, created_at)
    WHERE recipient_address IS NOT NULL;
