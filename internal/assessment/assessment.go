// Package assessment scores the subdistricts every month and every quarter (每月一小考,每季一大考) on
// score sheets kept as versioned data, publishes the results frozen, amends them only by a new
// revision with a reason, and turns each quarter's ranking into rewards, penalties, interviews and
// commendations by the policy's rules (internal/policy), booking every yuan in the funds ledger
// (internal/funds) in the same transaction.
//
// It owns the assessment tables (migration 0033). Computed items count nothing themselves: the
// figures come from incidents' KPIs, merchants' coverage, the gap report and the tasks' completion,
// through their Go APIs, as they stood at the period's end.
//
// Who may do what: assessors enter marks and draw spot-check samples; district leaders and
// administrators also publish, amend and keep the score sheets; street chiefs read the published
// results (the ranking is announced to every subdistrict) and their own subdistrict's drafts.
package assessment

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
	"streetchief/internal/objectstore"
	"streetchief/internal/patrols"
	"streetchief/internal/policy"
	"streetchief/internal/reports"
	"streetchief/internal/tasks"
)

// Sources are the modules whose figures a sheet's computed items score.
type Sources struct {
	Incidents *incidents.Service
	Merchants *merchants.Store
	Reports   *reports.Service
	Tasks     *tasks.Service
	Patrols   *patrols.Store
	// Photos is where marks' photos are kept (nil: in their rows).
	Photos objectstore.Store
}

// Service is the assessment over one database and the services its computed items ask.
type Service struct {
	db        *pgxpool.Pool
	incidents *incidents.Service
	merchants *merchants.Store
	reports   *reports.Service
	tasks     *tasks.Service
	patrols   *patrols.Store
	photos    objectstore.Store
	rules     policy.Rules
	now       func() time.Time
	// noticeAt dates the street chiefs' notices of a publication, or says there are none; nil is
	// now. The demo's two years, published at load time, tell of the latest periods only, dated a
	// few days after each as a district would have: the inbox is newest first by arrival.
	noticeAt func(Period) (time.Time, bool)
}

// NewService returns the assessment over db, computing items from src and drawing quarters'
// outcomes by rules.
func NewService(db *pgxpool.Pool, src Sources, rules policy.Rules) *Service {
	return &Service{db: db, incidents: src.Incidents, merchants: src.Merchants, reports: src.Reports, tasks: src.Tasks,
		patrols: src.Patrols, photos: src.Photos, rules: rules, now: time.Now}
}

func (s *Service) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.db, pgx.TxOptions{}, fn)
}

// may says whether who may do what; reading a draft of one subdistrict is checked by mayRead.
func may(who access.Principal, what string) error {
	switch what {
	case "mark":
		if who.Role == access.Assessor || who.Role == access.Admin || who.Role == access.DistrictLeader {
			return nil
		}
	case "publish", "sheet":
		if who.Role == access.Admin || who.Role == access.DistrictLeader {
			return nil
		}
	case "read":
		switch who.Role {
		case access.Assessor, access.Admin, access.DistrictLeader, access.StreetChief:
			return nil
		}
	}
	return apperr.New(apperr.Forbidden, "your role (%s) may not %s in the assessment", who.Role, verbs[what])
}

var verbs = map[string]string{"mark": "enter marks", "publish": "publish or amend results", "sheet": "change score sheets", "read": "read results"}

// seesAll reports whether who reads every subdistrict's drafts and figures; a street chief reads their
// own subdistricts' and every published total and rank.
func seesAll(who access.Principal) bool { return who.Scope.All }

func notFound(format string, args ...any) error {
	return apperr.New(apperr.NotFound, format, args...)
}

func invalid(field, format string, args ...any) error {
	return apperr.New(apperr.Invalid, format, args...).With("field", field)
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
