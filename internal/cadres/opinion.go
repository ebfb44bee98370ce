package cadres

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/registry"
)

// Post is one cadre post in one subdistrict: who holds it, which post, for which department and team.
// An opinion is about a post, not an assignment: a cadre who left and came back within the year, or
// moved from deputy to primary, has one post and one opinion.
type Post struct {
	PersonID      int64             `json:"person_id"`
	SubdistrictID int64             `json:"subdistrict_id"`
	Role          registry.PostRole `json:"role"`
	DepartmentID  int64             `json:"department_id,omitempty"` // 0: a linked leader for no department
	Level         registry.Level    `json:"level"`
}

// OpinionInput is a first opinion on a post for a year.
type OpinionInput struct {
	Year int `json:"year"`
	Post
	Rating string `json:"rating"`
	Text   string `json:"text"`
}

// Correction replaces a standing opinion with a new one; Reason says why.
type Correction struct {
	Rating string `json:"rating"`
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

// Opinion is one recorded opinion, standing or superseded.
type Opinion struct {
	ID   int64 `json:"id"`
	Year int   `json:"year"`
	Post
	PersonName      string    `json:"person_name"`
	SubdistrictName string    `json:"subdistrict_name"`
	DepartmentName  string    `json:"department_name,omitempty"`
	Rating          Rating    `json:"rating"`
	Text            string    `json:"text"`
	Supersedes      *int64    `json:"supersedes"`    // the opinion this one corrects
	SupersededBy    *int64    `json:"superseded_by"` // the correction that replaced this one
	Reason          string    `json:"reason,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	CreatedBy       string    `json:"created_by"`
}

// Standing reports whether no correction has replaced the opinion.
func (o Opinion) Standing() bool { return o.SupersededBy == nil }

func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return apperr.New(apperr.Malformed, "%s is not UTF-8 text", field).With("field", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return apperr.New(apperr.Invalid, "%s has %d characters, more than %d", field, n, max).With("field", field)
	}
	return nil
}

// checkVerdict checks a rating and its text.
func checkVerdict(rating, text string) (Rating, error) {
	r, err := ParseRating(rating)
	if err != nil {
		return "", err
	}
	if err := checkText("text", text, MaxTextRunes); err != nil {
		return "", err
	}
	if r.NeedsText() && strings.TrimSpace(text) == "" {
		return "", apperr.New(apperr.Invalid, "a rating of %s needs a text saying why", r).With("field", "text")
	}
	return r, nil
}

func (p Post) check() (Post, error) {
	if p.PersonID <= 0 {
		return p, apperr.New(apperr.Invalid, "person_id is required").With("field", "person_id")
	}
	if p.SubdistrictID <= 0 {
		return p, apperr.New(apperr.Invalid, "subdistrict_id is required").With("field", "subdistrict_id")
	}
	if p.DepartmentID < 0 {
		return p, apperr.New(apperr.Invalid, "department_id is a positive id").With("field", "department_id")
	}
	role, err := registry.ParsePostRole(string(p.Role))
	if err != nil || !role.HasLevel() || role == "" {
		return p, apperr.New(apperr.Invalid, "role %q is not a linked cadre's post (%s)", p.Role, strings.Join(cadrePostNames(), ", ")).With("field", "role")
	}
	lvl, err := registry.ParseLevel(string(p.Level))
	if err != nil {
		return p, err
	}
	if lvl == "" {
		lvl = registry.DistrictLevel
	}
	p.Role, p.Level = role.Canonical(), lvl
	return p, nil
}

// Record writes the first opinion on a post for a year. The cadre must have held that post in that
// subdistrict at some time during the year; the caller must be its street chief or an admin.
func (s *Service) Record(ctx context.Context, who access.Principal, in OpinionInput) (Opinion, error) {
	if err := s.checkYear(in.Year); err != nil {
		return Opinion{}, err
	}
	post, err := in.Post.check()
	if err != nil {
		return Opinion{}, err
	}
	rating, err := checkVerdict(in.Rating, in.Text)
	if err != nil {
		return Opinion{}, err
	}
	if err := mayWrite(who, post.SubdistrictID); err != nil {
		return Opinion{}, err
	}
	var out Opinion
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := s.checkHeld(ctx, tx, in.Year, post); err != nil {
			return err
		}
		id, err := insertOpinion(ctx, tx, who, in.Year, post, rating, in.Text, nil, "")
		if err != nil {
			return err
		}
		if out, err = opinionByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "cadre_opinion", id, nil, out)
	})
	return out, translate(err, "opinion")
}

// Correct records a new opinion that supersedes the standing opinion id, with the reason; both stay
// on record. Only the standing opinion can be corrected, once: a second correction of the same one is
// a conflict (correct the correction instead).
func (s *Service) Correct(ctx context.Context, who access.Principal, id int64, c Correction) (Opinion, error) {
	if id <= 0 {
		return Opinion{}, apperr.New(apperr.NotFound, "no opinion %d", id)
	}
	rating, err := checkVerdict(c.Rating, c.Text)
	if err != nil {
		return Opinion{}, err
	}
	if err := checkText("reason", c.Reason, MaxReasonRunes); err != nil {
		return Opinion{}, err
	}
	if strings.TrimSpace(c.Reason) == "" {
		return Opinion{}, apperr.New(apperr.Invalid, "a correction needs a reason").With("field", "reason")
	}
	if err := mayWriteAny(who); err != nil {
		return Opinion{}, err
	}
	var out Opinion
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		old, err := opinionByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayWrite(who, old.SubdistrictID); err != nil {
			// An opinion of another subdistrict is confidential: it does not exist for this caller.
			return apperr.New(apperr.NotFound, "no opinion %d", id)
		}
		if old.SupersededBy != nil {
			return apperr.New(apperr.Conflict, "opinion %d was already corrected by opinion %d; correct that one", id, *old.SupersededBy)
		}
		nid, err := insertOpinion(ctx, tx, who, old.Year, old.Post, rating, c.Text, &id, c.Reason)
		if err != nil {
			return err
		}
		if out, err = opinionByID(ctx, tx, nid); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "cadre_opinion", nid, old, out)
	})
	return out, translate(err, "opinion")
}

func mayWriteAny(who access.Principal) error {
	if who.Role == access.Admin || who.Role == access.StreetChief {
		return nil
	}
	return mayWrite(who, 0)
}

// checkHeld refuses an opinion on someone who did not hold the post in that subdistrict that year,
// naming which part is unknown.
func (s *Service) checkHeld(ctx context.Context, tx pgx.Tx, year int, p Post) error {
	from, to := yearRange(year)
	var person, unit, dept, held bool
	err := tx.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM person_directory WHERE id = $1),
		EXISTS (SELECT 1 FROM unit_directory WHERE id = $2 AND level = 'subdistrict'),
		$4 = 0 OR EXISTS (SELECT 1 FROM department_directory WHERE id = $4),
		EXISTS (SELECT 1 FROM assignment_standing
		         WHERE person_id = $1 AND admin_unit_id = $2 AND role = $3 AND COALESCE(department_id, 0) = $4
		           AND level = $5 AND valid && tstzrange($6, $7))`,
		p.PersonID, p.SubdistrictID, string(p.Role), p.DepartmentID, string(p.Level), from, to).Scan(&person, &unit, &dept, &held)
	switch {
	case err != nil:
		return translate(err, "check post")
	case !person:
		return apperr.New(apperr.NotFound, "no person %d", p.PersonID).With("field", "person_id")
	case !unit:
		return apperr.New(apperr.NotFound, "no subdistrict %d", p.SubdistrictID).With("field", "subdistrict_id")
	case !dept:
		return apperr.New(apperr.NotFound, "no department %d", p.DepartmentID).With("field", "department_id")
	case !held:
		return apperr.New(apperr.Invalid, "person %d held no %s post (%s level, department %d) in subdistrict %d during %d",
			p.PersonID, p.Role, p.Level, p.DepartmentID, p.SubdistrictID, year).With("field", "person_id")
	}
	return nil
}

