package assessment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/policy"
)

// Change is one item's points corrected by an amendment.
type Change struct {
	SubdistrictID int64        `json:"subdistrict_id"`
	ItemCode      string       `json:"item_code"`
	Points        policy.Score `json:"points"`
}

// MaxChanges bounds one amendment.
const MaxChanges = 200

// Amend corrects a published period by a new revision with the reason on record: the changed items'
// old and new points both stay, totals, ranks and outcomes are drawn again and the ledger corrected
// by entries. What depends on the period follows with revisions of its own: the month's quarter (its
// months' average) and the later published quarters whose outcomes change (streaks of last places).
func (s *Service) Amend(ctx context.Context, who access.Principal, p Period, changes []Change, reason string) (Result, error) {
	if err := may(who, "publish"); err != nil {
		return Result{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return Result{}, invalid("reason", "an amendment needs a reason of at most 1000 characters")
	}
	if len(changes) == 0 || len(changes) > MaxChanges {
		return Result{}, invalid("changes", "an amendment changes 1–%d items", MaxChanges)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		periodID, sh, rows, err := standingRows(ctx, tx, p)
		if err != nil {
			return err
		}
		if err := lockPeriod(ctx, tx, periodID); err != nil {
			return err
		}
		if err := applyChanges(sh, rows, changes); err != nil {
			return err
		}
		if err := s.retotal(ctx, tx, p, sh, rows); err != nil {
			return err
		}
		pubID, err := s.writePublication(ctx, tx, who, periodID, p, rows, reason, 0)
		if err != nil {
			return err
		}
		return s.follow(ctx, tx, who, p, pubID, reason)
	})
	if err != nil {
		return Result{}, err
	}
	return s.Result(ctx, who, p, 0)
}

func standingRows(ctx context.Context, tx pgx.Tx, p Period) (int64, Sheet, []Row, error) {
	var periodID, templateID int64
	var revision int
	err := tx.QueryRow(ctx, `SELECT p.id, p.template_id, COALESCE(max(pub.revision), 0) FROM assessment_period p
		LEFT JOIN assessment_publication pub ON pub.period_id = p.id WHERE p.kind = $1 AND p.label = $2 GROUP BY p.id`, p.Kind, p.Label).Scan(&periodID, &templateID, &revision)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && revision == 0) {
		return 0, Sheet{}, nil, apperr.New(apperr.Conflict, "%s is not published; change its marks instead", p.Label)
	}
	if err != nil {
		return 0, Sheet{}, nil, wrap("period", err)
	}
	sh, err := readSheet(ctx, tx, templateID)
	if err != nil {
		return 0, sh, nil, err
	}
	rows, _, err := readPublication(ctx, tx, periodID, revision, sh)
	return periodID, sh, rows, err
}

func applyChanges(sh Sheet, rows []Row, changes []Change) error {
	seen := map[Change]bool{}
	for i, c := range changes {
		it, ok := sh.item(c.ItemCode)
		if !ok {
			return invalid("changes", "change %d: %q is not an item of the %s sheet v%d", i+1, c.ItemCode, sh.Kind, sh.Version)
		}
		if c.Points < 0 || c.Points > it.MaxPoints {
			return invalid("changes", "change %d: %s gives 0–%s points, not %s", i+1, it.Code, it.MaxPoints, c.Points)
		}
		key := Change{SubdistrictID: c.SubdistrictID, ItemCode: c.ItemCode}
		if seen[key] {
			return invalid("changes", "change %d: item %s of subdistrict %d is changed twice", i+1, c.ItemCode, c.SubdistrictID)
		}
		seen[key] = true
		r := slices.IndexFunc(rows, func(r Row) bool { return r.SubdistrictID == c.SubdistrictID })
		if r < 0 {
			return invalid("changes", "change %d: subdistrict %d has no result in this period", i+1, c.SubdistrictID)
		}
		l := slices.IndexFunc(rows[r].Lines, func(l Line) bool { return l.Code == c.ItemCode })
		line := &rows[r].Lines[l]
		if *line.Points == c.Points {
			return invalid("changes", "change %d: %s of %s is %s already", i+1, c.ItemCode, rows[r].Name, c.Points)
		}
		old, pts := *line.Points, c.Points
		line.AmendedFrom, line.Points = &old, &pts
	}
	return nil
}

