-- The funds ledger: each subdistrict's yearly civilised-city work funds (创建文明城市工作经费), the
-- rewards and penalties of the quarterly assessment, and the district's volunteer-service budget,
-- each borne by city and district finance. Owned by internal/funds.
--
-- The ledger is insert-only: a wrong entry is corrected by a new entry that names it and says why,
-- so every yuan can be traced to what booked it; a trigger refuses updates, deletes and truncation.
-- Amounts are fen (hundredths of a yuan), positive to the subdistrict, negative deducted.

CREATE TABLE funds_entry (
    id                bigserial PRIMARY KEY,
    year              smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    -- NULL: district-wide (the volunteer-service budget).
    subdistrict_id    bigint REFERENCES admin_unit (id) ON DELETE RESTRICT,
    fund              text NOT NULL CHECK (fund IN ('civilised_city', 'volunteer_service')),
    payer             text NOT NULL CHECK (payer IN ('city', 'district')),
    kind              text NOT NULL CHECK (kind IN ('allocation', 'reward', 'penalty', 'spending', 'correction')),
    fen               bigint NOT NULL CHECK (fen <> 0 AND fen BETWEEN -10000000000 AND 10000000000),
    -- What booked the entry: 'standing_allocation', 'manual', 'correction', or another module's record
    -- type such as 'assessment_outcome' (an identifier, so a new source needs no migration here).
    source_type       text NOT NULL DEFAULT '' CHECK (source_type ~ '^([a-z][a-z_]{0,39})?$'),
    source_id         bigint NOT NULL DEFAULT 0 CHECK (source_id >= 0),
    reason            text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
    corrects          bigint REFERENCES funds_entry (id) ON DELETE RESTRICT,
    created_at        timestamptz NOT NULL DEFAULT now(),
    created_by        text NOT NULL,
    created_by_user   bigint REFERENCES app_user (id) ON DELETE SET NULL,
    created_by_person bigint REFERENCES person (id) ON DELETE SET NULL,
    CONSTRAINT funds_entry_sign CHECK (
        (kind IN ('allocation', 'reward') AND fen > 0) OR
        (kind IN ('penalty', 'spending') AND fen < 0) OR
        kind = 'correction'),
    CONSTRAINT funds_entry_correction CHECK (
        (kind = 'correction') = (corrects IS NOT NULL) AND
        (kind <> 'correction' OR char_length(btrim(reason)) > 0)),
    CONSTRAINT funds_entry_fund_place CHECK (
        (fund = 'volunteer_service') = (subdistrict_id IS NULL))
);

-- The standing allocation of a year is booked once per subdistrict, fund and payer.
CREATE UNIQUE INDEX funds_entry_standing_once ON funds_entry (year, (COALESCE(subdistrict_id, 0)), fund, payer)
    WHERE source_type = 'standing_allocation';
CREATE INDEX funds_entry_year ON funds_entry (year, subdistrict_id);
CREATE INDEX funds_entry_corrects ON funds_entry (corrects) WHERE corrects IS NOT NULL;
CREATE INDEX funds_entry_source ON funds_entry (source_type, source_id) WHERE source_id <> 0;

-- What the Go checks say, held by the database too: a subdistrict is a subdistrict-level unit, and a
-- correction corrects an earlier, uncorrected-kind entry of the same year, subdistrict, fund and payer.
CREATE FUNCTION funds_entry_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t funds_entry;
BEGIN
    IF NEW.subdistrict_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM admin_unit WHERE id = NEW.subdistrict_id AND level = 'subdistrict') THEN
        RAISE EXCEPTION 'admin unit % is not a subdistrict', NEW.subdistrict_id USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.corrects IS NOT NULL THEN
        SELECT * INTO t FROM funds_entry WHERE id = NEW.corrects;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'entry % does not exist', NEW.corrects USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF t.kind = 'correction' OR t.year <> NEW.year OR t.fund <> NEW.fund OR t.payer <> NEW.payer
           OR t.subdistrict_id IS DISTINCT FROM NEW.subdistrict_id THEN
            RAISE EXCEPTION 'a correction must be of the same year, subdistrict, fund and payer as the entry it corrects, which is not itself a correction'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER funds_entry_check BEFORE INSERT ON funds_entry
    FOR EACH ROW EXECUTE FUNCTION funds_entry_check();

CREATE FUNCTION funds_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is never changed or deleted; book a correcting entry instead', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER funds_entry_insert_only BEFORE UPDATE OR DELETE ON funds_entry
    FOR EACH ROW EXECUTE FUNCTION funds_insert_only();
CREATE TRIGGER funds_entry_no_truncate BEFORE TRUNCATE ON funds_entry
    FOR EACH STATEMENT EXECUTE FUNCTION funds_insert_only();

-- The standing allocations, by the year they take effect: a year's are the row with the greatest
-- from_year not after it, so a change for next year never rewrites what was booked before. The
-- volunteer-service budget is at least 1,000,000 yuan a year, as the policy says. Insert-only too.
CREATE TABLE funds_standing (
    from_year             smallint PRIMARY KEY CHECK (from_year BETWEEN 2000 AND 2100),
    civilised_city_fen    bigint NOT NULL CHECK (civilised_city_fen BETWEEN 1 AND 10000000000),
    volunteer_service_fen bigint NOT NULL CHECK (volunteer_service_fen BETWEEN 100000000 AND 10000000000),
    -- The city's share in percent; the district bears the rest (the policy's 5:5 is 50).
    city_share_pct        smallint NOT NULL CHECK (city_share_pct BETWEEN 0 AND 100),
    reason                text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
    created_at            timestamptz NOT NULL DEFAULT now(),
    created_by            text NOT NULL
);
CREATE TRIGGER funds_standing_insert_only BEFORE UPDATE OR DELETE ON funds_standing
    FOR EACH ROW EXECUTE FUNCTION funds_insert_only();

INSERT INTO funds_standing (from_year, civilised_city_fen, volunteer_service_fen, city_share_pct, reason, created_by)
VALUES (2000, 50000000, 100000000, 50, '《龙岩中心城区"街长制"考评奖惩办法》: 500,000 yuan per subdistrict and at least 1,000,000 yuan of volunteer services a year, borne 5:5 by city and district', 'migration');
