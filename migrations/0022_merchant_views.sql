-- The 门前三包 register's read interface: what reports and maps read of the shops, their pledges,
-- their inspectors and their checks, without the shopkeepers' names and phones. Owned by
-- internal/merchants; the views leave voided rows out, so a mistake corrected stays on record in
-- the tables and out of every count.

CREATE VIEW merchant_directory AS
    SELECT id, name, business_type, address, location, frontage, status, status_since, subdistrict_id, community_id
    FROM merchant;
COMMENT ON VIEW merchant_directory IS
    'read interface of internal/merchants to merchant: shops with their place and status, never their contact';

CREATE VIEW merchant_pledge_standing AS
    SELECT id, merchant_id, signed_on, valid FROM merchant_pledge WHERE voided_at IS NULL;
COMMENT ON VIEW merchant_pledge_standing IS
    'read interface of internal/merchants to merchant_pledge: every pledge except the voided, with its period';

CREATE VIEW merchant_inspector_standing AS
    SELECT id, merchant_id, person_id, is_primary, valid FROM merchant_inspector WHERE voided_at IS NULL;
COMMENT ON VIEW merchant_inspector_standing IS
    'read interface of internal/merchants to merchant_inspector: who checks each shop, and when, except the voided';

CREATE VIEW merchant_check_standing AS
    SELECT id, merchant_id, inspector_person_id, at, visit_day, off_site FROM merchant_inspection WHERE voided_at IS NULL;
COMMENT ON VIEW merchant_check_standing IS
    'read interface of internal/merchants to merchant_inspection: every inspection except the voided, off-site flag included';

-- "Which shops are near this point": the popup asks it of every click.
CREATE INDEX merchant_location_geog ON merchant USING gist ((location::geography));

-- "Has this shop a pledge, an inspector" for every shop of a map tile: b-tree lookups by shop that
-- answer from the index alone. The exclusion constraints' GiST indexes answer the same but several
-- times slower for one key (docs/benchmarks.md, 门前三包).
CREATE INDEX merchant_pledge_standing_by_merchant ON merchant_pledge (merchant_id) INCLUDE (valid) WHERE voided_at IS NULL;
CREATE INDEX merchant_inspector_standing_by_merchant ON merchant_inspector (merchant_id) INCLUDE (valid)
    WHERE is_primary AND voided_at IS NULL;
