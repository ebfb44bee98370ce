-- One slice (:batch of :batches, oldest first) of a year of :cases synthetic cases, set-based, through
-- the parent tables (incident, incident_event) so the KPI triggers keep incident_kpi_case and
-- incident_kpi_day as real intake would, and a month-partitioned incident_event routes each event to
-- its month. Reports lie between 360 and 5 days ago and every event at most 4 days after its report, so
-- all of a case's history is in the past and in the last 12 months. Status mix per 100 cases:
-- 70 closed, 8 resolved, 7 in progress, 6 assigned, 4 reported, 3 rejected, 2 escalated (overdue);
-- resolution 2 to 72 h after the report, closure a day after that.
\set ON_ERROR_STOP on
SELECT coalesce(max(id), 0) AS first_id FROM incident \gset
SELECT count(*) AS picks FROM scale_pick \gset
SELECT count(*) AS categories FROM scale_category \gset
WITH src AS (
    SELECT now() - interval '5 days' - (:batches - :batch) * interval '355 days' / :batches
               - random() * interval '355 days' / :batches AS at,
           1 + floor(random() * :picks)::bigint AS pick, 1 + floor(random() * :categories)::bigint AS cat,
           random() AS r
      FROM generate_series(1, :cases / :batches) g
)
INSERT INTO incident (category, status, description, location, subdistrict_id, community_id, area_id, queue,
                      reported_at, updated_at, source, overdue)
SELECT c.code,
       CASE WHEN s.r < 0.70 THEN 'closed' WHEN s.r < 0.78 THEN 'resolved' WHEN s.r < 0.85 THEN 'in_progress'
            WHEN s.r < 0.91 THEN 'assigned' WHEN s.r < 0.95 THEN 'reported' WHEN s.r < 0.98 THEN 'rejected'
            ELSE 'escalated' END,
       'synthetic case', p.pt, p.subdistrict_id, p.community_id, p.area_id, 'subdistrict', s.at, s.at, 'demo',
       s.r >= 0.98
  FROM src s JOIN scale_pick p ON p.n = s.pick JOIN scale_category c ON c.n = s.cat;

INSERT INTO incident_event (incident_id, at, kind, from_status, to_status, actor, note)
SELECT i.id, i.reported_at + e.after, e.kind, e.from_status, e.to_status, 'synthetic', ''
  FROM incident i
 CROSS JOIN LATERAL (VALUES
        (0, interval '0', 'reported', NULL, 'reported'),
        (1, interval '1 hour', 'transition', 'reported', 'assigned'),
        (2, interval '90 minutes', 'transition', 'assigned', 'in_progress'),
        (3, (2 + i.id % 71) * interval '1 hour', 'transition', 'in_progress', 'resolved'),
        (4, (26 + i.id % 71) * interval '1 hour', 'transition', 'resolved', 'closed'),
        (5, interval '1 hour', 'transition', 'reported', 'rejected'),
        (6, interval '2 days', 'escalated', 'assigned', 'escalated')
     ) AS e(step, after, kind, from_status, to_status)
 WHERE i.id > :first_id
   AND (e.step = 0
        OR (e.step = 1 AND i.status IN ('assigned', 'in_progress', 'resolved', 'closed', 'escalated'))
        OR (e.step = 2 AND i.status IN ('in_progress', 'resolved', 'closed'))
        OR (e.step = 3 AND i.status IN ('resolved', 'closed'))
        OR (e.step = 4 AND i.status = 'closed')
        OR (e.step = 5 AND i.status = 'rejected')
        OR (e.step = 6 AND i.status = 'escalated'));
