package assessment

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
	"streetchief/internal/incidents"
	"streetchief/internal/policy"
)

// MarkInput is an assessor's mark on an entered or sampled item of one subdistrict.
type MarkInput struct {
	SubdistrictID int64
	ItemCode      string
	Points        policy.Score
	Note          string
	Photos        []incidents.Photo
	// Reason is required when the item already has a mark: the new one supersedes it.
	Reason string
}

// Mark is a standing or past mark.
type Mark struct {
	ID            int64        `json:"id"`
	SubdistrictID int64        `json:"subdistrict_id"`
	ItemCode      string       `json:"item_code"`
	Points        policy.Score `json:"points"`
	Note          string       `json:"note"`
	Photos        int          `json:"photos"`
	CreatedAt     time.Time    `json:"created_at"`
	CreatedBy     string       `json:"created_by"`
	Supersedes    int64        `json:"supersedes,omitempty"`
	Reason        string       `json:"reason,omitempty"`
}

const (
	maxNoteRunes   = 2000
	maxReasonRunes = 500
	// MaxSample bounds a spot-check draw.
	MaxSample = 30
)

// period finds or opens the assessment period p: its sheet is the one in force on its first day, and
// stays its sheet from then on.
func period(ctx context.Context, tx database.Querier, p Period) (id int64, sh Sheet, err error) {
	var templateID int64
	err = tx.QueryRow(ctx, `SELECT id, template_id FROM assessment_period WHERE kind = $1 AND label = $2`, p.Kind, p.Label).Scan(&id, &templateID)
	if err == nil {
		sh, err = readSheet(ctx, tx, templateID)
		return id, sh, err
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, sh, wrap("period", err)
	}
	if sh, err = sheetInForce(ctx, tx, p.Kind, p.Starts); err != nil {
		return 0, sh, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO assessment_period (kind, label, starts, ends, template_id) VALUES ($1, $2, $3::date, $4::date, $5)
		ON CONFLICT (kind, label) DO UPDATE SET kind = EXCLUDED.kind RETURNING id`,
		p.Kind, p.Label, p.Starts.Format(time.DateOnly), p.Ends.Format(time.DateOnly), sh.ID).Scan(&id)
	return id, sh, wrap("open period", err)
}

func published(ctx context.Context, db database.Querier, periodID int64) (bool, error) {
	var yes bool
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_publication WHERE period_id = $1)`, periodID).Scan(&yes)
	return yes, wrap("published", err)
}

