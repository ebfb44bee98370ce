package merchants

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/fieldproof"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

// Inspection is one check of one shop (每日巡查), as stored.
type Inspection struct {
	ID                int64     `json:"id"`
	MerchantID        int64     `json:"merchant_id"`
	MerchantName      string    `json:"merchant_name"`
	InspectorPersonID int64     `json:"inspector_person_id,omitempty"`
	InspectorName     string    `json:"inspector_name,omitempty"`
	At                time.Time `json:"at"`
	VisitDay          string    `json:"visit_day"`
	ReceivedAt        time.Time `json:"received_at"`
	Lon               float64   `json:"lon"`
	Lat               float64   `json:"lat"`
	AccuracyM         float64   `json:"accuracy_m"`
	DistanceM         float64   `json:"distance_m"`
	OffSiteLimitM     float64   `json:"off_site_limit_m"`
	OffSite           bool      `json:"off_site"`
	// Suspect and Reasons are the proof verdict (fieldproof's check-in rules), judged when the
	// inspection was stored: a suspect one is kept and counted apart. Off-site is one reason.
	Suspect    bool                `json:"suspect"`
	Reasons    []fieldproof.Reason `json:"reasons"`
	Results    []ItemResult        `json:"results"`
	Violations int                 `json:"violations"`
	Refused    bool                `json:"refused"`
	Note       string              `json:"note"`
	Photos     []string            `json:"photos"` // paths of the photos
	VoidedAt   *time.Time          `json:"voided_at,omitempty"`
	VoidReason string              `json:"void_reason,omitempty"`
	// RepeatIncidentID is the repeat-offender case this inspection opened or joined (0: none).
	RepeatIncidentID int64 `json:"repeat_incident_id,omitempty"`
}

// inspectionSelect reads an Inspection; FROM merchant_inspection i JOIN merchant m.
const inspectionSelect = `SELECT i.id, i.merchant_id, m.name, COALESCE(i.inspector_person_id, 0), COALESCE(p.name, ''), i.at,
		i.visit_day::text, i.received_at, ST_X(i.position), ST_Y(i.position), i.accuracy_m, i.distance_m, i.off_site_limit_m,
		i.off_site, i.suspect, i.proof_reasons, i.results, i.violations, i.refused, i.note, i.photo_sha256, i.voided_at, COALESCE(i.void_reason, ''),
		COALESCE((SELECT c.incident_id FROM merchant_repeat_case c WHERE c.inspection_id = i.id), 0)
	FROM merchant_inspection i JOIN merchant m ON m.id = i.merchant_id
	LEFT JOIN person_directory p ON p.id = i.inspector_person_id`

func scanInspection(row pgx.Row) (Inspection, error) {
	var in Inspection
	var results, reasons []byte
	var photos [][]byte
	var acc, dist, limit float32
	err := row.Scan(&in.ID, &in.MerchantID, &in.MerchantName, &in.InspectorPersonID, &in.InspectorName, &in.At, &in.VisitDay,
		&in.ReceivedAt, &in.Lon, &in.Lat, &acc, &dist, &limit, &in.OffSite, &in.Suspect, &reasons, &results, &in.Violations, &in.Refused, &in.Note,
		&photos, &in.VoidedAt, &in.VoidReason, &in.RepeatIncidentID)
	if err != nil {
		return in, err
	}
	in.AccuracyM, in.DistanceM, in.OffSiteLimitM = float64(acc), float64(dist), float64(limit)
	if err := json.Unmarshal(results, &in.Results); err != nil {
		return in, fmt.Errorf("inspection %d results: %w", in.ID, err)
	}
	if err := json.Unmarshal(reasons, &in.Reasons); err != nil {
		return in, fmt.Errorf("inspection %d proof reasons: %w", in.ID, err)
	}
	in.Photos = make([]string, len(photos))
	for k := range photos {
		in.Photos[k] = fmt.Sprintf("/api/v1/inspections/%d/photos/%d", in.ID, k+1)
	}
	return in, nil
}

// inspectedShop is what an inspection needs of its shop.
type inspectedShop struct {
	id                       int64
	name, status, since      string
	subdistrictID, community int64
	lon, lat                 float64
	mine                     bool    // the caller is its current inspector
	distance                 float64 // metres from the check-in to it (point or frontage)
	inspectorName            string  // the caller's
}

