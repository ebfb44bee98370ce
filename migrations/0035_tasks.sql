-- 督办: tasks the city or the district hands down to the subdistricts (the street chief's fifth
-- duty, "根据市、区党委政府下达的其他城市管理目标任务,逐项组织实施"). Owned by internal/tasks.
--
-- Nothing here is deleted or edited in place. A task's deadline change and its cancellation are
-- revisions with a reason, and the task's current deadline is its newest revision's; an item moves
-- on only by events (progress, a claim that it is done, acceptance, return), and its state is read
-- from its newest event, never stored, so no job has to keep a state column right.

CREATE TABLE task_photo (
    sha256        bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes         bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 5242880),
    width         integer NOT NULL DEFAULT 0,
    height        integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE task (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    issuer_level    text NOT NULL CHECK (issuer_level IN ('city', 'district')),
    issuing_office  text NOT NULL CHECK (issuing_office <> '' AND length(issuing_office) <= 200),
    title           text NOT NULL CHECK (title <> '' AND length(title) <= 200),
    body            text NOT NULL DEFAULT '' CHECK (length(body) <= 4000),
    done_when       text NOT NULL CHECK (done_when <> '' AND length(done_when) <= 2000),
    -- The deadline as issued; a later one is a revision's.
    deadline        timestamptz NOT NULL,
    target_area     geometry(MultiPolygon, 4326) CHECK (target_area IS NULL OR (ST_IsValid(target_area) AND NOT ST_IsEmpty(target_area))),
    photo_sha256    bytea[] NOT NULL DEFAULT '{}' CHECK (cardinality(photo_sha256) <= 6),
    issued_by       text NOT NULL,
    -- The issuer's person, told when an item stays overdue; 0 when the account has none.
    issuer_person_id bigint REFERENCES person (id),
    issued_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_deadline ON task (deadline);

-- Each subdistrict the task goes to: its part (分解到街道).
CREATE TABLE task_part (
    task_id         bigint NOT NULL REFERENCES task (id),
    subdistrict_id  bigint NOT NULL REFERENCES admin_unit (id),
    PRIMARY KEY (task_id, subdistrict_id)
);
CREATE INDEX task_part_subdistrict ON task_part (subdistrict_id);

CREATE TABLE task_area (
    task_id  bigint NOT NULL REFERENCES task (id),
    area_id  bigint NOT NULL REFERENCES area (id),
    PRIMARY KEY (task_id, area_id)
);

CREATE TABLE task_point (
    task_id   bigint NOT NULL REFERENCES task (id),
    n         integer NOT NULL CHECK (n BETWEEN 1 AND 200),
    label     text NOT NULL CHECK (label <> '' AND length(label) <= 200),
    location  geometry(Point, 4326) NOT NULL,
    PRIMARY KEY (task_id, n)
);

-- A deadline change or the cancellation, with the reason; the newest deadline is the task's.
CREATE TABLE task_revision (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id       bigint NOT NULL REFERENCES task (id),
    kind          text NOT NULL CHECK (kind IN ('deadline', 'cancel')),
    deadline      timestamptz,
    reason        text NOT NULL CHECK (reason <> '' AND length(reason) <= 1000),
    revised_by    text NOT NULL,
    revised_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT task_revision_deadline CHECK ((kind = 'deadline') = (deadline IS NOT NULL))
);
CREATE INDEX task_revision_task ON task_revision (task_id, id);
-- A task is cancelled once.
CREATE UNIQUE INDEX task_revision_one_cancel ON task_revision (task_id) WHERE kind = 'cancel';

-- An item of a subdistrict's part: for one of its communities, or kept at subdistrict level (NULL).
CREATE TABLE task_item (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id         bigint NOT NULL,
    subdistrict_id  bigint NOT NULL,
    community_id    bigint REFERENCES admin_unit (id),
    text            text NOT NULL CHECK (text <> '' AND length(text) <= 1000),
    deadline        timestamptz NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (task_id, subdistrict_id) REFERENCES task_part (task_id, subdistrict_id)
);
CREATE INDEX task_item_task ON task_item (task_id, subdistrict_id);
CREATE INDEX task_item_deadline ON task_item (subdistrict_id, deadline);
CREATE INDEX task_item_community ON task_item (community_id);

-- What happened to an item: progress reported, a claim that it is done, the issuer's acceptance or
-- return (with its reason). The newest event is the item's state.
CREATE TABLE task_event (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id       bigint NOT NULL REFERENCES task_item (id),
    kind          text NOT NULL CHECK (kind IN ('progress', 'claim', 'accept', 'return')),
    text          text NOT NULL DEFAULT '' CHECK (length(text) <= 2000),
    percent       smallint CHECK (percent BETWEEN 0 AND 100),
    photo_sha256  bytea[] NOT NULL DEFAULT '{}' CHECK (cardinality(photo_sha256) <= 6),
    location      geometry(Point, 4326),
    accuracy_m    real CHECK (accuracy_m IS NULL OR accuracy_m BETWEEN 0 AND 10000),
    -- The position lay outside the item's community (subdistrict) or away from the task's targets:
    -- kept, and shown, rather than refused, since a phone's fix may be poor.
    off_site      boolean NOT NULL DEFAULT false,
    by_label      text NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT task_event_return_reason CHECK (kind <> 'return' OR text <> '')
);
CREATE INDEX task_event_item ON task_event (item_id, id);

-- The one-time escalation of what is overdue: an item (or a part not broken down, item_id 0) told
-- to the street chief first (step street_chief), then to the issuer (step issuer).
CREATE TABLE task_escalation (
    task_id         bigint NOT NULL REFERENCES task (id),
    subdistrict_id  bigint NOT NULL,
    item_id         bigint NOT NULL DEFAULT 0,
    step            text NOT NULL CHECK (step IN ('street_chief', 'issuer')),
    at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, subdistrict_id, item_id, step)
);