func checkSubdistrict(ctx context.Context, db database.Querier, id int64) error {
	var ok bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unit_directory WHERE id = $1 AND level = 'subdistrict')`, id).Scan(&ok); err != nil {
		return wrap("subdistrict", err)
	}
	if !ok {
		return apperr.New(apperr.Invalid, "%d is not a subdistrict of the district", id).With("field", "subdistrict_id")
	}
	return nil
}

// RecordMark records an assessor's mark. A published period is not marked again: it is amended.
func (s *Service) RecordMark(ctx context.Context, who access.Principal, p Period, in MarkInput) (Mark, error) {
	if err := may(who, "mark"); err != nil {
		return Mark{}, err
	}
	if n := utf8.RuneCountInString(in.Note); n > maxNoteRunes {
		return Mark{}, invalid("note", "the note is %d characters; at most %d", n, maxNoteRunes)
	}
	if n := utf8.RuneCountInString(in.Reason); n > maxReasonRunes {
		return Mark{}, invalid("reason", "the reason is %d characters; at most %d", n, maxReasonRunes)
	}
	if p.Starts.After(s.now()) {
		return Mark{}, invalid("period", "period %s has not begun", p.Label)
	}
	var m Mark
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkSubdistrict(ctx, tx, in.SubdistrictID); err != nil {
			return err
		}
		periodID, sh, err := period(ctx, tx, p)
		if err != nil {
			return err
		}
		if pub, err := published(ctx, tx, periodID); err != nil || pub {
			if err == nil {
				err = apperr.New(apperr.Conflict, "%s is published; change a score by amending it, with a reason", p.Label)
			}
			return err
		}
		it, ok := sh.item(in.ItemCode)
		if !ok || it.Source == Computed {
			return invalid("item_code", "%q is not an item an assessor marks on the %s sheet v%d", in.ItemCode, sh.Kind, sh.Version)
		}
		if in.Points < 0 || in.Points > it.MaxPoints {
			return invalid("points", "%s gives 0–%s points, not %s", it.Code, it.MaxPoints, in.Points)
		}
		if it.Source == Sampled {
			var drawn bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_sample WHERE period_id = $1 AND subdistrict_id = $2 AND item_code = $3)`,
				periodID, in.SubdistrictID, it.Code).Scan(&drawn); err != nil {
				return wrap("sample", err)
			}
			if !drawn {
				return apperr.New(apperr.Conflict, "draw the spot-check sample of %s before marking it", it.Code).With("field", "item_code")
			}
		}
		var standing *int64
		if err := tx.QueryRow(ctx, `SELECT max(id) FROM assessment_mark m WHERE period_id = $1 AND subdistrict_id = $2 AND item_code = $3
			AND voids IS NULL AND NOT EXISTS (SELECT 1 FROM assessment_mark x WHERE x.supersedes = m.id OR x.voids = m.id)`,
			periodID, in.SubdistrictID, it.Code).Scan(&standing); err != nil {
			return wrap("standing mark", err)
		}
		if standing != nil && strings.TrimSpace(in.Reason) == "" {
			return invalid("reason", "%s already has a mark (%d) for this subdistrict: a new one supersedes it and needs a reason", it.Code, *standing)
		}
		if standing == nil {
			in.Reason = ""
		}
		err = tx.QueryRow(ctx, `INSERT INTO assessment_mark (period_id, subdistrict_id, item_code, points, note, created_by, created_by_user, supersedes, reason)
			VALUES ($1, $2, $3, $4::numeric, $5, $6, NULLIF($7, 0), $8, $9) RETURNING id, created_at`,
			periodID, in.SubdistrictID, it.Code, in.Points.String(), in.Note, who.Label(), who.UserID, standing, strings.TrimSpace(in.Reason)).Scan(&m.ID, &m.CreatedAt)
		if err != nil {
			return wrap("insert mark", err)
		}
		if err := s.insertMarkPhotos(ctx, tx, m.ID, in.Photos); err != nil {
			return err
		}
		m = Mark{ID: m.ID, SubdistrictID: in.SubdistrictID, ItemCode: it.Code, Points: in.Points, Note: in.Note, Photos: len(in.Photos),
			CreatedAt: m.CreatedAt, CreatedBy: who.Label(), Reason: strings.TrimSpace(in.Reason)}
		if standing != nil {
			m.Supersedes = *standing
		}
		return audit.Record(ctx, tx, who, audit.Create, "assessment_mark", m.ID, nil, m)
	})
	return m, err
}

// VoidMark declares a mark entered by mistake; the row stays and the item is unmarked again.
func (s *Service) VoidMark(ctx context.Context, who access.Principal, id int64, reason string) error {
	if err := may(who, "mark"); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" || utf8.RuneCountInString(reason) > maxReasonRunes {
		return invalid("reason", "voiding a mark needs a reason of at most %d characters", maxReasonRunes)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var periodID int64
		var gone bool
		err := tx.QueryRow(ctx, `SELECT period_id, voids IS NOT NULL OR EXISTS (SELECT 1 FROM assessment_mark x WHERE x.supersedes = m.id OR x.voids = m.id)
			FROM assessment_mark m WHERE id = $1 FOR UPDATE`, id).Scan(&periodID, &gone)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("no mark %d", id)
		}
		if err != nil {
			return wrap("mark", err)
		}
		if gone {
			return apperr.New(apperr.Conflict, "mark %d is no longer standing (superseded or voided)", id)
		}
		if pub, err := published(ctx, tx, periodID); err != nil || pub {
			if err == nil {
				err = apperr.New(apperr.Conflict, "the period of mark %d is published; amend it instead", id)
			}
			return err
		}
		var voidID int64
		if err := tx.QueryRow(ctx, `INSERT INTO assessment_mark (period_id, subdistrict_id, item_code, points, created_by, created_by_user, voids, reason)
			SELECT period_id, subdistrict_id, item_code, 0, $2, NULLIF($3, 0), id, $4 FROM assessment_mark WHERE id = $1 RETURNING id`,
			id, who.Label(), who.UserID, strings.TrimSpace(reason)).Scan(&voidID); err != nil {
			return wrap("void mark", err)
		}
		return audit.Record(ctx, tx, who, audit.Void, "assessment_mark", id, nil, map[string]any{"reason": reason, "void_record": voidID})
	})
}

