-- 联合执法行动: joint enforcement operations, planned (计划) or at short notice (临时), run by the
-- street chief of a subdistrict with the enforcement departments. Owned by internal/operations.
-- Nothing here is deleted or edited away: a change to a planned operation leaves a revision with the
-- operation as it was, a cancelled one keeps its reason, and an outcome is corrected by a newer
-- outcome that names the one it corrects and why.
--
-- An operation's state is not stored: cancelled when cancelled_at is set, done once it has an
-- outcome, otherwise planned, under way or outcome overdue by the clock against starts_at and
-- ends_at. A stored state would need a job to move it on at the hour, and would be wrong between runs.

CREATE TABLE operation (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title           text NOT NULL CHECK (title <> '' AND length(title) <= 200),
    kind            text NOT NULL CHECK (kind IN ('planned', 'short_notice')),
    subdistrict_id  bigint NOT NULL REFERENCES admin_unit (id),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    briefing        text NOT NULL DEFAULT '' CHECK (length(briefing) <= 4000),
    -- The drawn target: valid, and meeting the subdistrict (checked in Go against the boundary).
    target_area     geometry(MultiPolygon, 4326) CHECK (target_area IS NULL OR (ST_IsValid(target_area) AND NOT ST_IsEmpty(target_area))),
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    cancelled_at    timestamptz,
    cancel_reason   text CHECK (length(cancel_reason) <= 1000),
    CONSTRAINT operation_times CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '7 days'),
    CONSTRAINT operation_cancel_reason CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL) AND cancel_reason <> '')
);
CREATE INDEX operation_subdistrict_time ON operation (subdistrict_id, starts_at);
CREATE INDEX operation_time ON operation USING gist (tstzrange(starts_at, ends_at));

CREATE TABLE operation_department (
    operation_id   bigint NOT NULL REFERENCES operation (id),
    department_id  bigint NOT NULL REFERENCES department (id),
    PRIMARY KEY (operation_id, department_id)
);
CREATE INDEX operation_department_department ON operation_department (department_id);

CREATE TABLE operation_person (
    operation_id  bigint NOT NULL REFERENCES operation (id),
    person_id     bigint NOT NULL REFERENCES person (id),
    role          text NOT NULL CHECK (role IN ('commander', 'member')),
    PRIMARY KEY (operation_id, person_id)
);

CREATE TABLE operation_area (
    operation_id  bigint NOT NULL REFERENCES operation (id),
    area_id       bigint NOT NULL REFERENCES area (id),
    PRIMARY KEY (operation_id, area_id)
);

-- A target shop, and whether it was on the repeat-offender list when the operation was planned.
CREATE TABLE operation_merchant (
    operation_id     bigint NOT NULL REFERENCES operation (id),
    merchant_id      bigint NOT NULL REFERENCES merchant (id),
    repeat_offender  boolean NOT NULL,
    PRIMARY KEY (operation_id, merchant_id)
);

-- Cases of the operation: open cases it set out to deal with (targeted), and cases opened on the spot
-- through the incident intake and linked here, since the incident tables are incidents' own.
CREATE TABLE operation_incident (
    operation_id  bigint NOT NULL REFERENCES operation (id),
    incident_id   bigint NOT NULL REFERENCES incident (id),
    how           text NOT NULL CHECK (how IN ('targeted', 'opened_on_spot')),
    linked_at     timestamptz NOT NULL DEFAULT now(),
    linked_by     text NOT NULL,
    PRIMARY KEY (operation_id, incident_id)
);
CREATE INDEX operation_incident_incident ON operation_incident (incident_id);

-- A change to a planned operation: the operation as it was before (times, people, targets), and why.
CREATE TABLE operation_revision (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operation_id  bigint NOT NULL REFERENCES operation (id),
    revised_at    timestamptz NOT NULL DEFAULT now(),
    revised_by    text NOT NULL,
    reason        text NOT NULL CHECK (reason <> '' AND length(reason) <= 1000),
    before        jsonb NOT NULL
);
CREATE INDEX operation_revision_operation ON operation_revision (operation_id);

CREATE TABLE operation_photo (
    sha256        bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes         bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 5242880),
    width         integer NOT NULL DEFAULT 0,
    height        integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- What the operation achieved. The newest outcome of an operation is its outcome; an older one stays,
-- and the newer names it (corrects) with a reason. The cases closed are not typed in: they are the
-- operation's cases' states, read from incidents when asked.
CREATE TABLE operation_outcome (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operation_id  bigint NOT NULL REFERENCES operation (id),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    recorded_by   text NOT NULL,
    notes         text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    photo_sha256  bytea[] NOT NULL DEFAULT '{}' CHECK (cardinality(photo_sha256) <= 6),
    corrects_id   bigint UNIQUE REFERENCES operation_outcome (id),
    reason        text CHECK (length(reason) <= 1000),
    CONSTRAINT operation_outcome_correction CHECK ((corrects_id IS NULL) = (reason IS NULL) AND reason <> '')
);
CREATE INDEX operation_outcome_operation ON operation_outcome (operation_id, id);

-- How each target shop was dealt with, as the outcome records it.
CREATE TABLE operation_outcome_shop (
    outcome_id   bigint NOT NULL REFERENCES operation_outcome (id),
    merchant_id  bigint NOT NULL REFERENCES merchant (id),
    dealt        text NOT NULL CHECK (dealt IN ('rectified_on_spot', 'fined', 'order_issued', 'no_one_present')),
    PRIMARY KEY (outcome_id, merchant_id)
);
