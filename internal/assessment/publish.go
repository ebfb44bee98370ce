package assessment

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
	"streetchief/internal/funds"
	"streetchief/internal/policy"
)

// Outcome is what a published quarter's ranking decided for a subdistrict, with the rule and the
// figures behind it; kind note is a rule that applied without an outcome (a place that fell short).
type Outcome struct {
	ID            int64  `json:"id"`
	SubdistrictID int64  `json:"subdistrict_id"`
	Kind          string `json:"kind"`
	Rule          string `json:"rule"`
	Yuan          int64  `json:"yuan"`
	Text          string `json:"text"`
	TextZH        string `json:"text_zh"`
}

// Publish freezes a period that has ended: every item's points with the figures they came from, the
// totals and ranks, and for a quarter the outcomes by the rules, booked in the funds ledger — all in
// one transaction. A period with a missing mark, or a quarter with a month unpublished, is refused.
func (s *Service) Publish(ctx context.Context, who access.Principal, p Period) (Result, error) {
	if err := may(who, "publish"); err != nil {
		return Result{}, err
	}
	if !p.over(s.now()) {
		return Result{}, apperr.New(apperr.Conflict, "%s ends on %s; it is published after it ends", p.Label, p.Ends.Format(time.DateOnly))
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		periodID, sh, err := period(ctx, tx, p)
		if err != nil {
			return err
		}
		if err := lockPeriod(ctx, tx, periodID); err != nil {
			return err
		}
		if pub, err := published(ctx, tx, periodID); err != nil || pub {
			if err == nil {
				err = apperr.New(apperr.Conflict, "%s is published already; amend it with a reason", p.Label)
			}
			return err
		}
		rows, err := s.draft(ctx, tx, periodID, p, sh)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if len(r.Missing) > 0 {
				return apperr.New(apperr.Conflict, "%s cannot be published: %s lacks %s", p.Label, r.Name, strings.Join(r.Missing, ", "))
			}
		}
		_, err = s.writePublication(ctx, tx, who, periodID, p, rows, "", 0)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return s.Result(ctx, who, p, 0)
}

func lockPeriod(ctx context.Context, tx pgx.Tx, periodID int64) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('assessment_period'), $1::int)`, periodID)
	return wrap("lock period", err)
}

// writePublication writes the next revision of a period from rows (points and totals already
// counted): scores, results, outcomes and the ledger's entries. It returns the publication's id.
func (s *Service) writePublication(ctx context.Context, tx pgx.Tx, who access.Principal, periodID int64, p Period, rows []Row, reason string, follows int64) (int64, error) {
	rulesJSON, err := json.Marshal(s.rules)
	if err != nil {
		return 0, err
	}
	var pubID int64
	var revision int
	err = tx.QueryRow(ctx, `INSERT INTO assessment_publication (period_id, revision, reason, follows, rules, created_by, created_by_user)
		VALUES ($1, (SELECT COALESCE(max(revision), 0) + 1 FROM assessment_publication WHERE period_id = $1), $2, NULLIF($3, 0), $4, $5, NULLIF($6, 0))
		RETURNING id, revision`, periodID, reason, follows, rulesJSON, who.Label(), who.UserID).Scan(&pubID, &revision)
	if err != nil {
		return 0, wrap("insert publication", err)
	}
	for _, r := range rows {
		for _, l := range r.Lines {
			figures, err := json.Marshal(map[string]any{"figure": l.Figure, "mark": l.Mark, "sample": l.Sample, "amended_from": l.AmendedFrom})
			if err != nil {
				return 0, err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO assessment_score (publication_id, subdistrict_id, item_code, points, figures) VALUES ($1, $2, $3, $4::numeric, $5)`,
				pubID, r.SubdistrictID, l.Code, l.Points.String(), figures); err != nil {
				return 0, wrap("insert score", err)
			}
		}
		var avg *string
		if r.MonthsAverage != nil {
			v := r.MonthsAverage.String()
			avg = &v
		}
		if _, err := tx.Exec(ctx, `INSERT INTO assessment_result (publication_id, subdistrict_id, sheet_total, months_average, score, rank)
			VALUES ($1, $2, $3::numeric, $4::numeric, $5::numeric, $6)`, pubID, r.SubdistrictID, r.SheetTotal.String(), avg, r.Score.String(), r.Rank); err != nil {
			return 0, wrap("insert result", err)
		}
	}
	if p.Kind == Quarter {
		if err := s.writeOutcomes(ctx, tx, who, pubID, periodID, p, revision, reason); err != nil {
			return 0, err
		}
	}
	if err := s.tellResults(ctx, tx, who, pubID, p, rows, revision, reason); err != nil {
		return 0, err
	}
	return pubID, audit.Record(ctx, tx, who, audit.Create, "assessment_publication", pubID, nil,
		map[string]any{"period": p.Label, "revision": revision, "reason": reason, "follows": follows})
}

