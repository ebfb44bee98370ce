-- Proof against fake work: every inspection is judged when it is stored (internal/fieldproof's
-- check-in rules: off site, a vague fix, a teleport from the same person's check-in before or after
-- it by its own time, the very coordinates of that check-in at another shop). A suspect inspection
-- is kept and counted apart, never refused; proof_reasons are the broken rules as codes with the
-- figure measured and the limit, for the user interfaces to phrase. Owned by internal/merchants.
ALTER TABLE merchant_inspection
    ADD COLUMN suspect       boolean NOT NULL DEFAULT false,
    ADD COLUMN proof_reasons jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(proof_reasons) = 'array');

-- Inspections stored before this judgement had only the off-site rule; that is what they are found.
UPDATE merchant_inspection
   SET suspect = true,
       proof_reasons = jsonb_build_array(jsonb_build_object('code', 'off_site',
           'figure', round(distance_m::numeric, 2), 'limit', off_site_limit_m::float8))
 WHERE off_site;

ALTER TABLE merchant_inspection
    ADD CONSTRAINT merchant_inspection_suspect_has_reasons CHECK (suspect = (jsonb_array_length(proof_reasons) > 0));

-- A check-in's neighbours in time, the same person's standing inspections just before and after it.
CREATE INDEX merchant_inspection_person_at ON merchant_inspection (inspector_person_id, at, id) WHERE voided_at IS NULL;

-- The read interface gains the verdict (columns may only be added at the end of a replaced view).
CREATE OR REPLACE VIEW merchant_check_standing AS
    SELECT id, merchant_id, inspector_person_id, at, visit_day, off_site, suspect FROM merchant_inspection WHERE voided_at IS NULL;
COMMENT ON VIEW merchant_check_standing IS
    'read interface of internal/merchants to merchant_inspection: every inspection except the voided, with its off-site flag and '
    'whether it is suspect by any proof rule (a credible check-in is one not suspect)';
