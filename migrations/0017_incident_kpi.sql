-- The assessment KPIs (internal/incidents/kpi.go) read, of each case's history, only the changes into
-- and out of its end states and the markers of a passed due time. This partial index holds exactly
-- those events with the columns the KPIs read, so a year of cases is counted from an index scan of a
-- few entries per case instead of every step and note.
CREATE INDEX incident_event_kpi ON incident_event (incident_id, at) INCLUDE (kind, from_status, to_status)
    WHERE to_status IN ('resolved', 'closed', 'reopened', 'rejected', 'duplicate') OR kind IN ('overdue', 'escalated');
