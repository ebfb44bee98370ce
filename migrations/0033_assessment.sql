-- 考评: the subdistricts' monthly and quarterly assessment. Owned by internal/assessment.
--
-- A score sheet (考评细则) is a versioned template: a period uses the newest version of its kind in
-- force on its first day, and a version cannot be created to take effect where a period already has
-- marks or results, so next year's sheet never rewrites last year's scores. Assessors' marks are
-- append-only (a mark is superseded by a newer one or voided, with the row kept). Publishing freezes
-- the period: a publication is a numbered revision holding every item's points with the figures they
-- came from, each subdistrict's total and rank, and the outcomes (rewards, penalties, interviews,
-- commendations) with their reasons. An amendment is a new revision with a reason; the old one stays.
-- Every table here refuses UPDATE and DELETE.

CREATE TABLE assessment_template (
    id              bigserial PRIMARY KEY,
    period_kind     text NOT NULL CHECK (period_kind IN ('month', 'quarter')),
    version         integer NOT NULL CHECK (version >= 1),
    name            text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
    effective_from  date NOT NULL,
    -- Quarter sheets: the share (per cent) of the quarter's own inspection in the quarter's score; the
    -- rest is the average of its three months' published scores (每月一小考, 每季一大考).
    quarter_share   numeric(5,2) CHECK (quarter_share BETWEEN 0 AND 100),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL,
    UNIQUE (period_kind, version),
    UNIQUE (period_kind, effective_from),
    CHECK ((period_kind = 'quarter') = (quarter_share IS NOT NULL))
);

CREATE TABLE assessment_template_item (
    template_id  bigint NOT NULL REFERENCES assessment_template (id),
    code         text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
    position     integer NOT NULL,
    name_zh      text NOT NULL CHECK (char_length(btrim(name_zh)) BETWEEN 1 AND 100),
    name_en      text NOT NULL CHECK (char_length(btrim(name_en)) BETWEEN 1 AND 100),
    max_points   numeric(5,2) NOT NULL CHECK (max_points > 0 AND max_points <= 100),
    source       text NOT NULL CHECK (source IN ('computed', 'entered', 'sample')),
    -- Computed items: the platform figure and the values at which it earns full and zero marks, the
    -- points linear between them (full_at < zero_at for a figure where less is better).
    metric       text,
    full_at      numeric(12,4),
    zero_at      numeric(12,4),
    PRIMARY KEY (template_id, code),
    UNIQUE (template_id, position),
    CHECK ((source = 'computed') = (metric IS NOT NULL AND full_at IS NOT NULL AND zero_at IS NOT NULL)),
    CHECK (full_at IS NULL OR full_at <> zero_at)
);

CREATE TABLE assessment_period (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('month', 'quarter')),
    label       text NOT NULL CHECK (label ~ '^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$'),
    starts      date NOT NULL,
    ends        date NOT NULL CHECK (ends > starts), -- exclusive
    template_id bigint NOT NULL REFERENCES assessment_template (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, label)
);

-- An assessor's mark on an entered item (实地检查, 随机抽查) of one subdistrict in one period. The
-- standing mark is the newest not voided.
CREATE TABLE assessment_mark (
    id              bigserial PRIMARY KEY,
    period_id       bigint NOT NULL REFERENCES assessment_period (id),
    subdistrict_id  bigint NOT NULL REFERENCES admin_unit (id),
    item_code       text NOT NULL,
    points          numeric(5,2) NOT NULL CHECK (points >= 0),
    note            text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL,
    created_by_user bigint REFERENCES app_user (id) ON DELETE SET NULL,
    supersedes      bigint REFERENCES assessment_mark (id),
    voids           bigint REFERENCES assessment_mark (id),
    reason          text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
    CHECK (voids IS NULL OR supersedes IS NULL),
    CHECK ((supersedes IS NULL AND voids IS NULL) OR char_length(btrim(reason)) > 0)
);
CREATE INDEX assessment_mark_period ON assessment_mark (period_id, subdistrict_id, item_code);
CREATE UNIQUE INDEX assessment_mark_superseded_once ON assessment_mark (supersedes);
CREATE UNIQUE INDEX assessment_mark_voided_once ON assessment_mark (voids);

CREATE TABLE assessment_mark_photo (
    mark_id      bigint NOT NULL REFERENCES assessment_mark (id),
    seq          smallint NOT NULL CHECK (seq BETWEEN 1 AND 6),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes        bytea NOT NULL CHECK (octet_length(bytes) <= 8388608),
    PRIMARY KEY (mark_id, seq)
);