// Inspect stores an inspection of a shop in the caller's scope: judged off-site or not by its distance
// to the shop's point or frontage, counted into the visit of its person and Beijing day, and checked
// against the repeat-offender rule, which may open or join an incident — all in one transaction, so
// an inspection is never stored without what it triggers, nor a case opened by an inspection that
// failed. With a key a resend answers the first record again (replayed true); the same key with
// another inspection is refused.
func (s *Store) Inspect(ctx context.Context, who access.Principal, in InspectionInput, key string) (ins Inspection, replayed bool, err error) {
	if !mayInspect(who) {
		return ins, false, apperr.New(apperr.Forbidden, "your role (%s) may not record inspections", who.Role)
	}
	if in.MerchantID <= 0 || len(in.Results) == 0 {
		return ins, false, apperr.New(apperr.Invalid, "an unchecked inspection; decode it with DecodeInspectionJSON or InspectionFields.Input")
	}
	if err := s.offeredCategories(ctx, in.Results); err != nil {
		return ins, false, err
	}
	for attempt := 0; ; attempt++ {
		ins, replayed, err = s.inspect(ctx, who, in, key)
		var pgErr *pgconn.PgError
		if attempt == 0 && key != "" && errors.As(err, &pgErr) && pgErr.Code == "23505" &&
			pgErr.ConstraintName == "merchant_inspection_idempotent" {
			continue // a concurrent resend committed first: answer as it did
		}
		return ins, replayed, inspectionTranslate(err, "inspection")
	}
}

func (s *Store) inspect(ctx context.Context, who access.Principal, in InspectionInput, key string) (ins Inspection, replayed bool, err error) {
	var id int64
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if key != "" && who.UserID != 0 {
			var hash []byte
			err := tx.QueryRow(ctx, `SELECT id, body_sha256 FROM merchant_inspection WHERE user_id = $1 AND idempotency_key = $2`,
				who.UserID, key).Scan(&id, &hash)
			switch {
			case err == nil:
				if string(hash) != string(in.digest[:]) {
					return apperr.New(apperr.Conflict, "Idempotency-Key %q was already used for a different inspection", key).With("field", "Idempotency-Key")
				}
				replayed = true
				return nil
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
		}
		if err := lockPerson(ctx, tx, who); err != nil {
			return err
		}
		shop, err := lockShop(ctx, tx, who, in.MerchantID, in.Point)
		if err != nil {
			return err
		}
		if shop.status != "open" {
			return apperr.New(apperr.Invalid, "shop %d (%s) is %s since %s; a shop that is not open is not inspected", shop.id, shop.name, shop.status, shop.since).
				With("field", "merchant_id")
		}
		if ins, err = s.insertInspection(ctx, tx, who, shop, in, key); err != nil {
			return err
		}
		if ins.RepeatIncidentID, err = s.checkRepeat(ctx, tx, who, shop, ins.ID, in); err != nil {
			return fmt.Errorf("repeat-offender check: %w", err)
		}
		return nil
	})
	if err != nil || !replayed {
		return ins, false, err
	}
	ins, err = scanInspection(s.db.QueryRow(ctx, inspectionSelect+` WHERE i.id = $1`, id))
	return ins, true, err
}

