-- Every table has one owning package; the others read it through views the owner publishes as its
-- read interface, so renaming a column means changing the owner's table and its views and nothing
-- else. ARCHITECTURE.md ("Tables and their owners") lists them; internal/layers fails when a package
-- names another's table. Each view carries only the columns some other package reads. Views are
-- inlined by the planner, so the GiST indexes of the tables beneath are used through them.

-- internal/registry's read interface to admin units: the tree and each unit's boundary.
CREATE VIEW unit_directory AS
    SELECT id, level, code, name, parent_id, boundary FROM admin_unit;
COMMENT ON VIEW unit_directory IS 'read interface of internal/registry to admin_unit';

-- internal/registry's read interface to managed areas: what and where each one is, and the
-- subdistrict and community the registry placed it in.
CREATE VIEW area_directory AS
    SELECT id, kind, name, subdistrict_id, community_id, geom, centreline FROM area;
COMMENT ON VIEW area_directory IS 'read interface of internal/registry to area';

-- internal/registry's read interface to people: a name to show and whether they may still be given
-- work. Phone numbers and organisations stay behind the registry's scope-checked Go API.
CREATE VIEW person_directory AS
    SELECT id, name, active FROM person;
COMMENT ON VIEW person_directory IS 'read interface of internal/registry to person';

-- internal/registry's read interface for "what was this assignment over": every assignment, the
-- voided ones too, because voiding one changes who is responsible there just as ending it does.
-- Whoever reads who is responsible reads assignment_standing instead.
CREATE VIEW assignment_target AS
    SELECT id, area_id, admin_unit_id FROM assignment;
COMMENT ON VIEW assignment_target IS 'read interface of internal/registry to assignment (standing and voided)';

COMMENT ON VIEW assignment_standing IS 'read interface of internal/registry to assignment (voided ones left out)';
COMMENT ON VIEW post_coverage IS 'read interface of internal/registry: the places each standing post over a unit covers';
COMMENT ON VIEW department_directory IS 'read interface of internal/registry to department';

-- internal/incidents' read interface for work still to do: the incidents someone has yet to act on
-- (incidents.Status.Open, tested against this view) and the area each one is in.
CREATE VIEW open_incident AS
    SELECT id, status, area_id FROM incident
     WHERE status NOT IN ('resolved', 'closed', 'rejected', 'duplicate');
COMMENT ON VIEW open_incident IS 'read interface of internal/incidents to incident (open ones only)';
