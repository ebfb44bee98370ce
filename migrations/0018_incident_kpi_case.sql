-- One row per case with what the assessment KPIs and their trend charts read of it
-- (internal/incidents/kpi*.go): where it is counted (its units, area, assignee and departments, as on
-- the incident) and the moments of its lifecycle, as its KPI events (the end states, reopenings and
-- the markers of a passed due time — those of incident_event_kpi) leave them. A year of a million
-- cases is then counted from a million narrow rows instead of their events; only the few cases with
-- an event after a past period's end have theirs read (kpi.go).
--
-- It is kept by triggers, in the transaction of every write to incident and incident_event, rather
-- than by the workflow's Go code: every writer — the workflow, the escalation job, re-routing,
-- verification, the demo loader's COPY, bulk imports — then keeps it right without knowing it is
-- there, and nothing can write a case's history without its summary. The triggers are per statement,
-- over the statement's transition table, so that a bulk load is one join, not a call per row.
CREATE TABLE incident_kpi_case (
    incident_id         bigint PRIMARY KEY REFERENCES incident (id) ON DELETE CASCADE,
    reported_at         timestamptz NOT NULL,
    subdistrict_id      bigint,
    community_id        bigint,
    area_id             bigint,
    assignee_person_id  bigint,
    department_ids      bigint[] NOT NULL DEFAULT '{}',
    first_handled_at    timestamptz,            -- first resolution or closure
    last_closed_at      timestamptz,
    last_reopened_at    timestamptz,
    last_excluded_at    timestamptz,            -- last rejection or marking as duplicate
    first_late_at       timestamptz,            -- first 'overdue' or 'escalated' event: a due time passed
    reworks             integer NOT NULL DEFAULT 0 CHECK (reworks >= 0), -- reopenings from resolved or closed
    last_event_at       timestamptz,            -- the last of its KPI events; NULL: it has none
    -- Report to last closure in seconds, as the KPIs' percentiles order them: the same numeric-to-float
    -- cast as percentile_cont's argument, made once at the write rather than per case per request.
    close_seconds       double precision GENERATED ALWAYS AS (extract(epoch FROM last_closed_at - reported_at)) STORED
);
CREATE INDEX incident_kpi_case_reported ON incident_kpi_case (reported_at);
COMMENT ON TABLE incident_kpi_case IS 'internal/incidents: per-case KPI summary, kept by triggers on incident and incident_event';

-- The KPI events of a transition table, folded per case; the same condition as kpi.go's kpiEventsSQL
-- and the partial index incident_event_kpi.
CREATE FUNCTION incident_kpi_case_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_kpi_case c SET
        first_handled_at = LEAST(c.first_handled_at, e.first_handled),
        last_closed_at = GREATEST(c.last_closed_at, e.last_closed),
        last_reopened_at = GREATEST(c.last_reopened_at, e.last_reopened),
        last_excluded_at = GREATEST(c.last_excluded_at, e.last_excluded),
        first_late_at = LEAST(c.first_late_at, e.first_late),
        reworks = c.reworks + e.reworks,
        last_event_at = GREATEST(c.last_event_at, e.last_event)
    FROM (SELECT a.incident_id,
                 min(a.at) FILTER (WHERE a.to_status IN ('resolved', 'closed')) AS first_handled,
                 max(a.at) FILTER (WHERE a.to_status = 'closed') AS last_closed,
                 max(a.at) FILTER (WHERE a.to_status = 'reopened') AS last_reopened,
                 max(a.at) FILTER (WHERE a.to_status IN ('rejected', 'duplicate')) AS last_excluded,
                 min(a.at) FILTER (WHERE a.kind IN ('overdue', 'escalated')) AS first_late,
                 count(*) FILTER (WHERE a.to_status = 'reopened' AND a.from_status IN ('resolved', 'closed')) AS reworks,
                 max(a.at) AS last_event
            FROM added a
           WHERE a.to_status IN ('resolved', 'closed', 'reopened', 'rejected', 'duplicate') OR a.kind IN ('overdue', 'escalated')
           GROUP BY a.incident_id) e
    WHERE c.incident_id = e.incident_id;
    RETURN NULL;