// SampleArea is one area drawn for a spot check.
type SampleArea struct {
	Seq    int    `json:"seq"`
	AreaID int64  `json:"area_id"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
}

// DrawSample draws count areas of the subdistrict at random for the assessor's spot check of a
// sampled item, once per period, subdistrict and item: a second draw would let the assessed choose.
func (s *Service) DrawSample(ctx context.Context, who access.Principal, p Period, subdistrictID int64, itemCode string, count int) ([]SampleArea, error) {
	if err := may(who, "mark"); err != nil {
		return nil, err
	}
	if count < 1 || count > MaxSample {
		return nil, invalid("count", "draw 1–%d areas, not %d", MaxSample, count)
	}
	var out []SampleArea
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkSubdistrict(ctx, tx, subdistrictID); err != nil {
			return err
		}
		periodID, sh, err := period(ctx, tx, p)
		if err != nil {
			return err
		}
		if it, ok := sh.item(itemCode); !ok || it.Source != Sampled {
			return invalid("item_code", "%q is not a spot-check item of the %s sheet v%d", itemCode, sh.Kind, sh.Version)
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('assessment_sample'), $1::int)`, periodID); err != nil {
			return err
		}
		var drawn int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM assessment_sample WHERE period_id = $1 AND subdistrict_id = $2 AND item_code = $3`,
			periodID, subdistrictID, itemCode).Scan(&drawn); err != nil {
			return wrap("sample", err)
		}
		if drawn > 0 {
			return apperr.New(apperr.Conflict, "the sample of %s for this subdistrict was drawn already (%d areas)", itemCode, drawn)
		}
		rows, err := tx.Query(ctx, `SELECT id FROM area_directory WHERE subdistrict_id = $1 ORDER BY id`, subdistrictID)
		if err != nil {
			return wrap("areas", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return wrap("areas", err)
		}
		rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		ids = ids[:min(count, len(ids))]
		for i, a := range ids {
			if _, err := tx.Exec(ctx, `INSERT INTO assessment_sample (period_id, subdistrict_id, item_code, area_id, seq, drawn_by) VALUES ($1, $2, $3, $4, $5, $6)`,
				periodID, subdistrictID, itemCode, a, i+1, who.Label()); err != nil {
				return wrap("insert sample", err)
			}
		}
		if out, err = readSample(ctx, tx, periodID, subdistrictID, itemCode); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "assessment_sample", periodID, nil, map[string]any{"subdistrict_id": subdistrictID, "item": itemCode, "areas": ids})
	})
	return out, err
}

func readSample(ctx context.Context, db database.Querier, periodID, subdistrictID int64, itemCode string) ([]SampleArea, error) {
	rows, err := db.Query(ctx, `SELECT s.seq, s.area_id, a.kind, a.name FROM assessment_sample s JOIN area_directory a ON a.id = s.area_id
		WHERE s.period_id = $1 AND s.subdistrict_id = $2 AND s.item_code = $3 ORDER BY s.seq`, periodID, subdistrictID, itemCode)
	if err != nil {
		return nil, wrap("sample", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[SampleArea])
}

// standingMarks are the marks in force of a period: subdistrict → item → mark.
func standingMarks(ctx context.Context, db database.Querier, periodID int64) (map[int64]map[string]Mark, error) {
	rows, err := db.Query(ctx, `SELECT m.id, m.subdistrict_id, m.item_code, m.points::text, m.note, m.created_at, m.created_by, COALESCE(m.supersedes, 0), m.reason,
		(SELECT count(*) FROM assessment_mark_photo p WHERE p.mark_id = m.id)
		FROM assessment_mark m WHERE m.period_id = $1 AND m.voids IS NULL
		AND NOT EXISTS (SELECT 1 FROM assessment_mark x WHERE x.supersedes = m.id OR x.voids = m.id)`, periodID)
	if err != nil {
		return nil, wrap("marks", err)
	}
	defer rows.Close()
	out := map[int64]map[string]Mark{}
	for rows.Next() {
		var m Mark
		var pts string
		if err := rows.Scan(&m.ID, &m.SubdistrictID, &m.ItemCode, &pts, &m.Note, &m.CreatedAt, &m.CreatedBy, &m.Supersedes, &m.Reason, &m.Photos); err != nil {
			return nil, wrap("mark", err)
		}
		if m.Points, err = storedScore(pts); err != nil {
			return nil, err
		}
		if out[m.SubdistrictID] == nil {
			out[m.SubdistrictID] = map[string]Mark{}
		}
		out[m.SubdistrictID][m.ItemCode] = m
	}
	return out, wrap("marks", rows.Err())
}

// storedScore reads a numeric(5,2) the database wrote.
func storedScore(text string) (policy.Score, error) {
	v, err := policy.ParseScore(jsonNumber(text))
	if err != nil {
		return 0, fmt.Errorf("stored score %q: %w", text, err)
	}
	return v, nil
}
