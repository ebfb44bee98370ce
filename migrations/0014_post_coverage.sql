-- post_coverage is the registry's read interface for "which places does a standing post cover",
-- for packages that must not read assignment and admin_unit themselves (auth derives a caller's
-- scope from it on every request). One row per standing (not voided) post over an admin unit and
-- per place it covers: a post over a subdistrict covers the subdistrict itself (community_id NULL)
-- and each of its communities; a post over a community covers that community. Posts over areas
-- are not in it: an area's post gives no say over a unit.
CREATE VIEW post_coverage AS
    SELECT s.id AS assignment_id, s.person_id, s.role, s.department_id, s.is_primary, s.valid,
           u.id AS subdistrict_id, NULL::bigint AS community_id
      FROM assignment_standing s JOIN admin_unit u ON u.id = s.admin_unit_id AND u.level = 'subdistrict'
    UNION ALL
    SELECT s.id, s.person_id, s.role, s.department_id, s.is_primary, s.valid, u.id, c.id
      FROM assignment_standing s JOIN admin_unit u ON u.id = s.admin_unit_id AND u.level = 'subdistrict'
      JOIN admin_unit c ON c.parent_id = u.id AND c.level = 'community'
    UNION ALL
    SELECT s.id, s.person_id, s.role, s.department_id, s.is_primary, s.valid, c.parent_id, c.id
      FROM assignment_standing s JOIN admin_unit c ON c.id = s.admin_unit_id AND c.level = 'community';
