-- Notifications: every person learns of their work when it arrives, and the platform knows they did.
-- A notification is written in the same transaction as the change that causes it (a case routed to
-- them, escalated, overdue, a joint-enforcement request…), so neither exists without the other. Its
-- deliveries outside the app — one row per channel the person is reachable on — are the outbox a
-- worker drains, exactly once per recipient and channel, across replicas (FOR UPDATE SKIP LOCKED).

CREATE TABLE notification (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id     bigint NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    kind          text   NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
    subject_type  text   NOT NULL CHECK (subject_type ~ '^[a-z][a-z0-9_]{0,39}$'),
    subject_id    bigint,
    params        jsonb  NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
    -- The same finding (the same case overdue on the same day, say) told twice is told once.
    dedupe_key    text   CHECK (char_length(dedupe_key) BETWEEN 1 AND 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- 已读: the first time the person opened it; never cleared, leaders read it as a fact.
    read_at       timestamptz,
    CONSTRAINT notification_read_after_created CHECK (read_at IS NULL OR read_at >= created_at),
    UNIQUE (person_id, dedupe_key)
);
CREATE INDEX notification_inbox ON notification (person_id, created_at DESC, id DESC);
CREATE INDEX notification_unread ON notification (person_id) WHERE read_at IS NULL;
CREATE INDEX notification_subject ON notification (subject_type, subject_id);

-- Where and when a person wants to hear outside the app. Quiet hours are local wall-clock times
-- (the deployment's time zone); a delivery falling in them waits until they end.
CREATE TABLE notification_channel (
    person_id    bigint  NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    channel      text    NOT NULL CHECK (channel IN ('email', 'wecom', 'sms')),
    address      text    NOT NULL CHECK (char_length(address) BETWEEN 1 AND 320),
    enabled      boolean NOT NULL DEFAULT true,
    quiet_from   time,
    quiet_until  time,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_channel_quiet_pair CHECK ((quiet_from IS NULL) = (quiet_until IS NULL)),
    PRIMARY KEY (person_id, channel)
);

-- The outbox. A row is claimed for a short lease (state 'sending'), sent, and marked sent on its own,
-- so a worker that dies loses at most the one message in flight to a second sending (which carries
-- the same Message-ID), and a lease that runs out hands the rest to another worker.
CREATE TABLE notification_delivery (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id  bigint NOT NULL REFERENCES notification (id) ON DELETE RESTRICT,
    channel          text   NOT NULL CHECK (channel IN ('email', 'wecom', 'sms')),
    address          text   NOT NULL,
    state            text   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts         int    NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    last_error       text,
    sent_at          timestamptz,
    CONSTRAINT notification_delivery_sent_at CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    UNIQUE (notification_id, channel)
);
CREATE INDEX notification_delivery_due ON notification_delivery (next_attempt_at) WHERE state IN ('pending', 'sending');

-- internal/notify's read interface for "was he told, and did he see it?": who was told of what,
-- when, and when they first opened it — for a case's history, not an inbox (params stay private).
CREATE VIEW notification_receipt AS
    SELECT id, person_id, kind, subject_type, subject_id, created_at, read_at FROM notification;
COMMENT ON VIEW notification_receipt IS 'read interface of internal/notify to notification';