func insertOpinion(ctx context.Context, tx pgx.Tx, who access.Principal, year int, p Post, r Rating, text string, supersedes *int64, reason string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO cadre_opinion (year, person_id, subdistrict_id, role, department_id, level, rating, body,
			supersedes, reason, created_by, created_by_user)
		VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6, $7, $8, $9, $10, $11, NULLIF($12, 0)) RETURNING id`,
		year, p.PersonID, p.SubdistrictID, string(p.Role), p.DepartmentID, string(p.Level), string(r), text,
		supersedes, reason, who.Label(), who.UserID).Scan(&id)
	return id, translate(err, "opinion")
}

const opinionSelect = `SELECT o.id, o.year, o.person_id, o.subdistrict_id, o.role, COALESCE(o.department_id, 0), o.level,
		COALESCE(p.name, ''), COALESCE(u.name, ''), COALESCE(d.name, ''), o.rating, o.body, o.supersedes,
		(SELECT n.id FROM cadre_opinion n WHERE n.supersedes = o.id), o.reason, o.created_at, o.created_by
	  FROM cadre_opinion o
	  LEFT JOIN person_directory p ON p.id = o.person_id
	  LEFT JOIN unit_directory u ON u.id = o.subdistrict_id
	  LEFT JOIN department_directory d ON d.id = o.department_id`

func scanOpinion(row pgx.Row) (Opinion, error) {
	var o Opinion
	err := row.Scan(&o.ID, &o.Year, &o.PersonID, &o.SubdistrictID, &o.Role, &o.DepartmentID, &o.Level,
		&o.PersonName, &o.SubdistrictName, &o.DepartmentName, &o.Rating, &o.Text, &o.Supersedes,
		&o.SupersededBy, &o.Reason, &o.CreatedAt, &o.CreatedBy)
	return o, err
}

func opinionByID(ctx context.Context, tx pgx.Tx, id int64) (Opinion, error) {
	o, err := scanOpinion(tx.QueryRow(ctx, opinionSelect+` WHERE o.id = $1`, id))
	if err == pgx.ErrNoRows {
		return o, apperr.New(apperr.NotFound, "no opinion %d", id)
	}
	return o, translate(err, "opinion")
}

// Opinions lists the opinions in the caller's reach, standing and superseded, for year (0: every
// year) and subdistrict (0: all the caller may read), ordered by post and then oldest first, so a
// correction follows what it corrects.
func (s *Service) Opinions(ctx context.Context, who access.Principal, year int, subdistrict int64) ([]Opinion, error) {
	subs, err := readScope(who)
	if err != nil {
		return nil, err
	}
	if year != 0 {
		if err := s.checkYear(year); err != nil {
			return nil, err
		}
	}
	if subdistrict < 0 {
		return nil, apperr.New(apperr.Malformed, "subdistrict is a positive id").With("field", "subdistrict")
	}
	rows, err := s.db.Query(ctx, opinionSelect+`
		WHERE ($1 = 0 OR o.year = $1) AND ($2 = 0 OR o.subdistrict_id = $2)
		  AND ($3::bigint[] IS NULL OR o.subdistrict_id = ANY($3))
		ORDER BY o.year, u.name, o.subdistrict_id, p.name, o.person_id, o.role, o.department_id NULLS FIRST, o.level, o.id`,
		year, subdistrict, subs)
	if err != nil {
		return nil, translate(err, "opinions")
	}
	out := []Opinion{}
	for rows.Next() {
		o, err := scanOpinion(rows)
		if err != nil {
			rows.Close()
			return nil, translate(err, "opinions")
		}
		out = append(out, o)
	}
	return out, translate(rows.Err(), "opinions")
}