END $$;
CREATE TRIGGER incident_kpi_case_events AFTER INSERT ON incident_event
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION incident_kpi_case_events();

CREATE FUNCTION incident_kpi_case_reported() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incident_kpi_case (incident_id, reported_at, subdistrict_id, community_id, area_id, assignee_person_id, department_ids)
    SELECT a.id, a.reported_at, a.subdistrict_id, a.community_id, a.area_id, a.assignee_person_id, a.department_ids FROM added a;
    RETURN NULL;
END $$;
CREATE TRIGGER incident_kpi_case_reported AFTER INSERT ON incident
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION incident_kpi_case_reported();

-- Re-routing, assignment and joining departments move a case between the KPIs' groups. A trigger
-- with a transition table may not name columns, so it fires on every update and writes only rows
-- whose grouping changed.
CREATE FUNCTION incident_kpi_case_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_kpi_case c SET reported_at = n.reported_at, subdistrict_id = n.subdistrict_id,
        community_id = n.community_id, area_id = n.area_id, assignee_person_id = n.assignee_person_id,
        department_ids = n.department_ids
    FROM changed n
    WHERE c.incident_id = n.id
      AND (c.reported_at, c.subdistrict_id, c.community_id, c.area_id, c.assignee_person_id, c.department_ids)
          IS DISTINCT FROM (n.reported_at, n.subdistrict_id, n.community_id, n.area_id, n.assignee_person_id, n.department_ids);
    RETURN NULL;
END $$;
CREATE TRIGGER incident_kpi_case_moved AFTER UPDATE ON incident
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION incident_kpi_case_moved();

-- The trend charts' counts per Beijing day and place: cases reported, closed (their last closure, not
-- reopened since) and gone overdue (their first overdue or escalated event) that day. A year of a
-- district is then a few hundred thousand rows at most, however many cases it had. Kept from
-- incident_kpi_case by the triggers below: each changed summary row takes back what its old version
-- counted and counts its new one. Places are 0 where a case is in no unit, so that the key is whole.
CREATE TABLE incident_kpi_day (
    day             date   NOT NULL,
    subdistrict_id  bigint NOT NULL,
    community_id    bigint NOT NULL,
    opened          integer NOT NULL DEFAULT 0,
    closed          integer NOT NULL DEFAULT 0,
    overdue         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (day, subdistrict_id, community_id)
);
COMMENT ON TABLE incident_kpi_day IS 'internal/incidents: trend counts per Beijing day and place, kept from incident_kpi_case';

-- What one summary row counts, times sign. Beijing has been UTC+8 without daylight saving since 1991,
-- so an offset gives its dates without a time zone database.
CREATE FUNCTION incident_kpi_day_parts(sign integer, reported_at timestamptz, subdistrict_id bigint, community_id bigint,
        last_closed_at timestamptz, last_reopened_at timestamptz, first_late_at timestamptz)
    RETURNS TABLE (day date, subdistrict_id bigint, community_id bigint, opened integer, closed integer, overdue integer)
    LANGUAGE sql STABLE AS $$
    SELECT ((p.at AT TIME ZONE 'UTC') + interval '8 hours')::date, COALESCE(subdistrict_id, 0), COALESCE(community_id, 0),
           sign * (p.kind = 0)::integer, sign * (p.kind = 1)::integer, sign * (p.kind = 2)::integer
      FROM (VALUES (0, reported_at),
                   (1, CASE WHEN last_reopened_at IS NULL OR last_closed_at > last_reopened_at THEN last_closed_at END),
                   (2, first_late_at)) p(kind, at)
     WHERE p.at IS NOT NULL
$$;

