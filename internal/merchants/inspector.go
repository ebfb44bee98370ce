package merchants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// InspectorPost is a person's charge of checking a shop (包户到人) over [From, Until): an inspector, a
// lane chief, a community worker or a volunteer. Like every post it is ended, never deleted, and a
// mistake is voided with a reason, so who checked a shop on a past day is a query.
type InspectorPost struct {
	ID         int64
	MerchantID int64
	PersonID   int64
	PersonName string
	Primary    bool
	From       time.Time
	Until      *time.Time
	Note       string
	VoidedAt   *time.Time
	VoidReason string
}

// InspectorInput puts a person in charge of a shop from From (zero: now). With Handover the current
// primary inspector is relieved at From; without it a shop that has one is a conflict.
type InspectorInput struct {
	PersonID int64
	From     time.Time
	Handover bool
	Note     string
}

const inspectorColumns = `mi.id, mi.merchant_id, mi.person_id, COALESCE(pd.name, ''), mi.is_primary, lower(mi.valid),
	CASE WHEN upper_inf(mi.valid) THEN NULL ELSE upper(mi.valid) END, mi.note, mi.voided_at, COALESCE(mi.void_reason, '')
	FROM merchant_inspector mi LEFT JOIN person_directory pd ON pd.id = mi.person_id`

func scanInspector(row pgx.Row) (InspectorPost, error) {
	var p InspectorPost
	err := row.Scan(&p.ID, &p.MerchantID, &p.PersonID, &p.PersonName, &p.Primary, &p.From, &p.Until, &p.Note, &p.VoidedAt, &p.VoidReason)
	return p, err
}

func (in InspectorInput) check() error {
	if in.PersonID <= 0 {
		return apperr.New(apperr.Invalid, "person_id is required").With("field", "person_id")
	}
	if in.From.After(time.Now().Add(366 * 24 * time.Hour)) {
		return apperr.New(apperr.Invalid, "from is more than a year ahead").With("field", "from")
	}
	return checkText("note", in.Note, maxNote)
}

// AssignInspector puts a person in charge of checking one shop.
func (s *Store) AssignInspector(ctx context.Context, who access.Principal, merchantID int64, in InspectorInput) (InspectorPost, error) {
	if !who.CanChangeFieldData() {
		return InspectorPost{}, apperr.New(apperr.Forbidden, "your role may not assign inspectors")
	}
	if err := in.check(); err != nil {
		return InspectorPost{}, err
	}
	if in.From.IsZero() {
		in.From = time.Now()
	}
	var out InspectorPost
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := activePerson(ctx, tx, in.PersonID, "person_id"); err != nil {
			return err
		}
		var err error
		out, err = assignInspectorTx(ctx, tx, who, merchantID, in)
		return err
	})
	return out, err
}

