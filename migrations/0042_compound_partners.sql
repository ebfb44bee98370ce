-- A residential compound's partners over time (the lane chief's first duty, "发动居民群众、物业管理
-- 企业等多方面力量"): the property-management company under contract, residents' teams and building
-- representatives. Owned by internal/partners.
--
-- Nothing here is changed or deleted. A record is ended (at a moment, with a reason) or voided (entered
-- by mistake, with a reason) by a closing row beside it; compound_partner_standing folds the closings
-- in, so "who managed this compound on 3 March" is a query over one view.

-- 物业服务企业: a property-management company, known by its 统一社会信用代码.
CREATE TABLE property_company (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              text NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 200),
    licence_no        text NOT NULL UNIQUE CHECK (licence_no ~ '^[0-9A-HJ-NP-RTUWXY]{18}$'),
    -- The company's contact is a person of the registry, so they have an inbox and channels.
    contact_person_id bigint NOT NULL REFERENCES person (id),
    -- The company's duty phone: shown only to callers with one of its compounds in scope.
    phone             text NOT NULL DEFAULT '' CHECK (char_length(phone) <= 32),
    added_by          text NOT NULL,
    added_at          timestamptz NOT NULL DEFAULT now()
);

-- One partner of one compound for a period: a contract (property_manager), a residents' team
-- (居民自治小组 or 业委会) or a building representative (楼栋长). valid_until is exclusive; a team or a
-- representative may be open-ended, a contract never is.
CREATE TABLE compound_partner (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id        bigint NOT NULL REFERENCES area (id),
    kind           text NOT NULL CHECK (kind IN ('property_manager', 'residents_team', 'building_rep')),
    company_id     bigint REFERENCES property_company (id),
    signed_on      date,
    team_type      text CHECK (team_type IN ('self_governance', 'owners_committee')),
    name           text NOT NULL DEFAULT '' CHECK (char_length(name) <= 200),
    person_id      bigint REFERENCES person (id),
    members        integer CHECK (members BETWEEN 1 AND 100000),
    building       text NOT NULL DEFAULT '' CHECK (char_length(building) <= 100),
    valid_from     timestamptz NOT NULL,
    valid_until    timestamptz,
    note           text NOT NULL DEFAULT '' CHECK (char_length(note) <= 1000),
    recorded_by    text NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT compound_partner_period CHECK (valid_until IS NULL OR valid_until > valid_from),
    CONSTRAINT compound_partner_shape CHECK (CASE kind
        WHEN 'property_manager' THEN company_id IS NOT NULL AND signed_on IS NOT NULL AND valid_until IS NOT NULL
            AND person_id IS NULL AND team_type IS NULL
        WHEN 'residents_team' THEN company_id IS NULL AND team_type IS NOT NULL AND btrim(name) <> ''
            AND person_id IS NOT NULL AND members IS NOT NULL
        ELSE company_id IS NULL AND team_type IS NULL AND person_id IS NOT NULL AND btrim(building) <> '' END)
);
CREATE INDEX compound_partner_area ON compound_partner (area_id, kind);
CREATE INDEX compound_partner_company ON compound_partner (company_id) WHERE company_id IS NOT NULL;

-- A record's end (at: when it stopped, inside its period) or its voiding (at NULL), each once.
CREATE TABLE compound_partner_closing (
    partner_id  bigint NOT NULL REFERENCES compound_partner (id),
    kind        text NOT NULL CHECK (kind IN ('end', 'void')),
    at          timestamptz,
    reason      text NOT NULL CHECK (btrim(reason) <> '' AND char_length(reason) <= 500),
    closed_by   text NOT NULL,
    closed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, kind),
    CONSTRAINT compound_partner_closing_at CHECK ((kind = 'end') = (at IS NOT NULL))
);

CREATE FUNCTION partners_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never changed or deleted; end or void them with a new record instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['property_company', 'compound_partner', 'compound_partner_closing'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION partners_append_only()',
            t || '_append_only', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION partners_append_only()',
            t || '_no_truncate', t);
    END LOOP;
END $$;

-- internal/partners' read interface: every partner record except the voided, with the period it
-- really ran (its end folded in; LEAST ignores a missing bound), and for a contract its company and
-- the company's contact person — incidents tells that person of a case in the compound, reports
-- finds the compounds with neither a manager nor a team.
CREATE VIEW compound_partner_standing AS
    SELECT p.id, p.area_id, p.kind, p.company_id, c.name AS company_name, c.contact_person_id,
           p.person_id, p.name, p.building,
           tstzrange(p.valid_from, LEAST(p.valid_until, e.at)) AS valid
      FROM compound_partner p
      LEFT JOIN property_company c ON c.id = p.company_id
      LEFT JOIN compound_partner_closing e ON e.partner_id = p.id AND e.kind = 'end'
     WHERE NOT EXISTS (SELECT 1 FROM compound_partner_closing v WHERE v.partner_id = p.id AND v.kind = 'void');
COMMENT ON VIEW compound_partner_standing IS 'read interface of internal/partners to compound_partner (voided ones left out, ends folded in)';