-- The areas the platform drew at random for an assessor's spot check (随机抽查) of a subdistrict.
CREATE TABLE assessment_sample (
    period_id      bigint NOT NULL REFERENCES assessment_period (id),
    subdistrict_id bigint NOT NULL REFERENCES admin_unit (id),
    item_code      text NOT NULL,
    area_id        bigint NOT NULL REFERENCES area (id),
    seq            smallint NOT NULL,
    drawn_at       timestamptz NOT NULL DEFAULT now(),
    drawn_by       text NOT NULL,
    PRIMARY KEY (period_id, subdistrict_id, item_code, seq),
    UNIQUE (period_id, subdistrict_id, item_code, area_id)
);

-- A publication: revision 1 publishes the period, later ones amend it with a reason.
CREATE TABLE assessment_publication (
    id              bigserial PRIMARY KEY,
    period_id       bigint NOT NULL REFERENCES assessment_period (id),
    revision        integer NOT NULL CHECK (revision >= 1),
    reason          text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 1000),
    -- The publication whose amendment made this one necessary (a month amended changes its quarter; a
    -- quarter amended changes the streaks of the quarters after it).
    follows         bigint REFERENCES assessment_publication (id),
    rules           jsonb NOT NULL, -- the policy rules the outcomes were drawn by (policy.Rules)
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL,
    created_by_user bigint REFERENCES app_user (id) ON DELETE SET NULL,
    UNIQUE (period_id, revision),
    CHECK ((revision = 1) = (char_length(btrim(reason)) = 0))
);

CREATE TABLE assessment_score (
    publication_id bigint NOT NULL REFERENCES assessment_publication (id),
    subdistrict_id bigint NOT NULL REFERENCES admin_unit (id),
    item_code      text NOT NULL,
    points         numeric(5,2) NOT NULL CHECK (points >= 0),
    figures        jsonb NOT NULL,
    PRIMARY KEY (publication_id, subdistrict_id, item_code)
);

CREATE TABLE assessment_result (
    publication_id  bigint NOT NULL REFERENCES assessment_publication (id),
    subdistrict_id  bigint NOT NULL REFERENCES admin_unit (id),
    sheet_total     numeric(5,2) NOT NULL, -- the period's own sheet
    months_average  numeric(5,2),          -- quarters: the three months' published average
    score           numeric(5,2) NOT NULL CHECK (score BETWEEN 0 AND 100),
    rank            integer NOT NULL CHECK (rank >= 1),
    PRIMARY KEY (publication_id, subdistrict_id)
);

CREATE TABLE assessment_outcome (
    id             bigserial PRIMARY KEY,
    publication_id bigint NOT NULL REFERENCES assessment_publication (id),
    subdistrict_id bigint NOT NULL REFERENCES admin_unit (id),
    kind           text NOT NULL CHECK (kind IN ('reward', 'penalty', 'interview', 'public_explanation', 'commendation', 'note')),
    rule           text NOT NULL,
    yuan           bigint NOT NULL DEFAULT 0 CHECK (yuan >= 0),
    text_en        text NOT NULL,
    text_zh        text NOT NULL
);
CREATE INDEX assessment_outcome_publication ON assessment_outcome (publication_id);

-- The funds ledger's entries each publication booked for a period's money outcomes, so that an
-- amendment books only the difference, as a correction of the first entry.
CREATE TABLE assessment_ledger (
    entry_id       bigint PRIMARY KEY, -- internal/funds' entry
    publication_id bigint NOT NULL REFERENCES assessment_publication (id),
    period_id      bigint NOT NULL REFERENCES assessment_period (id),
    subdistrict_id bigint NOT NULL REFERENCES admin_unit (id),
    kind           text NOT NULL CHECK (kind IN ('reward', 'penalty')),
    payer          text NOT NULL CHECK (payer IN ('city', 'district')),
    fen            bigint NOT NULL
);
CREATE INDEX assessment_ledger_period ON assessment_ledger (period_id, subdistrict_id);

CREATE FUNCTION assessment_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never changed or deleted; amend with a new record instead', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['assessment_template', 'assessment_template_item', 'assessment_period',
        'assessment_mark', 'assessment_mark_photo', 'assessment_sample', 'assessment_publication',
        'assessment_score', 'assessment_result', 'assessment_outcome', 'assessment_ledger'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION assessment_append_only()',
            t || '_append_only', t);
    END LOOP;
END $$;

-- The standing publication of each period: its newest revision. Other packages (the cadres' bonus
-- table, the linked-outcome exports) read published scores through this view.
CREATE VIEW assessment_published AS
SELECT p.kind AS period_kind, p.label AS period, p.starts, p.ends, pub.id AS publication_id, pub.revision,
       pub.created_at AS published_at, r.subdistrict_id, r.score, r.rank
FROM assessment_period p
JOIN LATERAL (SELECT * FROM assessment_publication x WHERE x.period_id = p.id ORDER BY x.revision DESC LIMIT 1) pub ON true
JOIN assessment_result r ON r.publication_id = pub.id;
COMMENT ON VIEW assessment_published IS
    'read interface of internal/assessment: the published (standing revision) score and rank of each subdistrict for each assessed month and quarter';
