-- Verification before closing (核查结案), dispatch to a named person, and event texts as data.
--
-- An incident remembers who resolved it (the account and its person) so that nobody closes their own
-- work, and keeps the SHA-256 of the reporter's verification token: the token is in the receipt (and its
-- idempotency record, for a retried report), never in the incident.
ALTER TABLE incident
    ADD COLUMN resolved_by_user_id    bigint REFERENCES app_user (id) ON DELETE SET NULL,
    ADD COLUMN resolved_by_person_id  bigint REFERENCES person (id) ON DELETE SET NULL,
    ADD COLUMN verify_token_sha256    bytea CHECK (octet_length(verify_token_sha256) = 32);

-- History rows carry their kind and parameters; the dashboard writes the sentence in the reader's
-- language. note stays what a person typed. Rows written before this keep params '{}' and their note.
ALTER TABLE incident_event
    ADD COLUMN params jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object');
ALTER TABLE incident_event DROP CONSTRAINT incident_event_kind_check;
ALTER TABLE incident_event ADD CONSTRAINT incident_event_kind_check CHECK (kind IN ('reported', 'transition', 'note',
    'escalated', 'overdue', 'rerouted', 'duplicate_suspected', 'duplicate_unlinked', 'verification'));
