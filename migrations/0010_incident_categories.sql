-- Incident categories become the city's catalogue of urban-management events (数字化城市管理 事件, after
-- GB/T 30428 and CJ/T 214): two levels, 大类 (parent IS NULL) and 小类 under them; admins add, rename
-- and retire them and set their clocks, departments and escalation. A category is never deleted: a
-- retired one cannot be chosen for new incidents, and the incidents that have it keep it.

ALTER TABLE incident_category DROP CONSTRAINT incident_category_code_check;
ALTER TABLE incident_category
    -- "01", "01-02" (the national numbering) or a city's own lower-case word; never ':' or '/', which
    -- the API's paths use.
    ADD CONSTRAINT incident_category_code_check CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    ADD COLUMN parent text REFERENCES incident_category (code) ON UPDATE CASCADE,
    -- stepwise: an overdue incident goes one post up (area manager → lane chief → street chief);
    -- street_chief: straight to the street chief (emergencies such as a gas leak).
    ADD COLUMN escalation text NOT NULL DEFAULT 'stepwise' CHECK (escalation IN ('stepwise', 'street_chief')),
    -- Whether resolving needs an "after" photo of the place.
    ADD COLUMN after_photo_required boolean NOT NULL DEFAULT false,
    ADD COLUMN retired_at timestamptz,
    ADD COLUMN retired_reason text NOT NULL DEFAULT '' CHECK (length(retired_reason) <= 1000),
    ADD CONSTRAINT incident_category_not_own_parent CHECK (parent IS DISTINCT FROM code),
    ADD CONSTRAINT incident_category_retired_reason CHECK ((retired_at IS NULL) = (retired_reason = ''));
CREATE INDEX incident_category_parent ON incident_category (parent) WHERE parent IS NOT NULL;

-- Two levels and no more: a parent is a 大类, and a 大类 with subcategories cannot itself move under one.
-- Raised as a check violation so the application answers it as invalid input.
CREATE FUNCTION incident_category_two_levels() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM incident_category WHERE code = NEW.parent AND parent IS NOT NULL) THEN
            RAISE EXCEPTION 'parent % of % is itself a subcategory; the catalogue has two levels', NEW.parent, NEW.code
                USING ERRCODE = '23514', CONSTRAINT = 'incident_category_two_levels';
        END IF;
        IF EXISTS (SELECT 1 FROM incident_category WHERE parent = NEW.code) THEN
            RAISE EXCEPTION '% has subcategories and cannot become one', NEW.code
                USING ERRCODE = '23514', CONSTRAINT = 'incident_category_two_levels';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incident_category_two_levels BEFORE INSERT OR UPDATE OF parent ON incident_category
    FOR EACH ROW EXECUTE FUNCTION incident_category_two_levels();

-- The national 大类; the seven first categories stay, with their codes, as 小类 under them.
INSERT INTO incident_category (code, name_zh, name_en, ack_hours, start_hours, resolve_hours) VALUES
    ('01', '市容环境', 'City appearance and environment', 2, 8, 48),
    ('02', '宣传广告', 'Publicity and advertising', 2, 8, 48),
    ('03', '施工管理', 'Construction management', 2, 8, 48),
    ('04', '突发事件', 'Emergencies', 1, 1, 4),
    ('05', '街面秩序', 'Street order', 1, 2, 24),
    ('06', '扩展事件', 'Extended events', 2, 8, 48);
UPDATE incident_category SET parent = '01' WHERE code IN ('illegal_construction', 'sanitation');
UPDATE incident_category SET parent = '05' WHERE code IN ('street_occupying', 'random_piling', 'illegal_parking');
UPDATE incident_category SET parent = '06' WHERE code IN ('damaged_greenery', 'damaged_facilities');

-- The departments a category's joint enforcement calls in by default, in order; they were codes checked
-- by the application, now rows with a foreign key, so a department in use cannot disappear.
CREATE TABLE incident_category_department (
    category       text NOT NULL REFERENCES incident_category (code) ON UPDATE CASCADE,
    department_id  bigint NOT NULL REFERENCES department (id) ON DELETE RESTRICT,
    position       smallint NOT NULL CHECK (position >= 1),
    PRIMARY KEY (category, department_id),
    UNIQUE (category, position)
);
CREATE INDEX incident_category_department_department ON incident_category_department (department_id);
INSERT INTO incident_category_department (category, department_id, position)
    SELECT c.code, d.id, o.n FROM incident_category c
    CROSS JOIN LATERAL unnest(c.departments) WITH ORDINALITY AS o (code, n)
    JOIN department d ON d.code = o.code;
ALTER TABLE incident_category DROP COLUMN departments;

-- The registry's read interface to departments for other packages (department is the registry's
-- table): incidents resolves department codes and names through this view only.
CREATE VIEW department_directory AS SELECT id, code, name FROM department;
