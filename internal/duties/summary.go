package duties

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// SummaryRow counts a year of one member's or one community's records; voided ones count for
// nothing and hours are the confirmed records' (what the community vouches for).
type SummaryRow struct {
	MemberID      int64          `json:"member_id,omitempty"`
	Name          string         `json:"name,omitempty"`
	MemberType    MemberType     `json:"member_type,omitempty"`
	CommunityID   int64          `json:"community_id,omitempty"`
	CommunityName string         `json:"community,omitempty"`
	UnitName      string         `json:"unit_name,omitempty"`
	Members       int            `json:"members,omitempty"` // by community: its members of the year
	Records       int            `json:"records"`
	Confirmed     int            `json:"confirmed"`
	Pending       int            `json:"pending"`
	Returned      int            `json:"returned"`
	Hours         float64        `json:"hours"`
	Kinds         map[string]int `json:"kinds"` // confirmed records per kind
	WithoutPledge int            `json:"without_pledge,omitempty"`
	PledgeCurrent *bool          `json:"pledge_current,omitempty"`
	MembersSilent int            `json:"members_without_confirmed_records,omitempty"`
}

// Summary is a year's summary, by member ("person") or by community.
type Summary struct {
	Year int          `json:"year"`
	By   string       `json:"by"`
	Rows []SummaryRow `json:"rows"`
}

// YearSummary sums a year of records in the caller's scope.
func (s *Service) YearSummary(ctx context.Context, who access.Principal, year int, by string) (Summary, error) {
	if by == "" {
		by = "person"
	}
	if by != "person" && by != "community" {
		return Summary{}, apperr.New(apperr.Malformed, "by %q is not person or community", clip(by, 20)).With("field", "by")
	}
	pred, args := memberPredicate(who, []any{year, s.today()})
	// Each member of the year with their counts; the community rows add them up.
	q := `WITH mem AS (
		SELECT m.id, m.member_type, m.community_id, m.unit_name, COALESCE(p.name, '') AS name, COALESCE(c.name, '') AS community,
			EXISTS (SELECT 1 FROM duty_pledge dp WHERE dp.member_id = m.id AND dp.valid_from <= $2::date AND dp.valid_until > $2::date) AS pledged
		FROM duty_member m
		JOIN duty_member_standing ms ON ms.id = m.id
		LEFT JOIN person_directory p ON p.id = m.person_id
		LEFT JOIN unit_directory c ON c.id = m.community_id
		WHERE ms.valid && daterange(make_date($1, 1, 1), make_date($1 + 1, 1, 1)) AND ` + pred + `
	), rec AS (
		SELECT r.member_id, r.kind, r.hours, d.kind AS decision
		FROM duty_record r JOIN mem ON mem.id = r.member_id
		LEFT JOIN duty_record_event d ON d.record_id = r.id AND d.kind IN ('confirm', 'return')
		WHERE extract(year FROM r.day) = $1
		  AND NOT EXISTS (SELECT 1 FROM duty_record_event v WHERE v.record_id = r.id AND v.kind = 'void')
	)
	SELECT mem.id, mem.name, mem.member_type, COALESCE(mem.community_id, 0), mem.community, mem.unit_name, mem.pledged,
		count(rec.member_id)::int, count(*) FILTER (WHERE rec.decision = 'confirm')::int,
		count(rec.member_id) FILTER (WHERE rec.decision IS NULL)::int, count(*) FILTER (WHERE rec.decision = 'return')::int,
		COALESCE(sum(rec.hours) FILTER (WHERE rec.decision = 'confirm'), 0)::float8,
		array_remove(array_agg(rec.kind) FILTER (WHERE rec.decision = 'confirm'), NULL)
	FROM mem LEFT JOIN rec ON rec.member_id = mem.id
	GROUP BY mem.id, mem.name, mem.member_type, mem.community_id, mem.community, mem.unit_name, mem.pledged
	ORDER BY mem.community, mem.unit_name, mem.name, mem.id`
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SummaryRow, error) {
		var (
			row     SummaryRow
			pledged bool
			kinds   []string
		)
		err := r.Scan(&row.MemberID, &row.Name, &row.MemberType, &row.CommunityID, &row.CommunityName, &row.UnitName, &pledged,
			&row.Records, &row.Confirmed, &row.Pending, &row.Returned, &row.Hours, &kinds)
		row.PledgeCurrent = &pledged
		row.Kinds = map[string]int{}
		for _, k := range kinds {
			row.Kinds[k]++
		}
		return row, err
	})
	if err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	out := Summary{Year: year, By: by, Rows: people}
	if by == "community" {
		out.Rows = byCommunity(people)
	}
	return out, nil
}

// byCommunity adds up the members' rows per community (party members of a unit per unit).
func byCommunity(people []SummaryRow) []SummaryRow {
	var out []SummaryRow
	index := map[string]int{}
	for _, p := range people {
		key := fmt.Sprintf("%d/%s", p.CommunityID, p.UnitName)
		if p.CommunityID != 0 {
			key = fmt.Sprint(p.CommunityID)
		}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			row := SummaryRow{CommunityID: p.CommunityID, CommunityName: p.CommunityName, Kinds: map[string]int{}}
			if p.CommunityID == 0 {
				row.UnitName = p.UnitName
			}
			out = append(out, row)
		}
		c := &out[i]
		c.Members++
		c.Records += p.Records
		c.Confirmed += p.Confirmed
		c.Pending += p.Pending
		c.Returned += p.Returned
		c.Hours += p.Hours
		for k, n := range p.Kinds {
			c.Kinds[k] += n
		}
		if p.PledgeCurrent != nil && !*p.PledgeCurrent && p.MemberType != PartyMember {
			c.WithoutPledge++
		}
		if p.Confirmed == 0 {
			c.MembersSilent++
		}
	}
	return out
}
