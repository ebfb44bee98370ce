-- 屡教不改: a shop that offends again and again, or refuses to correct, is handed to joint
-- enforcement as one incident. Owned by internal/merchants, like 0019. The default rule (3 violations
-- within 30 days) is in Go; a category may override it here. A case links the incident to every
-- inspection that triggered it or was added to it while it was open.

CREATE TABLE merchant_repeat_rule (
    -- An incident category code of the catalogue (checked in Go against internal/incidents' API).
    category            text PRIMARY KEY CHECK (category ~ '^[0-9]{2}-[0-9]{2}$' OR category ~ '^[a-z][a-z0-9_]{0,62}$'),
    violations          smallint NOT NULL CHECK (violations BETWEEN 1 AND 100),
    window_days         smallint NOT NULL CHECK (window_days BETWEEN 1 AND 366),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    updated_by_user_id  bigint REFERENCES app_user (id) ON DELETE SET NULL
);

CREATE TABLE merchant_repeat_case (
    merchant_id    bigint NOT NULL REFERENCES merchant (id) ON DELETE RESTRICT,
    incident_id    bigint NOT NULL REFERENCES incident (id) ON DELETE RESTRICT,
    inspection_id  bigint NOT NULL REFERENCES merchant_inspection (id) ON DELETE RESTRICT,
    -- violations: the N-in-D rule fired; refusal: the shopkeeper refused to correct; added: a later
    -- trigger while the incident was still open.
    cause          text NOT NULL CHECK (cause IN ('violations', 'refusal', 'added')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (incident_id, inspection_id)
);
-- An inspection counts towards one case only.
CREATE UNIQUE INDEX merchant_repeat_case_inspection ON merchant_repeat_case (inspection_id);
CREATE INDEX merchant_repeat_case_merchant ON merchant_repeat_case (merchant_id, incident_id);

-- The repeat-offender rule reads a shop's recent violations at every inspection; one in twenty
-- inspections has any, so this index keeps that read to a few rows however long the shop's history.
CREATE INDEX merchant_inspection_violations ON merchant_inspection (merchant_id, at)
    WHERE violations > 0 AND voided_at IS NULL;

-- internal/merchants' read interface for the merchants tile layer: the shops handed to joint
-- enforcement as repeat offenders, each with its incident and whether that is still open.
CREATE VIEW merchant_repeat_offender AS
    SELECT DISTINCT c.merchant_id, c.incident_id, (o.id IS NOT NULL) AS open
      FROM merchant_repeat_case c
      LEFT JOIN open_incident o ON o.id = c.incident_id;
COMMENT ON VIEW merchant_repeat_offender IS 'read interface of internal/merchants: repeat-offender shops, their incident and whether it is open';

-- What a resend with the same Idempotency-Key must match: the digest of the inspection as first sent,
-- whatever encoding (JSON or multipart) carried it.
ALTER TABLE merchant_inspection ADD COLUMN body_sha256 bytea CHECK (octet_length(body_sha256) = 32);
