-- An assignment entered by mistake is voided, never deleted: the row stays, with who voided it, when
-- and why, so the register can show what was once recorded. A voided assignment never made anyone
-- responsible: it holds no post, blocks no other holder and gives no scope.

ALTER TABLE assignment
    ADD COLUMN voided_at   timestamptz,
    ADD COLUMN voided_by   text,
    ADD COLUMN void_reason text,
    ADD CONSTRAINT assignment_void_complete CHECK (
        (voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL) OR
        (voided_at IS NOT NULL AND voided_by <> '' AND char_length(btrim(void_reason)) BETWEEN 1 AND 500));

-- Only assignments that stand can clash over a post.
ALTER TABLE assignment DROP CONSTRAINT assignment_no_overlapping_primary;
ALTER TABLE assignment ADD CONSTRAINT assignment_no_overlapping_primary EXCLUDE USING gist (
    (COALESCE(area_id, 0)) WITH =,
    (COALESCE(admin_unit_id, 0)) WITH =,
    role WITH =,
    (COALESCE(department_id, 0)) WITH =,
    valid WITH &&
) WHERE (is_primary AND voided_at IS NULL);

-- The registry's read interface for "who is (or was) responsible": every assignment except the voided.
-- Other packages (auth's scope, reports, the incident matcher) read assignments through this view only;
-- the table itself is the registry's.
CREATE VIEW assignment_standing AS
    SELECT id, area_id, admin_unit_id, person_id, role, department_id, is_primary, valid, note, created_at
      FROM assignment
     WHERE voided_at IS NULL;

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('create', 'update', 'delete', 'end', 'transition', 'import', 'void'));
