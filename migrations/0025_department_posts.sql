-- 定岗定人: every enforcement department names, for each subdistrict, a responsible leader
-- (department_leader, 负责领导) and a responsible person (department_liaison, 负责人), with deputies as
-- posts that are not primary. A department speaks at city or district level (市城管局 and 区城管局 are
-- two teams), so the post carries its level and each level has its own holders.
-- 市、区领导挂钩街道: city and district leaders linked to a subdistrict (linked_leader), optionally for a
-- department they lead (挂钩部门); 市区交叉任职: cadres of one team appointed into the other
-- (cross_appointee), level being the team they come from. All of them are posts over a subdistrict
-- with the same history rules as every post.

ALTER TABLE assignment DROP CONSTRAINT assignment_role_check;
ALTER TABLE assignment ADD CONSTRAINT assignment_role_check CHECK (role IN ('street_chief', 'lane_chief',
    'area_manager', 'department_liaison', 'inspector', 'deputy', 'volunteer',
    'department_leader', 'linked_leader', 'cross_appointee'));

ALTER TABLE assignment ADD COLUMN level text CHECK (level IN ('city', 'district'));
UPDATE assignment SET level = 'district' WHERE role = 'department_liaison';
ALTER TABLE assignment ADD CONSTRAINT assignment_level_of_post CHECK (
    (role IN ('department_leader', 'department_liaison', 'linked_leader', 'cross_appointee')) = (level IS NOT NULL));

ALTER TABLE assignment DROP CONSTRAINT assignment_liaison_department;
ALTER TABLE assignment ADD CONSTRAINT assignment_department_of_post CHECK (CASE
    WHEN role IN ('department_leader', 'department_liaison') THEN department_id IS NOT NULL
    WHEN role IN ('linked_leader', 'cross_appointee') THEN true
    ELSE department_id IS NULL END);

-- A city and a district holder of one department's post in one subdistrict do not clash.
ALTER TABLE assignment DROP CONSTRAINT assignment_no_overlapping_primary;
ALTER TABLE assignment ADD CONSTRAINT assignment_no_overlapping_primary EXCLUDE USING gist (
    (COALESCE(area_id, 0)) WITH =,
    (COALESCE(admin_unit_id, 0)) WITH =,
    role WITH =,
    (COALESCE(department_id, 0)) WITH =,
    (COALESCE(level, '')) WITH =,
    valid WITH &&
) WHERE (is_primary AND voided_at IS NULL);

CREATE OR REPLACE VIEW assignment_standing AS
    SELECT id, area_id, admin_unit_id, person_id, role, department_id, is_primary, valid, note, created_at, level
      FROM assignment
     WHERE voided_at IS NULL;
COMMENT ON VIEW assignment_standing IS 'read interface of internal/registry to assignment (voided ones left out)';