-- Adds what the statement's new summary rows count and takes back what its old ones counted, in key
-- order, so that two writers lock the day rows they share in the same order.
CREATE FUNCTION incident_kpi_day_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO incident_kpi_day AS d (day, subdistrict_id, community_id, opened, closed, overdue)
        SELECT p.day, p.subdistrict_id, p.community_id, sum(p.opened), sum(p.closed), sum(p.overdue)
          FROM added n, incident_kpi_day_parts(1, n.reported_at, n.subdistrict_id, n.community_id, n.last_closed_at, n.last_reopened_at, n.first_late_at) p
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (day, subdistrict_id, community_id) DO UPDATE
            SET opened = d.opened + EXCLUDED.opened, closed = d.closed + EXCLUDED.closed, overdue = d.overdue + EXCLUDED.overdue;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO incident_kpi_day AS d (day, subdistrict_id, community_id, opened, closed, overdue)
        SELECT p.day, p.subdistrict_id, p.community_id, sum(p.opened), sum(p.closed), sum(p.overdue)
          FROM (SELECT q.* FROM added n, incident_kpi_day_parts(1, n.reported_at, n.subdistrict_id, n.community_id, n.last_closed_at, n.last_reopened_at, n.first_late_at) q
                UNION ALL
                SELECT q.* FROM removed o, incident_kpi_day_parts(-1, o.reported_at, o.subdistrict_id, o.community_id, o.last_closed_at, o.last_reopened_at, o.first_late_at) q) p
         GROUP BY 1, 2, 3 HAVING sum(p.opened) <> 0 OR sum(p.closed) <> 0 OR sum(p.overdue) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (day, subdistrict_id, community_id) DO UPDATE
            SET opened = d.opened + EXCLUDED.opened, closed = d.closed + EXCLUDED.closed, overdue = d.overdue + EXCLUDED.overdue;
    ELSE
        INSERT INTO incident_kpi_day AS d (day, subdistrict_id, community_id, opened, closed, overdue)
        SELECT p.day, p.subdistrict_id, p.community_id, sum(p.opened), sum(p.closed), sum(p.overdue)
          FROM removed o, incident_kpi_day_parts(-1, o.reported_at, o.subdistrict_id, o.community_id, o.last_closed_at, o.last_reopened_at, o.first_late_at) p
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (day, subdistrict_id, community_id) DO UPDATE
            SET opened = d.opened + EXCLUDED.opened, closed = d.closed + EXCLUDED.closed, overdue = d.overdue + EXCLUDED.overdue;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER incident_kpi_day_insert AFTER INSERT ON incident_kpi_case
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION incident_kpi_day_add();
CREATE TRIGGER incident_kpi_day_update AFTER UPDATE ON incident_kpi_case
    REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION incident_kpi_day_add();
CREATE TRIGGER incident_kpi_day_delete AFTER DELETE ON incident_kpi_case
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION incident_kpi_day_add();

-- The cases already held, from their events (the triggers above count them into the days).
INSERT INTO incident_kpi_case (incident_id, reported_at, subdistrict_id, community_id, area_id, assignee_person_id,
        department_ids, first_handled_at, last_closed_at, last_reopened_at, last_excluded_at, first_late_at, reworks, last_event_at)
SELECT i.id, i.reported_at, i.subdistrict_id, i.community_id, i.area_id, i.assignee_person_id, i.department_ids,
       e.first_handled, e.last_closed, e.last_reopened, e.last_excluded, e.first_late, COALESCE(e.reworks, 0), e.last_event
  FROM incident i LEFT JOIN (
        SELECT a.incident_id,
               min(a.at) FILTER (WHERE a.to_status IN ('resolved', 'closed')) AS first_handled,
               max(a.at) FILTER (WHERE a.to_status = 'closed') AS last_closed,
               max(a.at) FILTER (WHERE a.to_status = 'reopened') AS last_reopened,
               max(a.at) FILTER (WHERE a.to_status IN ('rejected', 'duplicate')) AS last_excluded,
               min(a.at) FILTER (WHERE a.kind IN ('overdue', 'escalated')) AS first_late,
               count(*) FILTER (WHERE a.to_status = 'reopened' AND a.from_status IN ('resolved', 'closed')) AS reworks,
               max(a.at) AS last_event
          FROM incident_event a
         WHERE a.to_status IN ('resolved', 'closed', 'reopened', 'rejected', 'duplicate') OR a.kind IN ('overdue', 'escalated')
         GROUP BY a.incident_id) e ON e.incident_id = i.id;