// insertInspection judges the check-in, stores the photos and the row and answers it. The distance
// (lockShop's) is measured on the spheroid to the nearer of the shop's point and frontage; the limit
// is the rule's distance plus the fix's accuracy up to its cap. Both are compared as the real
// columns hold them, so the CHECK that ties off_site to them agrees exactly at the threshold.
func (s *Store) insertInspection(ctx context.Context, tx pgx.Tx, who access.Principal, shop inspectedShop, in InspectionInput, key string) (Inspection, error) {
	limit := s.rules.OffSiteMetres + min(in.AccuracyM, s.rules.AccuracyAllowanceCapMetres)
	dist32, limit32 := float32(shop.distance), float32(limit)
	now := inspectionNow().UTC().Round(time.Microsecond)
	ins := Inspection{MerchantID: shop.id, MerchantName: shop.name, InspectorPersonID: who.PersonID, InspectorName: shop.inspectorName,
		At: in.At, VisitDay: in.At.In(incidents.Beijing).Format(time.DateOnly), ReceivedAt: now, Lon: in.Point[0], Lat: in.Point[1],
		AccuracyM: float64(float32(in.AccuracyM)), DistanceM: float64(dist32), OffSiteLimitM: float64(limit32), OffSite: dist32 > limit32,
		Results: in.Results, Violations: len(in.Violations()), Refused: in.Refused, Note: in.Note, Photos: []string{},
		Reasons: []fieldproof.Reason{}}
	prev, next, err := neighbours(ctx, tx, who, in.At)
	if err != nil {
		return ins, err
	}
	verdict := s.rules.judge(fieldproof.CheckIn{Fix: fieldproof.Fix{Lon: in.Point[0], Lat: in.Point[1], AccuracyM: ins.AccuracyM, At: in.At},
		PlaceID: shop.id, DistanceM: float64(dist32), LimitM: float64(limit32), Previous: prev}, next)
	ins.Suspect, ins.Reasons = verdict.Suspect, verdict.Reasons
	reasons, err := json.Marshal(verdict.Reasons)
	if err != nil {
		return ins, err
	}
	shas := make([][]byte, len(in.Photos))
	for k, p := range in.Photos {
		if err := s.putPhoto(ctx, tx, p); err != nil {
			return ins, err
		}
		shas[k] = p.SHA256[:]
	}
	results, err := json.Marshal(in.Results)
	if err != nil {
		return ins, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO merchant_inspection (merchant_id, inspector_person_id, user_id, at, visit_day, received_at,
			position, accuracy_m, distance_m, off_site_limit_m, off_site, results, violations, refused, note, photo_sha256,
			idempotency_key, body_sha256, suspect, proof_reasons)
		VALUES ($1, NULLIF($2, 0), NULLIF($3, 0), $4, $5::date, $6, ST_SetSRID(ST_MakePoint($7, $8), 4326), $9, $10, $11, $12, $13, $14,
			$15, $16, $17, NULLIF($18, ''), $19, $20, $21)
		RETURNING id`,
		ins.MerchantID, who.PersonID, who.UserID, ins.At, ins.VisitDay, now, ins.Lon, ins.Lat, float32(in.AccuracyM),
		dist32, limit32, ins.OffSite, results, ins.Violations, ins.Refused, ins.Note, shas, idemKey(who, key),
		in.digest[:], ins.Suspect, reasons).Scan(&ins.ID)
	if err != nil {
		return ins, err
	}
	for k := range shas {
		ins.Photos = append(ins.Photos, fmt.Sprintf("/api/v1/inspections/%d/photos/%d", ins.ID, k+1))
	}
	return ins, audit.Record(ctx, tx, who, audit.Create, "merchant_inspection", ins.ID, nil, map[string]any{
		"merchant_id": ins.MerchantID, "at": ins.At, "distance_m": dist32, "off_site": ins.OffSite,
		"violations": ins.Violations, "refused": ins.Refused, "suspect": ins.Suspect, "reasons": ins.Reasons})
}

// idemKey stores a key only for a signed-in user: the key is unique per user.
func idemKey(who access.Principal, key string) string {
	if who.UserID == 0 {
		return ""
	}
	return key
}

// offeredCategories refuses a violation whose category takes no new incidents.
func (s *Store) offeredCategories(ctx context.Context, rs []ItemResult) error {
	for i, r := range rs {
		if r.OK {
			continue
		}
		c, err := s.incidents.Category(ctx, r.Category)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Invalid) {
				return apperr.New(apperr.Invalid, "results[%d]: unknown incident category %q", i, r.Category).With("field", "results")
			}
			return err
		}
		if !c.Selectable {
			return apperr.New(apperr.Invalid, "results[%d]: category %q (%s) takes no new incidents; choose an active subcategory", i, c.Code, c.NameZh).
				With("field", "results")
		}
	}
	return nil
}

func mayInspect(who access.Principal) bool {
	switch who.Role {
	case access.Admin, access.StreetChief, access.LaneChief, access.Inspector:
		return true
	}
	return false
}

// lockShop reads the shop in the caller's scope, with the distance from pt to it and the caller's
// name, and locks it against a concurrent inspection of it, so the repeat-offender rule counts every
// inspection once. A shop out of scope is not found.
func lockShop(ctx context.Context, tx pgx.Tx, who access.Principal, id int64, pt orb.Point) (inspectedShop, error) {
	var sh inspectedShop
	err := tx.QueryRow(ctx, `SELECT m.id, m.name, m.status, m.status_since::text, COALESCE(m.subdistrict_id, 0), COALESCE(m.community_id, 0),
			ST_X(m.location), ST_Y(m.location),
			EXISTS (SELECT 1 FROM merchant_inspector mi WHERE mi.merchant_id = m.id AND mi.person_id = $2
			        AND mi.voided_at IS NULL AND mi.valid @> now()),
			LEAST(ST_Distance(m.location::geography, p.g::geography),
			      COALESCE(ST_Distance(m.frontage::geography, p.g::geography), 'Infinity'::float8)),
			COALESCE((SELECT name FROM person_directory WHERE id = $2), '')
		FROM merchant m, (SELECT ST_SetSRID(ST_MakePoint($3, $4), 4326) AS g) p WHERE m.id = $1 FOR NO KEY UPDATE OF m`, id, who.PersonID, pt[0], pt[1]).
		Scan(&sh.id, &sh.name, &sh.status, &sh.since, &sh.subdistrictID, &sh.community, &sh.lon, &sh.lat, &sh.mine, &sh.distance, &sh.inspectorName)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !shopInScope(who, sh)) {
		return sh, apperr.New(apperr.NotFound, "merchant %d not found", id).With("field", "merchant_id")
	}
	return sh, err
}

// shopInScope is the rule for one shop: an inspector (包户到人) their own shops, everyone else the
// shops of the units in their scope.
func shopInScope(who access.Principal, sh inspectedShop) bool {
	if who.Role == access.Inspector {
		return sh.mine && who.PersonID != 0
	}
	return who.Scope.InScope(sh.subdistrictID, sh.community)
}

// shopScopeSQL is the same rule for queries over merchant m, numbering its parameters after args.
func shopScopeSQL(who access.Principal, m string, args []any) (string, []any) {
	if who.Role == access.Inspector {
		args = append(args, who.PersonID)
		return fmt.Sprintf(`(%[1]s.id IN (SELECT mi.merchant_id FROM merchant_inspector mi WHERE mi.person_id = $%[2]d
			AND mi.voided_at IS NULL AND mi.valid @> now()) AND $%[2]d <> 0)`, m, len(args)), args
	}
	return who.Scope.Predicate(m+".subdistrict_id", m+".community_id", args)
}

// Inspection returns one inspection of a shop in the caller's scope.
func (s *Store) Inspection(ctx context.Context, who access.Principal, id int64) (Inspection, error) {
	where, args := shopScopeSQL(who, "m", []any{id})
	ins, err := scanInspection(s.db.QueryRow(ctx, inspectionSelect+` WHERE i.id = $1 AND `+where, args...))
	return ins, inspectionTranslate(err, fmt.Sprintf("inspection %d", id))
}

// InspectionPhoto returns photo n (from 1) of an inspection the caller may see.
func (s *Store) InspectionPhoto(ctx context.Context, who access.Principal, id int64, n int) (incidents.PhotoFile, error) {
	var f incidents.PhotoFile
	if n < 1 || n > incidents.MaxPhotos {
		return f, apperr.New(apperr.NotFound, "photo %d of inspection %d not found", n, id)
	}
	where, args := shopScopeSQL(who, "m", []any{id, n})
	err := s.db.QueryRow(ctx, `SELECT p.content_type, p.sha256, p.bytes FROM merchant_inspection i JOIN merchant m ON m.id = i.merchant_id
		JOIN merchant_photo p ON p.sha256 = i.photo_sha256[$2] WHERE i.id = $1 AND `+where, args...).Scan(&f.ContentType, &f.SHA256, &f.Bytes)
	if err != nil {
		return f, inspectionTranslate(err, fmt.Sprintf("photo %d of inspection %d", n, id))
	}
	if f.Bytes, err = s.photoBytes(ctx, f.SHA256, f.Bytes); err != nil {
		return incidents.PhotoFile{}, err
	}
	return f, nil
}

// VoidInspection marks an inspection entered by mistake: it stays on record with the reason and
// counts no more in coverage nor towards a repeat offence. An inspector may void only their own.
func (s *Store) VoidInspection(ctx context.Context, who access.Principal, id int64, reason string) (Inspection, error) {
	reason = strings.TrimSpace(reason)
	if !mayInspect(who) {
		return Inspection{}, apperr.New(apperr.Forbidden, "your role (%s) may not void inspections", who.Role)
	}
	if reason == "" {
		return Inspection{}, apperr.New(apperr.Invalid, "say why the inspection is void (reason)").With("field", "reason")
	}
	if err := registry.CheckText("reason", reason, 500); err != nil {
		return Inspection{}, err
	}
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var merchantID, person int64
		var voided bool
		err := tx.QueryRow(ctx, `SELECT merchant_id, COALESCE(inspector_person_id, 0), voided_at IS NOT NULL FROM merchant_inspection
			WHERE id = $1 FOR UPDATE`, id).Scan(&merchantID, &person, &voided)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "inspection %d not found", id)
		}
		if err != nil {
			return err
		}
		if _, err := lockShop(ctx, tx, who, merchantID, orb.Point{}); err != nil {
			return apperr.New(apperr.NotFound, "inspection %d not found", id)
		}
		if who.Role == access.Inspector && person != who.PersonID {
			return apperr.New(apperr.Forbidden, "an inspector may void only their own inspections")
		}
		if voided {
			return apperr.New(apperr.Conflict, "inspection %d is already void", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE merchant_inspection SET voided_at = $2, voided_by_user_id = NULLIF($3, 0), void_reason = $4
			WHERE id = $1`, id, inspectionNow(), who.UserID, reason); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Void, "merchant_inspection", id, nil, map[string]any{"reason": reason})
	})
	if err != nil {
		return Inspection{}, inspectionTranslate(err, "inspection")
	}
	return s.Inspection(ctx, who, id)
}