// retotal counts rows' totals, a quarter's months' average and score, and the ranks again.
func (s *Service) retotal(ctx context.Context, tx pgx.Tx, p Period, sh Sheet, rows []Row) error {
	var months map[int64]*policy.Score
	if p.Kind == Quarter {
		var missing []string
		var err error
		if months, missing, err = monthsAverage(ctx, tx, p); err != nil {
			return err
		}
		if len(missing) > 0 {
			return fmt.Errorf("quarter %s is published but %v", p.Label, missing)
		}
	}
	for i := range rows {
		r := &rows[i]
		r.SheetTotal = 0
		for _, l := range r.Lines {
			r.SheetTotal += *l.Points
		}
		r.Score = r.SheetTotal
		if p.Kind == Quarter {
			r.MonthsAverage = months[r.SubdistrictID]
			if r.MonthsAverage != nil {
				r.Score = quarterScore(*sh.QuarterShare, r.SheetTotal, *r.MonthsAverage)
			}
		}
		r.Outcomes = []Outcome{}
	}
	rankRows(rows)
	return nil
}

// follow publishes new revisions of what depends on the amended period p: a month's quarter, then
// every later published quarter whose score or outcomes the change reaches.
func (s *Service) follow(ctx context.Context, tx pgx.Tx, who access.Principal, p Period, pubID int64, reason string) error {
	next := p
	if p.Kind == Month {
		next = p.QuarterOf()
	} else {
		next = p.Next()
	}
	for range policy.MaxQuarters {
		periodID, sh, rows, err := standingRows(ctx, tx, next)
		if apperr.CodeOf(err) == apperr.Conflict {
			return nil // not published: nothing further depends on it yet
		}
		if err != nil {
			return err
		}
		before := scoresOf(rows)
		if err := s.retotal(ctx, tx, next, sh, rows); err != nil {
			return err
		}
		changed := !slices.Equal(before, scoresOf(rows))
		if !changed {
			if changed, err = s.outcomesWouldChange(ctx, tx, next, periodID); err != nil {
				return err
			}
		}
		if changed {
			why := fmt.Sprintf("follows the amendment of %s: %s", p.Label, reason)
			if pubID, err = s.writePublication(ctx, tx, who, periodID, next, rows, truncate(why, 1000), pubID); err != nil {
				return err
			}
		}
		next = next.Next()
	}
	return nil
}

func scoresOf(rows []Row) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, fmt.Sprint(r.SubdistrictID, ":", r.Score, ":", r.Rank))
	}
	slices.Sort(out)
	return out
}

// outcomesWouldChange draws quarter p's outcomes again from the published run and compares them with
// the standing revision's.
func (s *Service) outcomesWouldChange(ctx context.Context, tx pgx.Tx, p Period, periodID int64) (bool, error) {
	run, err := quarterRun(ctx, tx, p)
	if err != nil {
		return false, err
	}
	res, err := policy.Evaluate(run, s.rules)
	if err != nil {
		return false, err
	}
	reasons := res.Quarters[len(res.Quarters)-1].Reasons
	if p.Starts.Month() == 10 && res.Annual != nil && res.Annual.Year == p.Starts.Year() {
		reasons = append(reasons, res.Annual.Reasons...)
	}
	var drawn []string
	for _, r := range reasons {
		drawn = append(drawn, fmt.Sprint(r.Key, r.Kind, r.Rule, r.Yuan))
	}
	rows, err := tx.Query(ctx, `SELECT o.subdistrict_id::text || o.kind || o.rule || o.yuan::text FROM assessment_outcome o
		WHERE o.publication_id = (SELECT id FROM assessment_publication WHERE period_id = $1 ORDER BY revision DESC LIMIT 1)`, periodID)
	if err != nil {
		return false, wrap("outcomes", err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, wrap("outcomes", err)
	}
	slices.Sort(drawn)
	slices.Sort(stored)
	return !slices.Equal(drawn, stored), nil
}
