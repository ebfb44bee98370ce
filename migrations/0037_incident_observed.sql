-- A report made on a phone while offline reaches the server later: observed_at is when the reporter
-- saw the problem (the device's clock, bounded by the intake to five minutes ahead and a week back),
-- accuracy_m the GPS fix's accuracy in metres. Both are optional and informative only: reported_at
-- stays the server's receipt, and every KPI clock runs from it. Owned by internal/incidents.
ALTER TABLE incident
    ADD COLUMN observed_at timestamptz,
    ADD COLUMN accuracy_m  real CHECK (accuracy_m >= 0 AND accuracy_m <= 10000),
    ADD CONSTRAINT incident_observed_plausible
        CHECK (observed_at BETWEEN reported_at - interval '7 days' AND reported_at + interval '5 minutes');
