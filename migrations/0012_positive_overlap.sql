-- Parents and places come from a positive overlap only. 0001 took any unit that met a geometry, so a
-- unit or area that merely touched a boundary (a commune across a national border, a park along a
-- district's edge) was put in the unit it touched. Now the interiors must meet: for the polygons that
-- admin units and areas are (both columns are MULTIPOLYGON, valid and non-empty, so always of positive
-- area) that is an intersection of positive area; for a line it would be a positive length inside the
-- unit, and for a point lying strictly inside. A geometry with no such unit has no parent or place.
-- This file can be run again (a test does, over rows placed by the old rule).

CREATE OR REPLACE FUNCTION admin_unit_by_largest_overlap(g geometry, want_level text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    candidates bigint[];
BEGIN
    -- ST_Intersects first: it is indexed and prepared, and rejects most pairs before the exact test.
    SELECT array_agg(u.id) INTO candidates
      FROM admin_unit u
     WHERE u.level = want_level AND u.boundary && g AND ST_Intersects(u.boundary, g)
       AND ST_Relate(u.boundary, g, 'T********');
    IF candidates IS NULL THEN
        RETURN NULL;
    END IF;
    IF array_length(candidates, 1) = 1 THEN
        RETURN candidates[1];
    END IF;
    RETURN (SELECT u.id FROM admin_unit u WHERE u.id = ANY (candidates)
             ORDER BY ST_Area(ST_Intersection(u.boundary, g)) DESC, u.id LIMIT 1);
END $$;

-- Correct what the old rule got wrong. A unit whose parent it does not overlap is given the parent
-- it overlaps most, or none. A subdistrict or community with none cannot keep the CHECK that every
-- one has a parent, so the CHECK is kept for every row written from now on (NOT VALID skips only the
-- rows already there): such a unit must be given a parent before it is next changed.
ALTER TABLE admin_unit DROP CONSTRAINT IF EXISTS admin_unit_parent_level;

DO $$
DECLARE
    lvl text;
    above text;
BEGIN
    FOREACH lvl IN ARRAY ARRAY['district', 'subdistrict', 'community'] LOOP
        above := CASE lvl WHEN 'district' THEN 'city' WHEN 'subdistrict' THEN 'district' ELSE 'subdistrict' END;
        -- Each changed row's trigger re-locates the areas around it.
        UPDATE admin_unit u SET parent_id = admin_unit_by_largest_overlap(u.boundary, above), updated_at = now()
          FROM admin_unit p
         WHERE u.level = lvl AND p.id = u.parent_id AND NOT ST_Relate(p.boundary, u.boundary, 'T********')
           AND u.parent_id IS DISTINCT FROM admin_unit_by_largest_overlap(u.boundary, above);
    END LOOP;
END $$;

ALTER TABLE admin_unit ADD CONSTRAINT admin_unit_parent_level
    CHECK ((level IN ('city', 'district')) OR parent_id IS NOT NULL) NOT VALID;

-- Areas put in a community or subdistrict they only touch are located again, by the area_locate rule.
UPDATE area a
   SET community_id = admin_unit_by_largest_overlap(a.geom, 'community'),
       subdistrict_id = COALESCE(
           (SELECT parent_id FROM admin_unit WHERE id = admin_unit_by_largest_overlap(a.geom, 'community')),
           admin_unit_by_largest_overlap(a.geom, 'subdistrict'))
 WHERE EXISTS (SELECT 1 FROM admin_unit u
                WHERE u.id = COALESCE(a.community_id, a.subdistrict_id) AND NOT ST_Relate(u.boundary, a.geom, 'T********'));
