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

-- The cases already held, from their events.
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
