-- Incidents (事件): what citizens and field staff report — illegal construction, street occupying,
-- damaged greenery … — routed to whoever is responsible where it happened, worked through the
-- persuade → escalate → joint enforcement workflow, and kept with every step of its history.

-- What can be reported, which departments join its joint enforcement, and how long each stage may take.
CREATE TABLE incident_category (
    code           text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name_zh        text NOT NULL CHECK (name_zh <> ''),
    name_en        text NOT NULL CHECK (name_en <> ''),
    departments    text[] NOT NULL DEFAULT '{}', -- department codes, checked by the application
    ack_hours      integer NOT NULL CHECK (ack_hours BETWEEN 1 AND 8760),     -- reported → assigned
    start_hours    integer NOT NULL CHECK (start_hours BETWEEN 1 AND 8760),   -- assigned → in_progress
    resolve_hours  integer NOT NULL CHECK (resolve_hours BETWEEN 1 AND 8760), -- in_progress → resolved
    updated_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO incident_category (code, name_zh, name_en, departments, ack_hours, start_hours, resolve_hours) VALUES
    ('illegal_construction', '乱搭乱建', 'Illegal construction', '{urban_management}', 4, 24, 168),
    ('street_occupying', '占道经营', 'Street occupying', '{urban_management,market_regulation}', 1, 2, 24),
    ('damaged_greenery', '毁坏绿化', 'Damaged greenery', '{urban_management}', 4, 24, 72),
    ('damaged_facilities', '毁坏市政基础设施', 'Damaged municipal facilities', '{urban_management,public_security}', 2, 8, 72),
    ('random_piling', '乱堆乱放', 'Random piling', '{urban_management}', 2, 8, 24),
    ('illegal_parking', '车辆乱停放', 'Illegal parking', '{traffic_police}', 1, 2, 8),
    ('sanitation', '环境卫生', 'Sanitation', '{urban_management,environment}', 2, 8, 24);

CREATE TABLE incident (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category              text NOT NULL REFERENCES incident_category (code) ON UPDATE CASCADE,
    status                text NOT NULL CHECK (status IN ('reported', 'assigned', 'in_progress', 'escalated',
                              'joint_enforcement', 'resolved', 'closed', 'reopened', 'rejected', 'duplicate')),
    description           text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    location              geometry(Point, 4326) NOT NULL,
    subdistrict_id        bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    community_id          bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    area_id               bigint REFERENCES area (id) ON DELETE SET NULL,
    assignee_person_id    bigint REFERENCES person (id) ON DELETE SET NULL,
    -- Whose desk it is on when nobody holds it: the subdistrict's (vacant posts) or the district duty desk
    -- (outside every subdistrict).
    queue                 text NOT NULL DEFAULT 'assignee' CHECK (queue IN ('assignee', 'subdistrict', 'district_desk')),
    outside_jurisdiction  boolean NOT NULL DEFAULT false,
    -- 0 area manager, 1 lane chief (巷长), 2 street chief (街长).
    escalation_level      smallint NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 2),
    department_ids        bigint[] NOT NULL DEFAULT '{}',
    likely_duplicate_of   bigint REFERENCES incident (id) ON DELETE SET NULL,
    duplicate_of          bigint REFERENCES incident (id) ON DELETE SET NULL,
    overdue               boolean NOT NULL DEFAULT false,
    due_at                timestamptz,
    reported_at           timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    reporter_user_id      bigint REFERENCES app_user (id) ON DELETE SET NULL,
    source                text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'open311', 'demo')),
    media_url             text NOT NULL DEFAULT '',
    CONSTRAINT incident_location_srid CHECK (ST_SRID(location) = 4326),
    CONSTRAINT incident_not_own_duplicate CHECK (duplicate_of IS DISTINCT FROM id AND likely_duplicate_of IS DISTINCT FROM id)
);
CREATE INDEX incident_location_gist ON incident USING gist (location);
CREATE INDEX incident_subdistrict ON incident (subdistrict_id, community_id);
CREATE INDEX incident_community ON incident (community_id);
CREATE INDEX incident_assignee ON incident (assignee_person_id);
CREATE INDEX incident_status ON incident (status);
CREATE INDEX incident_category_reported ON incident (category, reported_at DESC);
CREATE INDEX incident_area ON incident (area_id) WHERE area_id IS NOT NULL;
-- The escalation job's queue: open incidents by due time.
CREATE INDEX incident_due ON incident (due_at)
    WHERE due_at IS NOT NULL AND status NOT IN ('resolved', 'closed', 'rejected', 'duplicate');
CREATE INDEX incident_departments ON incident USING gin (department_ids);

-- Every step of an incident: who, when, from which status to which, and why. Never updated.
CREATE TABLE incident_event (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id         bigint NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
    at                  timestamptz NOT NULL DEFAULT now(),
    kind                text NOT NULL CHECK (kind IN ('reported', 'transition', 'note', 'escalated', 'overdue',
                            'rerouted', 'duplicate_suspected', 'duplicate_unlinked')),
    from_status         text,
    to_status           text,
    actor               text NOT NULL,
    user_id             bigint REFERENCES app_user (id) ON DELETE SET NULL,
    note                text NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    assignee_person_id  bigint REFERENCES person (id) ON DELETE SET NULL,
    department_ids      bigint[] NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_event_incident ON incident_event (incident_id, id);

-- Photo content, once per distinct image (by SHA-256), in the database so every replica serves it.
CREATE TABLE incident_photo (
    sha256        bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes         bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 5242880),
    width         integer NOT NULL DEFAULT 0,
    height        integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- The photos of an incident, numbered 1, 2, … in the order they were attached (at intake or with an event).
CREATE TABLE incident_photo_ref (
    incident_id  bigint NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
    n            integer NOT NULL CHECK (n >= 1),
    sha256       bytea NOT NULL REFERENCES incident_photo (sha256) ON DELETE RESTRICT,
    event_id     bigint REFERENCES incident_event (id) ON DELETE SET NULL,
    PRIMARY KEY (incident_id, n)
);
CREATE INDEX incident_photo_ref_sha ON incident_photo_ref (sha256);

-- Idempotency keys of reports: a retried request with the same key and the same content gets the first
-- answer again instead of a second incident. Written in the transaction that creates the incident.
CREATE TABLE incident_idempotency (
    endpoint     text NOT NULL CHECK (endpoint <> ''),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    body_sha256  bytea NOT NULL CHECK (octet_length(body_sha256) = 32),
    status       integer NOT NULL,
    response     jsonb NOT NULL,
    incident_id  bigint NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (endpoint, key)
);
CREATE INDEX incident_idempotency_created ON incident_idempotency (created_at);