func assignInspectorTx(ctx context.Context, tx pgx.Tx, who access.Principal, merchantID int64, in InspectorInput) (InspectorPost, error) {
	m, err := lockInScope(ctx, tx, who, merchantID)
	if err != nil {
		return InspectorPost{}, err
	}
	if m.Status != Open {
		return InspectorPost{}, apperr.New(apperr.Conflict, "merchant %d is %s: nobody checks a shop that is gone", m.ID, m.Status)
	}
	var relieved int64
	if in.Handover {
		err := tx.QueryRow(ctx, `UPDATE merchant_inspector SET valid = tstzrange(lower(valid), $2::timestamptz)
			WHERE merchant_id = $1 AND is_primary AND voided_at IS NULL AND valid @> $2::timestamptz AND lower(valid) < $2::timestamptz
			RETURNING id`, merchantID, in.From).Scan(&relieved)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return InspectorPost{}, translate(err, "inspector")
		}
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO merchant_inspector (merchant_id, person_id, valid, note, created_by_user_id)
		VALUES ($1, $2, tstzrange($3::timestamptz, NULL), $4, NULLIF($5, 0)) RETURNING id`,
		merchantID, in.PersonID, in.From, strings.TrimSpace(in.Note), who.UserID).Scan(&id)
	if err != nil {
		err = translate(err, "inspector")
		if apperr.Is(err, apperr.Conflict) {
			return InspectorPost{}, apperr.New(apperr.Conflict, "merchant %d has an inspector at %s: ask for a handover, or end theirs first",
				merchantID, in.From.Format(time.RFC3339))
		}
		return InspectorPost{}, err
	}
	out, err := scanInspector(tx.QueryRow(ctx, `SELECT `+inspectorColumns+` WHERE mi.id = $1`, id))
	if err != nil {
		return out, err
	}
	return out, audit.Record(ctx, tx, who, audit.Create, "merchant_inspector", id, nil,
		map[string]any{"merchant_id": merchantID, "person_id": in.PersonID, "from": in.From, "relieves": relieved})
}

// Inspectors lists a shop's inspector posts. With at, only those standing at that moment: the answer
// to "who checked this shop on 3 March"; without it every post, voided ones too, newest first.
func (s *Store) Inspectors(ctx context.Context, who access.Principal, merchantID int64, at *time.Time) ([]InspectorPost, error) {
	if _, err := s.Merchant(ctx, who, merchantID); err != nil {
		return nil, err
	}
	q, args := `SELECT `+inspectorColumns+` WHERE mi.merchant_id = $1 ORDER BY lower(mi.valid) DESC, mi.id DESC`, []any{merchantID}
	if at != nil {
		q = `SELECT ` + inspectorColumns + ` WHERE mi.merchant_id = $1 AND mi.voided_at IS NULL AND mi.valid @> $2::timestamptz
			ORDER BY mi.is_primary DESC, mi.id`
		args = append(args, *at)
	}
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("inspectors: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (InspectorPost, error) { return scanInspector(r) })
}

// EndInspector ends a post at a moment after its start (zero: now); the history stays.
func (s *Store) EndInspector(ctx context.Context, who access.Principal, postID int64, at time.Time) (InspectorPost, error) {
	if at.IsZero() {
		at = time.Now()
	}
	return s.changeInspector(ctx, who, postID, func(tx pgx.Tx, p InspectorPost) error {
		if p.Until != nil && !p.Until.After(at) {
			return apperr.New(apperr.Conflict, "inspector post %d ended already", postID)
		}
		if !at.After(p.From) {
			return apperr.New(apperr.Invalid, "a post ends after it begins (%s); void one entered by mistake", p.From.Format(time.RFC3339)).With("field", "until")
		}
		if _, err := tx.Exec(ctx, `UPDATE merchant_inspector SET valid = tstzrange(lower(valid), $2::timestamptz) WHERE id = $1`, postID, at); err != nil {
			return translate(err, "inspector")
		}
		return audit.Record(ctx, tx, who, audit.End, "merchant_inspector", postID, nil, map[string]any{"until": at})
	})
}

// VoidInspector marks a post entered by mistake; it stays on record with the reason.
func (s *Store) VoidInspector(ctx context.Context, who access.Principal, postID int64, reason string) (InspectorPost, error) {
	if err := checkReason(reason); err != nil {
		return InspectorPost{}, err
	}
	return s.changeInspector(ctx, who, postID, func(tx pgx.Tx, p InspectorPost) error {
		if p.VoidedAt != nil {
			return apperr.New(apperr.Conflict, "inspector post %d was voided already", postID)
		}
		if _, err := tx.Exec(ctx, `UPDATE merchant_inspector SET voided_at = now(), voided_by_user_id = NULLIF($2, 0), void_reason = $3 WHERE id = $1`,
			postID, who.UserID, strings.TrimSpace(reason)); err != nil {
			return translate(err, "inspector")
		}
		return audit.Record(ctx, tx, who, audit.Void, "merchant_inspector", postID, nil, map[string]any{"reason": reason})
	})
}

func (s *Store) changeInspector(ctx context.Context, who access.Principal, postID int64, fn func(pgx.Tx, InspectorPost) error) (InspectorPost, error) {
	if !who.CanChangeFieldData() {
		return InspectorPost{}, apperr.New(apperr.Forbidden, "your role may not change inspectors")
	}
	var out InspectorPost
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		p, err := scanInspector(tx.QueryRow(ctx, `SELECT `+inspectorColumns+` WHERE mi.id = $1 FOR UPDATE OF mi`, postID))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "inspector post %d not found", postID)
		}
		if err != nil {
			return err
		}
		if _, err := lockInScope(ctx, tx, who, p.MerchantID); err != nil {
			return apperr.New(apperr.NotFound, "inspector post %d not found", postID)
		}
		if err := fn(tx, p); err != nil {
			return err
		}
		out, err = scanInspector(tx.QueryRow(ctx, `SELECT `+inspectorColumns+` WHERE mi.id = $1`, postID))
		return err
	})
	return out, err
}

// BulkInspector puts one person in charge of every open shop of a community, or inside a polygon
// drawn on the map. OnlyUnassigned leaves shops that have an inspector to them; otherwise Handover
// says whether theirs is relieved (without it such a shop is reported, not changed).
type BulkInspector struct {
	InspectorInput
	CommunityID    int64
	Within         orb.MultiPolygon
	OnlyUnassigned bool
}

// BulkResult counts what a bulk assignment did.
type BulkResult struct {
	Assigned int           `json:"assigned"`
	Skipped  []BulkSkipped `json:"skipped"`
}

// BulkSkipped is a shop a bulk assignment left as it was, and why.
type BulkSkipped struct {
	MerchantID int64  `json:"merchant_id"`
	Name       string `json:"name"`
	Reason     string `json:"reason"`
}

// maxBulkShops bounds one bulk assignment: a community has a few hundred shops.
const maxBulkShops = 5000

// AssignInspectors is BulkInspector in one transaction: every shop it names is assigned or reported.
func (s *Store) AssignInspectors(ctx context.Context, who access.Principal, b BulkInspector) (BulkResult, error) {
	res := BulkResult{Skipped: []BulkSkipped{}}
	if !who.CanChangeFieldData() {
		return res, apperr.New(apperr.Forbidden, "your role may not assign inspectors")
	}
	if err := b.check(); err != nil {
		return res, err
	}
	if (b.CommunityID == 0) == (b.Within == nil) {
		return res, apperr.New(apperr.Invalid, "name exactly one of community_id and within (a GeoJSON polygon)")
	}
	if b.From.IsZero() {
		b.From = time.Now()
	}
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := activePerson(ctx, tx, b.PersonID, "person_id"); err != nil {
			return err
		}
		scope, args := who.Scope.Predicate("m.subdistrict_id", "m.community_id", nil)
		where := scope + " AND m.status = 'open'"
		if b.CommunityID != 0 {
			args = append(args, b.CommunityID)
			where += fmt.Sprintf(" AND m.community_id = $%d", len(args))
		} else {
			if err := checkFrontage(ctx, tx, b.Within[0][0][0], b.Within); err != nil {
				return apperr.New(apperr.Invalid, "within: %s", strings.TrimPrefix(apperr.Message(err), "frontage "))
			}
			args = append(args, wkbOf(b.Within))
			where += fmt.Sprintf(" AND ST_Covers(ST_GeomFromWKB($%d, 4326), m.location)", len(args))
		}
		args = append(args, b.From, maxBulkShops+1)
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT m.id, m.name, EXISTS (SELECT 1 FROM merchant_inspector mi WHERE mi.merchant_id = m.id
			AND mi.is_primary AND mi.voided_at IS NULL AND mi.valid @> $%d::timestamptz)
			FROM merchant m WHERE %s ORDER BY m.id LIMIT $%d`, len(args)-1, where, len(args)), args...)
		if err != nil {
			return fmt.Errorf("bulk inspectors: %w", err)
		}
		type shop struct {
			id      int64
			name    string
			checked bool
		}
		shops, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (shop, error) {
			var s shop
			return s, r.Scan(&s.id, &s.name, &s.checked)
		})
		if err != nil {
			return err
		}
		if len(shops) > maxBulkShops {
			return apperr.New(apperr.TooLarge, "over %d shops at once: assign a smaller area", maxBulkShops)
		}
		for _, sh := range shops {
			if sh.checked && (b.OnlyUnassigned || !b.Handover) {
				res.Skipped = append(res.Skipped, BulkSkipped{MerchantID: sh.id, Name: sh.name, Reason: "has an inspector"})
				continue
			}
			// A savepoint each: a shop that refuses leaves the others' assignments standing.
			sp, err := tx.Begin(ctx)
			if err != nil {
				return err
			}
			if _, err := assignInspectorTx(ctx, sp, who, sh.id, b.InspectorInput); err != nil {
				_ = sp.Rollback(ctx)
				if apperr.Is(err, apperr.Conflict) {
					res.Skipped = append(res.Skipped, BulkSkipped{MerchantID: sh.id, Name: sh.name, Reason: apperr.Message(err)})
					continue
				}
				return err
			}
			if err := sp.Commit(ctx); err != nil {
				return err
			}
			res.Assigned++
		}
		return nil
	})
	if err != nil {
		return BulkResult{Skipped: []BulkSkipped{}}, err
	}
	return res, nil
}
