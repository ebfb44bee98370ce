-- 街长意见: the street chief's yearly opinion on each cadre linked to their subdistrict (a department's
-- leader or responsible person, a linked leader, a cross-appointee), kept for the organisation
-- department's personnel review. Owned by internal/cadres.
--
-- The table is append-only: a correction is a new row that names the row it supersedes and the
-- reason, so the review can see what was said first. The standing opinion of a post is the one no
-- row supersedes; the unique indexes keep that a single line per post and year (one first opinion,
-- each opinion corrected at most once), and a trigger refuses updates and deletes outright.

CREATE TABLE cadre_opinion (
    id               bigserial PRIMARY KEY,
    year             smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    person_id        bigint NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    subdistrict_id   bigint NOT NULL REFERENCES admin_unit (id) ON DELETE RESTRICT,
    -- The post the opinion is about, as the registry's assignment names it.
    role             text NOT NULL CHECK (role IN ('department_leader', 'department_liaison', 'linked_leader', 'cross_appointee')),
    department_id    bigint REFERENCES department (id) ON DELETE RESTRICT,
    level            text NOT NULL CHECK (level IN ('city', 'district')),
    rating           text NOT NULL CHECK (rating IN ('excellent', 'competent', 'basically_competent', 'incompetent')),
    body             text NOT NULL DEFAULT '' CHECK (char_length(body) <= 2000),
    supersedes       bigint REFERENCES cadre_opinion (id) ON DELETE RESTRICT,
    reason           text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL,
    created_by_user  bigint REFERENCES app_user (id) ON DELETE SET NULL,
    -- The two lowest ratings must say why; a correction must say why it corrects.
    CONSTRAINT cadre_opinion_body_of_low_rating CHECK (
        rating IN ('excellent', 'competent') OR char_length(btrim(body)) > 0),
    CONSTRAINT cadre_opinion_reason_of_correction CHECK (
        (supersedes IS NULL) = (char_length(btrim(reason)) = 0))
);

CREATE UNIQUE INDEX cadre_opinion_first ON cadre_opinion (year, person_id, subdistrict_id, role, (COALESCE(department_id, 0)), level)
    WHERE supersedes IS NULL;
CREATE UNIQUE INDEX cadre_opinion_corrected_once ON cadre_opinion (supersedes);
CREATE INDEX cadre_opinion_year ON cadre_opinion (year, subdistrict_id);

CREATE FUNCTION cadre_opinion_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cadre opinions are never changed or deleted; record a correction instead'
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER cadre_opinion_append_only BEFORE UPDATE OR DELETE ON cadre_opinion
    FOR EACH ROW EXECUTE FUNCTION cadre_opinion_append_only();
