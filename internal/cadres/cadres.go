// Package cadres keeps what the street chief says about the enforcement cadres linked to their
// subdistrict — a yearly opinion (街长意见) for the organisation department's personnel review — and
// the yearly table binding those cadres' bonuses to the subdistrict's figures (奖金挂钩表). It owns
// cadre_opinion, reads posts through the registry's published views and counts nothing of the
// incidents itself: their KPIs come from internal/incidents' Go API.
package cadres

import (
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

// Service reads and writes the opinions and builds the bonus-basis table.
type Service struct {
	db        *pgxpool.Pool
	incidents *incidents.Service
	now       func() time.Time
}

// NewService returns a Service on db whose KPI figures come from inc.
func NewService(db *pgxpool.Pool, inc *incidents.Service) *Service {
	return &Service{db: db, incidents: inc, now: time.Now}
}

// CadrePosts are the posts whose holders are linked department cadres: a department's leader (负责领导)
// and responsible person (负责人) in a subdistrict, leaders linked to it (挂钩领导) and cross-appointees
// (交叉任职). cadre_opinion's CHECK on role allows exactly these.
var CadrePosts = []registry.PostRole{registry.DepartmentLeader, registry.DepartmentLiaison, registry.LinkedLeader, registry.CrossAppointee}

func cadrePostNames() []string {
	out := make([]string, len(CadrePosts))
	for i, r := range CadrePosts {
		out[i] = string(r)
	}
	return out
}

// Rating is the street chief's verdict on a cadre for a year.
type Rating string

const (
	Excellent          Rating = "excellent"           // 优秀
	Competent          Rating = "competent"           // 称职
	BasicallyCompetent Rating = "basically_competent" // 基本称职
	Incompetent        Rating = "incompetent"         // 不称职
)

// Ratings lists the ratings from best to worst; cadre_opinion's CHECK allows exactly these.
var Ratings = []Rating{Excellent, Competent, BasicallyCompetent, Incompetent}

// ParseRating checks a rating from outside.
func ParseRating(s string) (Rating, error) {
	if r := Rating(s); slices.Contains(Ratings, r) {
		return r, nil
	}
	return "", apperr.New(apperr.Invalid, "rating %q is not one of excellent, competent, basically_competent, incompetent", s).With("field", "rating")
}

// NeedsText reports whether the rating must say why: the two lowest do.
func (r Rating) NeedsText() bool { return r == BasicallyCompetent || r == Incompetent }

// MaxTextRunes bounds an opinion's text; MaxReasonRunes a correction's reason.
const (
	MaxTextRunes   = 2000
	MaxReasonRunes = 500
	firstYear      = 2000
)

// yearRange is [1 January of year, 1 January of the next) in Beijing time, the year the personnel
// review counts in.
func yearRange(year int) (time.Time, time.Time) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, incidents.Beijing)
	return from, from.AddDate(1, 0, 0)
}

// checkYear refuses a year before the platform's records or one that has not begun.
func (s *Service) checkYear(year int) error {
	now := s.now().In(incidents.Beijing).Year()
	if year < firstYear || year > now {
		return apperr.New(apperr.Invalid, "year %d is not between %d and this year (%d)", year, firstYear, now).With("field", "year")
	}
	return nil
}

// readScope is the subdistricts whose opinions and table who may read: the personnel office (admin,
// district leader) all (nil), a street chief their own. A department liaison reads none, not even
// about their own department's cadres: the review is confidential to the office and the street chief.
func readScope(who access.Principal) ([]int64, error) {
	switch who.Role {
	case access.Admin, access.DistrictLeader:
		return nil, nil
	case access.StreetChief:
		return append([]int64{}, who.Scope.Subdistricts...), nil
	}
	return nil, apperr.New(apperr.Forbidden, "opinions on linked cadres are for the personnel office and the street chief of the subdistrict")
}

// mayWrite: the street chief of the subdistrict records the opinion, or an admin for them.
func mayWrite(who access.Principal, subdistrict int64) error {
	switch {
	case who.Role == access.Admin:
		return nil
	case who.Role == access.StreetChief && slices.Contains(who.Scope.Subdistricts, subdistrict):
		return nil
	case who.Role == access.StreetChief:
		return apperr.New(apperr.Forbidden, "subdistrict %d is not yours", subdistrict).With("field", "subdistrict_id")
	}
	return apperr.New(apperr.Forbidden, "opinions are recorded by the street chief of the subdistrict (or an admin)")
}

// translate turns the database's refusals into errors a person can act on.
func translate(err error, what string) error {
	return database.Refused(err, what, database.Messages{
		"cadre_opinion_corrected_once": "%s: it was corrected meanwhile; correct the correction instead",
		"23505":                        "%s: this post already has an opinion for the year; correct that one instead",
	})
}