// writeOutcomes applies the rules to the run of published quarters ending with p (streaks of last
// places reach back through it) and books the money outcomes.
func (s *Service) writeOutcomes(ctx context.Context, tx pgx.Tx, who access.Principal, pubID, periodID int64, p Period, revision int, reason string) error {
	run, err := quarterRun(ctx, tx, p)
	if err != nil {
		return err
	}
	res, err := policy.Evaluate(run, s.rules)
	if err != nil {
		return fmt.Errorf("rules on %s: %w", p.Label, err)
	}
	reasons := res.Quarters[len(res.Quarters)-1].Reasons
	if p.Starts.Month() == 10 && res.Annual != nil && res.Annual.Year == p.Starts.Year() {
		reasons = append(reasons, res.Annual.Reasons...)
	}
	want := map[moneyKey]money{}
	for _, r := range reasons {
		sub, err := strconv.ParseInt(r.Key, 10, 64)
		if err != nil {
			return fmt.Errorf("outcome key %q: %w", r.Key, err)
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO assessment_outcome (publication_id, subdistrict_id, kind, rule, yuan, text_en, text_zh)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, pubID, sub, r.Kind, r.Rule, r.Yuan, r.Text, r.TextZH).Scan(&id); err != nil {
			return wrap("insert outcome", err)
		}
		switch r.Kind {
		case policy.KindReward:
			want[moneyKey{sub, funds.Reward}] = money{fen: r.Yuan * 100, outcome: id, text: r.TextZH}
		case policy.KindPenalty:
			want[moneyKey{sub, funds.Penalty}] = money{fen: -r.Yuan * 100, outcome: id, text: r.TextZH}
		}
	}
	return book(ctx, tx, who, pubID, periodID, p, revision, reason, want)
}

type moneyKey struct {
	sub  int64
	kind funds.Kind
}

type money struct {
	fen     int64 // signed: a penalty is negative
	outcome int64
	text    string
}

// book brings the ledger to what the publication decided. The first publication books each reward
// and penalty, half borne by the city and half by the district finance as the civilised-city work
// funds are; an amendment books only differences, each as a correction of the first entry.
func book(ctx context.Context, tx pgx.Tx, who access.Principal, pubID, periodID int64, p Period, revision int, reason string, want map[moneyKey]money) error {
	type have struct {
		fen   int64
		first int64
	}
	booked := map[moneyKey]map[funds.Payer]have{}
	rows, err := tx.Query(ctx, `SELECT subdistrict_id, kind, payer, sum(fen), min(entry_id) FROM assessment_ledger WHERE period_id = $1 GROUP BY 1, 2, 3`, periodID)
	if err != nil {
		return wrap("booked", err)
	}
	for rows.Next() {
		var k moneyKey
		var payer funds.Payer
		var h have
		if err := rows.Scan(&k.sub, &k.kind, &payer, &h.fen, &h.first); err != nil {
			rows.Close()
			return wrap("booked", err)
		}
		if booked[k] == nil {
			booked[k] = map[funds.Payer]have{}
		}
		booked[k][payer] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrap("booked", err)
	}
	keys := map[moneyKey]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range booked {
		keys[k] = true
	}
	for k := range keys {
		w := want[k]
		city := w.fen / 2
		for _, payer := range funds.Payers {
			target := city
			if payer == funds.District {
				target = w.fen - city
			}
			h, ok := booked[k][payer]
			if ok && h.fen == target {
				continue
			}
			e := funds.Entry{Year: p.Starts.Year(), SubdistrictID: k.sub, Fund: funds.CivilisedCity, Payer: payer}
			if w.outcome != 0 {
				e.SourceType, e.SourceID = funds.SourceAssessment, w.outcome
			}
			if !ok {
				if target == 0 {
					continue
				}
				e.Kind, e.Fen, e.Reason = k.kind, target, truncate(p.Label+" "+w.text, funds.MaxReasonRunes)
			} else {
				e.Kind, e.Fen, e.Corrects = funds.Correction, target-h.fen, h.first
				e.Reason = truncate(fmt.Sprintf("%s 第%d次修正 (revision %d): %s", p.Label, revision-1, revision, reason), funds.MaxReasonRunes)
			}
			ids, err := funds.Post(ctx, tx, who, e)
			if err != nil {
				return fmt.Errorf("book %s of %s: %w", k.kind, p.Label, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO assessment_ledger (entry_id, publication_id, period_id, subdistrict_id, kind, payer, fen)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, ids[0], pubID, periodID, k.sub, k.kind, payer, e.Fen); err != nil {
				return wrap("ledger link", err)
			}
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// quarterRun is the run of consecutive published quarters ending with p, oldest first, by subdistrict
// id, with the names the reasons call them by.
func quarterRun(ctx context.Context, db database.Querier, p Period) ([]policy.Quarter, error) {
	rows, err := db.Query(ctx, `SELECT v.period, v.subdistrict_id, u.name, v.score::text FROM assessment_published v
		JOIN unit_directory u ON u.id = v.subdistrict_id
		WHERE v.period_kind = 'quarter' AND v.starts <= $1::date ORDER BY v.starts DESC`, p.Starts.Format(time.DateOnly))
	if err != nil {
		return nil, wrap("quarters", err)
	}
	defer rows.Close()
	var run []policy.Quarter
	want := p.Label
	for rows.Next() {
		var label, name, text string
		var sub int64
		if err := rows.Scan(&label, &sub, &name, &text); err != nil {
			return nil, wrap("quarter", err)
		}
		if len(run) == 0 || run[len(run)-1].Period != label {
			if label != want || len(run) == policy.MaxQuarters {
				break
			}
			run = append(run, policy.Quarter{Period: label, Scores: map[string]policy.Score{}, Names: map[string]string{}})
			q, _ := ParsePeriod("quarter", label)
			want = q.Previous().Label
		}
		v, err := storedScore(text)
		if err != nil {
			return nil, err
		}
		key := strconv.FormatInt(sub, 10)
		run[len(run)-1].Scores[key], run[len(run)-1].Names[key] = v, name
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("quarters", err)
	}
	if len(run) == 0 {
		return nil, fmt.Errorf("quarter %s has no published result to rank", p.Label)
	}
	for i, j := 0, len(run)-1; i < j; i, j = i+1, j-1 {
		run[i], run[j] = run[j], run[i]
	}
	return run, nil
}
