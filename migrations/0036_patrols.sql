-- 巡街: the patrols lane chiefs and inspectors walk, recorded by their phones. Owned by
-- internal/patrols. A patrol's id is a UUID its device made, so a phone offline can start one and
-- queue its fixes before the server has ever heard of it. The fixes are kept as sent; at the end
-- the track (a LineString), its statistics, the coverage of its areas and the proof verdict are
-- computed once and stored with it. A patrol is never deleted: a mistaken one is voided with a reason.

CREATE TABLE patrol (
    id                 uuid PRIMARY KEY,
    person_id          bigint NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    user_id            bigint REFERENCES app_user (id) ON DELETE SET NULL,
    -- Who started it, as internal/auth labels a principal; the events of a patrol are their records.
    actor              text NOT NULL CHECK (length(actor) BETWEEN 1 AND 300),
    started_at         timestamptz NOT NULL,
    ended_at           timestamptz,
    state              text NOT NULL DEFAULT 'recording' CHECK (state IN ('recording', 'ended', 'voided')),
    -- The areas the device named at the start; empty: the server chose them at the end (patrol_area).
    requested_area_ids bigint[] NOT NULL DEFAULT '{}' CHECK (cardinality(requested_area_ids) <= 50),
    note               text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    -- What a resend of the start or the end must match to be the same request again.
    start_sha256       bytea NOT NULL CHECK (octet_length(start_sha256) = 32),
    end_sha256         bytea CHECK (octet_length(end_sha256) = 32),
    pauses             jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(pauses) = 'array'),
    track              geometry(LineString, 4326),
    -- Where the track lies, by the rule of shops and areas (largest overlap), for the readers' scope.
    subdistrict_id     bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    community_id       bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    fixes              integer NOT NULL DEFAULT 0 CHECK (fixes >= 0),
    distance_m         real CHECK (distance_m >= 0),
    duration_s         integer CHECK (duration_s >= 0),
    moving_s           integer CHECK (moving_s >= 0),
    -- fieldproof.TrackStats as measured at the end.
    stats              jsonb,
    -- Mean share of the areas' surface within the buffer of the track; NULL: no area assigned.
    coverage           real CHECK (coverage BETWEEN 0 AND 1),
    replay_share       real CHECK (replay_share BETWEEN 0 AND 1),
    suspect            boolean,
    -- fieldproof.Reason objects: codes with figures, phrased by the readers' language.
    reasons            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(reasons) = 'array'),
    created_at         timestamptz NOT NULL DEFAULT now(),
    voided_at          timestamptz,
    voided_by_user_id  bigint REFERENCES app_user (id) ON DELETE SET NULL,
    void_reason        text CHECK (length(void_reason) BETWEEN 1 AND 500),
    CONSTRAINT patrol_track_srid CHECK (track IS NULL OR ST_SRID(track) = 4326),
    CONSTRAINT patrol_times CHECK (ended_at IS NULL OR ended_at >= started_at),
    CONSTRAINT patrol_state_times CHECK ((state = 'recording' AND ended_at IS NULL) OR (state = 'ended' AND ended_at IS NOT NULL)
        OR state = 'voided'),
    CONSTRAINT patrol_verdict_complete CHECK (ended_at IS NULL OR (suspect IS NOT NULL AND end_sha256 IS NOT NULL)),
    CONSTRAINT patrol_void_complete CHECK ((state = 'voided') = (voided_at IS NOT NULL) AND (voided_at IS NULL) = (void_reason IS NULL))
);
CREATE INDEX patrol_person_started ON patrol (person_id, started_at);
CREATE INDEX patrol_started ON patrol (started_at);
CREATE INDEX patrol_track_gist ON patrol USING gist (track);

-- A fix as the device sent it; seq orders them within the patrol, as the device numbered them.
-- There is no foreign key to patrol: its check ran once per row and cost as much as storing the
-- batch, while fixes are only ever written by internal/patrols under the lock of their patrol's
-- row, and patrols are never deleted.
CREATE TABLE patrol_fix (
    patrol_id   uuid NOT NULL,
    seq         integer NOT NULL CHECK (seq >= 0),
    position    geometry(Point, 4326) NOT NULL,
    accuracy_m  real NOT NULL CHECK (accuracy_m >= 0),
    at          timestamptz NOT NULL,
    -- The position quantised (fieldproof.FixKey): equal keys are the same coordinates.
    key         bigint NOT NULL,
    PRIMARY KEY (patrol_id, seq),
    CONSTRAINT patrol_fix_position_srid CHECK (ST_SRID(position) = 4326)
);

-- "Which earlier patrols were at exactly these positions": the replay check at every end probes
-- this index once per position. (An array of keys per patrol under a GIN index found the patrols
-- sharing any position as fast, but counting how many each shares then compared every key with
-- every key, and on a busy street every patrol shares a few by chance: quadratic in the day.)
CREATE INDEX patrol_fix_key ON patrol_fix (key);

-- The areas a patrol was to walk and the share of each its track covered.
CREATE TABLE patrol_area (
    patrol_id  uuid NOT NULL REFERENCES patrol (id) ON DELETE RESTRICT,
    area_id    bigint NOT NULL REFERENCES area (id) ON DELETE RESTRICT,
    coverage   real NOT NULL CHECK (coverage BETWEEN 0 AND 1),
    PRIMARY KEY (patrol_id, area_id)
);
CREATE INDEX patrol_area_area ON patrol_area (area_id);

-- internal/patrols' read interface for the assessment and reports: every ended patrol except the
-- voided, with its person, Beijing day, areas and whether it is suspect (flagged ones count apart).
CREATE VIEW patrol_standing AS
    SELECT p.id, p.person_id, (p.started_at AT TIME ZONE 'Asia/Shanghai')::date AS day, p.started_at, p.ended_at,
           p.subdistrict_id, p.community_id, p.distance_m, p.duration_s, p.coverage, p.suspect,
           ARRAY(SELECT a.area_id FROM patrol_area a WHERE a.patrol_id = p.id ORDER BY a.area_id) AS area_ids
      FROM patrol p
     WHERE p.state = 'ended';
COMMENT ON VIEW patrol_standing IS
    'read interface of internal/patrols to patrol: ended patrols except the voided, with person, Beijing day, areas and suspect flag';
