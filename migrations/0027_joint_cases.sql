-- Joint enforcement cases (联合执法) handed to departments. Each department taking part in a case has a
-- participation row: when it was asked, whom (the primary holder of its responsible-person post in the
-- case's subdistrict at that moment; NULL when the post was vacant, so nobody could acknowledge), and
-- when and by whom it acknowledged. One department leads; the lead is never withdrawn. A department
-- withdrawn from a case keeps its row, marked with the reason, and may be asked again later.
CREATE TABLE incident_department (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id                bigint NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
    department_id              bigint NOT NULL REFERENCES department (id) ON DELETE RESTRICT,
    lead                       boolean NOT NULL DEFAULT false,
    requested_at               timestamptz NOT NULL,
    holder_person_id           bigint REFERENCES person (id) ON DELETE RESTRICT,
    acknowledged_at            timestamptz,
    acknowledged_by_user_id    bigint REFERENCES app_user (id) ON DELETE SET NULL,
    acknowledged_by_person_id  bigint REFERENCES person (id) ON DELETE SET NULL,
    acknowledged_actor         text,
    withdrawn_at               timestamptz,
    withdrawn_reason           text CHECK (length(withdrawn_reason) <= 4000),
    withdrawn_actor            text,
    CONSTRAINT incident_department_ack_after_request CHECK (acknowledged_at IS NULL OR acknowledged_at >= requested_at),
    CONSTRAINT incident_department_ack_by CHECK ((acknowledged_at IS NULL) = (acknowledged_actor IS NULL)),
    CONSTRAINT incident_department_withdrawn_reason CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL)),
    CONSTRAINT incident_department_lead_stays CHECK (NOT (lead AND withdrawn_at IS NOT NULL))
);
CREATE UNIQUE INDEX incident_department_standing ON incident_department (incident_id, department_id) WHERE withdrawn_at IS NULL;
CREATE UNIQUE INDEX incident_department_one_lead ON incident_department (incident_id) WHERE lead;
CREATE INDEX incident_department_requested ON incident_department (requested_at);
CREATE INDEX incident_department_pending ON incident_department (department_id)
    WHERE acknowledged_at IS NULL AND withdrawn_at IS NULL;

-- What a department did on a case: inspected, ordered a correction, fined (in fen, with the legal
-- basis), seized goods, or referred the case on. An action entered by mistake is voided with a reason
-- and stays on record.
CREATE TABLE incident_joint_action (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id            bigint NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
    participation_id       bigint NOT NULL REFERENCES incident_department (id) ON DELETE CASCADE,
    department_id          bigint NOT NULL REFERENCES department (id) ON DELETE RESTRICT,
    kind                   text NOT NULL CHECK (kind IN ('inspection', 'order_to_correct', 'fine', 'seizure', 'referral')),
    at                     timestamptz NOT NULL,
    note                   text NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    fine_fen               bigint CHECK (fine_fen > 0 AND fine_fen <= 1000000000),
    legal_basis            text CHECK (length(legal_basis) <= 500),
    referred_to            text CHECK (length(referred_to) <= 200),
    event_id               bigint NOT NULL REFERENCES incident_event (id) ON DELETE CASCADE,
    recorded_at            timestamptz NOT NULL,
    recorded_by_user_id    bigint REFERENCES app_user (id) ON DELETE SET NULL,
    recorded_by_person_id  bigint REFERENCES person (id) ON DELETE SET NULL,
    actor                  text NOT NULL,
    voided_at              timestamptz,
    void_reason            text CHECK (length(void_reason) <= 4000),
    voided_actor           text,
    CONSTRAINT incident_joint_action_fine CHECK ((kind = 'fine') = (fine_fen IS NOT NULL)
        AND (kind = 'fine') = (COALESCE(legal_basis, '') <> '')),
    CONSTRAINT incident_joint_action_referral CHECK ((kind = 'referral') = (COALESCE(referred_to, '') <> '')),
    CONSTRAINT incident_joint_action_void CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);
CREATE INDEX incident_joint_action_participation ON incident_joint_action (participation_id, at);
CREATE INDEX incident_joint_action_incident ON incident_joint_action (incident_id, id);

ALTER TABLE incident_event DROP CONSTRAINT incident_event_kind_check;
ALTER TABLE incident_event ADD CONSTRAINT incident_event_kind_check CHECK (kind IN ('reported', 'transition', 'note',
    'escalated', 'overdue', 'rerouted', 'duplicate_suspected', 'duplicate_unlinked', 'verification',
    'department_added', 'department_withdrawn', 'department_acknowledged', 'joint_action', 'joint_action_voided'));

-- Cases already handed to departments: each department asked when the case last went to joint
-- enforcement, the first one leading, the holder the one of that moment. Whether they acknowledged is
-- not known, so they are not marked as having done so.
INSERT INTO incident_department (incident_id, department_id, lead, requested_at, holder_person_id)
SELECT i.id, d.id, d.n = 1, r.at,
       (SELECT a.person_id FROM assignment a
         WHERE a.admin_unit_id = i.subdistrict_id AND a.role = 'department_liaison' AND a.department_id = d.id
           AND a.is_primary AND a.voided_at IS NULL AND a.valid @> r.at
         ORDER BY (a.level = 'district') DESC, lower(a.valid) DESC LIMIT 1)
  FROM incident i
 CROSS JOIN LATERAL unnest(i.department_ids) WITH ORDINALITY AS d(id, n)
 CROSS JOIN LATERAL (SELECT COALESCE((SELECT max(e.at) FROM incident_event e
                                       WHERE e.incident_id = i.id AND e.to_status = 'joint_enforcement'), i.updated_at) AS at) r
 WHERE cardinality(i.department_ids) > 0
   AND d.n = (SELECT min(x.n) FROM unnest(i.department_ids) WITH ORDINALITY AS x(id, n) WHERE x.id = d.id);
