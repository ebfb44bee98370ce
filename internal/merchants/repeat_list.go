package merchants

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// RepeatOffender is a shop handed to joint enforcement as a repeat offender, with its cases.
type RepeatOffender struct {
	MerchantID    int64        `json:"merchant_id"`
	Name          string       `json:"name"`
	Address       string       `json:"address"`
	SubdistrictID int64        `json:"subdistrict_id"`
	Subdistrict   string       `json:"subdistrict"`
	CommunityID   int64        `json:"community_id"`
	Community     string       `json:"community"`
	Open          bool         `json:"open"` // a case is still open
	Cases         []RepeatCase `json:"cases"`
	// Violations90d is how many standing inspections found a violation in the last 90 days.
	Violations90d int `json:"violations_90d"`
}

// RepeatCase is one incident opened for the shop and the inspections linked to it.
type RepeatCase struct {
	IncidentID  int64              `json:"incident_id"`
	Open        bool               `json:"open"`
	Cause       string             `json:"cause"` // of its first link: violations or refusal
	OpenedAt    time.Time          `json:"opened_at"`
	Inspections []RepeatInspection `json:"inspections"`
}

// RepeatInspection is an inspection behind a case.
type RepeatInspection struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Cause    string    `json:"cause"`
	Refused  bool      `json:"refused"`
	Category []string  `json:"categories"`
	Voided   bool      `json:"voided"`
}

// RepeatOffenders lists the repeat offenders in the caller's scope (of one subdistrict when
// subdistrictID is set), open cases first, each with its cases and their inspections.
func (s *Store) RepeatOffenders(ctx context.Context, who access.Principal, subdistrictID int64) ([]RepeatOffender, error) {
	if !who.SignedIn() {
		return nil, apperr.New(apperr.Unauthorized, "sign in first")
	}
	where, args := shopScopeSQL(who, "m", []any{subdistrictID})
	rows, err := s.db.Query(ctx, `SELECT m.id, m.name, m.address, COALESCE(m.subdistrict_id, 0), COALESCE(su.name, ''),
			COALESCE(m.community_id, 0), COALESCE(cu.name, ''), c.incident_id, (o.id IS NOT NULL), c.cause, c.created_at,
			i.id, i.at, i.refused, i.voided_at IS NOT NULL,
			ARRAY(SELECT r->>'category' FROM jsonb_array_elements(i.results) r WHERE r->>'ok' = 'false'),
			(SELECT count(*) FROM merchant_inspection v WHERE v.merchant_id = m.id AND v.voided_at IS NULL AND v.violations > 0
			   AND v.at > now() - interval '90 days')
		FROM merchant_repeat_case c
		JOIN merchant m ON m.id = c.merchant_id
		JOIN merchant_inspection i ON i.id = c.inspection_id
		LEFT JOIN open_incident o ON o.id = c.incident_id
		LEFT JOIN unit_directory su ON su.id = m.subdistrict_id
		LEFT JOIN unit_directory cu ON cu.id = m.community_id
		WHERE ($1 = 0 OR m.subdistrict_id = $1) AND `+where+`
		ORDER BY bool_or(o.id IS NOT NULL) OVER (PARTITION BY m.id) DESC, m.id, c.incident_id DESC, i.at, i.id`, args...)
	if err != nil {
		return nil, inspectionTranslate(err, "repeat offenders")
	}
	var out []RepeatOffender
	var (
		o    RepeatOffender
		rc   RepeatCase
		ri   RepeatInspection
		n90  int
		seen = map[int64]bool{}
	)
	_, err = pgx.ForEachRow(rows, []any{&o.MerchantID, &o.Name, &o.Address, &o.SubdistrictID, &o.Subdistrict, &o.CommunityID,
		&o.Community, &rc.IncidentID, &rc.Open, &rc.Cause, &rc.OpenedAt, &ri.ID, &ri.At, &ri.Refused, &ri.Voided, &ri.Category, &n90},
		func() error {
			ri.Cause = rc.Cause
			if len(out) == 0 || out[len(out)-1].MerchantID != o.MerchantID {
				o.Violations90d, o.Cases, o.Open = n90, nil, false
				out = append(out, o)
			}
			cur := &out[len(out)-1]
			cur.Open = cur.Open || rc.Open
			if k := len(cur.Cases); k == 0 || cur.Cases[k-1].IncidentID != rc.IncidentID {
				cur.Cases = append(cur.Cases, RepeatCase{IncidentID: rc.IncidentID, Open: rc.Open, Cause: rc.Cause, OpenedAt: rc.OpenedAt})
			}
			cs := &cur.Cases[len(cur.Cases)-1]
			if !seen[ri.ID] {
				seen[ri.ID] = true
				if rc.OpenedAt.Before(cs.OpenedAt) {
					cs.OpenedAt = rc.OpenedAt
				}
				if rc.Cause != CauseAdded {
					cs.Cause = rc.Cause
				}
				cs.Inspections = append(cs.Inspections, ri)
			}
			return nil
		})
	if err != nil {
		return nil, inspectionTranslate(err, "repeat offenders")
	}
	if out == nil {
		out = []RepeatOffender{}
	}
	return out, nil
}

// WriteRepeatOffendersXLSX writes the list as a workbook: one row per case, the counts as numbers.
func WriteRepeatOffendersXLSX(list []RepeatOffender, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "屡教不改商户"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	rows := [][]any{{"街道", "社区", "商户编号", "商户", "地址", "事件编号", "状态", "触发", "关联巡查", "首次", "最近", "近90天违规次数"}}
	for _, o := range list {
		for _, c := range o.Cases {
			state := "已结"
			if c.Open {
				state = "处理中"
			}
			cause := map[string]string{CauseViolations: "多次违规", CauseRefusal: "拒不整改"}[c.Cause]
			first, last := "", ""
			if n := len(c.Inspections); n > 0 {
				first = c.Inspections[0].At.In(incidents.Beijing).Format("2006-01-02 15:04")
				last = c.Inspections[n-1].At.In(incidents.Beijing).Format("2006-01-02 15:04")
			}
			rows = append(rows, []any{o.Subdistrict, o.Community, o.MerchantID, o.Name, o.Address, c.IncidentID, state, cause,
				len(c.Inspections), first, last, o.Violations90d})
		}
	}
	for j, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, j+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	return f.Write(w)
}
