package partners_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/partners"
)

// TestTheManagerOnADateIsAQuery: a compound handed over from one company to another answers who
// managed it on each date, keeps both contracts in its history, and a lapsed contract is no manager.
func TestTheManagerOnADateIsAQuery(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	first, second := w.company("龙岩市祥和物业服务有限公司", w.contact), w.company("福建闽西宏福物业管理有限公司", w.contact2)
	old := w.sign(w.lane, w.compA.ID, first, "2023-01-01", "2027-01-01")
	_, err := w.svc.SignContract(ctx, w.lane, w.compA.ID, partners.ContractInput{CompanyID: second.ID, SignedOn: signed("2025-06-20"),
		From: day("2025-07-01"), Until: day("2028-07-01"), Handover: true, Reason: "业主大会改聘"})
	if err != nil {
		t.Fatal(err)
	}
	for at, want := range map[string]string{"2022-12-31": "", "2023-03-03": first.Name, "2025-06-30T23:59:59+08:00": first.Name,
		"2025-07-01": second.Name, "2026-03-03": second.Name, "2028-07-01": ""} {
		if got := w.managerAt(w.street, w.compA.ID, at); got != want {
			t.Errorf("manager on %s: %q, want %q", at, got, want)
		}
	}
	h, err := w.svc.History(ctx, w.lane, w.compA.ID, w.clock)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.History) != 2 || h.History[0].ID != old.ID || h.History[0].Ended == nil || h.History[0].Ended.Reason != "业主大会改聘" ||
		h.History[0].ContractUntil == nil || !h.History[0].Until.Equal(day("2025-07-01").Time) || h.Manager == nil || h.Manager.CompanyName != second.Name {
		t.Fatalf("history %+v", h)
	}
	if h.Manager.Phone == "" || h.Manager.ContactName != w.contact2.Name {
		t.Fatalf("the lane chief of the compound does not see its manager's contact: %+v", h.Manager)
	}
}

// TestVoidedAndEndedRecordsLeaveTheAnswers: a voided team never was one, an ended representative
// stops at its end, and both stay in the history with their reasons.
func TestVoidedAndEndedRecordsLeaveTheAnswers(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	team, err := w.svc.AddTeam(ctx, w.lane, w.compA.ID, partners.TeamInput{Type: partners.SelfGovernance, Name: "龙津花园居民自治小组",
		LeaderPersonID: w.resident.ID, Members: 9, From: day("2024-05-01")})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.svc.AddRep(ctx, w.lane, w.compA.ID, partners.RepInput{PersonID: w.resident2.ID, Building: "3栋", From: day("2024-05-01")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Void(ctx, w.lane, team.ID, "录入错误，该小组未成立"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.End(ctx, w.lane, rep.ID, day("2026-01-01").Time, "搬离小区"); err != nil {
		t.Fatal(err)
	}
	c, err := w.svc.Compounds(ctx, w.lane, partners.Filter{AreaID: w.compA.ID, At: day("2025-12-01").Time})
	if err != nil {
		t.Fatal(err)
	}
	if len(c[0].Teams) != 0 || len(c[0].Reps) != 1 {
		t.Fatalf("on 2025-12-01: teams %+v, reps %+v", c[0].Teams, c[0].Reps)
	}
	c, _ = w.svc.Compounds(ctx, w.lane, partners.Filter{AreaID: w.compA.ID, At: day("2026-01-01").Time})
	if len(c[0].Reps) != 0 {
		t.Fatalf("the representative who left is still listed: %+v", c[0].Reps)
	}
	// A new representative of the building may start when the last one ended, not before.
	if _, err := w.svc.AddRep(ctx, w.lane, w.compA.ID, partners.RepInput{PersonID: w.resident.ID, Building: "3栋", From: day("2025-12-01")}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a second representative of 3栋 while the first served: %v", err)
	}
	if _, err := w.svc.AddRep(ctx, w.lane, w.compA.ID, partners.RepInput{PersonID: w.resident.ID, Building: "3栋", From: day("2026-01-01")}); err != nil {
		t.Fatal(err)
	}
	h, _ := w.svc.History(ctx, w.lane, w.compA.ID, w.clock)
	if len(h.History) != 3 || h.History[0].Voided == nil || h.History[1].Ended == nil {
		t.Fatalf("history %+v", h.History)
	}
	if _, err := w.svc.Void(ctx, w.lane, team.ID, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("voiding twice: %v", err)
	}
}

// TestBadInputIsRefusedAndWritesNothing: each mistake answers a clear 4xx and leaves every table as it was.
func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	company := w.company("龙岩市祥和物业服务有限公司", w.contact)
	w.sign(w.street, w.compA.ID, company, "2024-01-01", "2027-01-01")
	team, err := w.svc.AddTeam(ctx, w.street, w.compB.ID, partners.TeamInput{Type: partners.OwnersCommittee, Name: "莲东小区业委会",
		LeaderPersonID: w.resident.ID, Members: 5, From: day("2024-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	contract := func(compound int64, from, until string) error {
		_, err := w.svc.SignContract(ctx, w.street, compound, partners.ContractInput{CompanyID: company.ID, SignedOn: signed("2023-12-01"),
			From: day(from), Until: day(until)})
		return err
	}
	cases := []struct {
		name string
		code apperr.Code
		do   func() error
	}{
		{"unknown compound", apperr.NotFound, func() error { return contract(999999999, "2028-01-01", "2029-01-01") }},
		{"area not a compound", apperr.Invalid, func() error { return contract(w.park.ID, "2028-01-01", "2029-01-01") }},
		{"overlapping contract", apperr.Conflict, func() error { return contract(w.compA.ID, "2026-06-01", "2029-01-01") }},
		{"until before from", apperr.Invalid, func() error { return contract(w.compB.ID, "2029-01-01", "2028-01-01") }},
		{"until equal to from", apperr.Invalid, func() error { return contract(w.compB.ID, "2028-01-01", "2028-01-01") }},
		{"year 0202", apperr.Invalid, func() error { return contract(w.compB.ID, "0202-01-01", "2028-01-01") }},
		{"contract without until", apperr.Invalid, func() error {
			_, err := w.svc.SignContract(ctx, w.street, w.compB.ID, partners.ContractInput{CompanyID: company.ID, SignedOn: signed("2023-12-01"), From: day("2028-01-01")})
			return err
		}},
		{"signed after the start", apperr.Invalid, func() error {
			_, err := w.svc.SignContract(ctx, w.street, w.compB.ID, partners.ContractInput{CompanyID: company.ID, SignedOn: signed("2028-02-01"),
				From: day("2028-01-01"), Until: day("2029-01-01")})
			return err
		}},
		{"unknown company", apperr.Invalid, func() error {
			_, err := w.svc.SignContract(ctx, w.street, w.compB.ID, partners.ContractInput{CompanyID: 999999999, SignedOn: signed("2023-12-01"),
				From: day("2028-01-01"), Until: day("2029-01-01")})
			return err
		}},
		{"lane chief on another community's compound", apperr.NotFound, func() error {
			_, err := w.svc.SignContract(ctx, w.lane, w.compB.ID, partners.ContractInput{CompanyID: company.ID, SignedOn: signed("2027-12-01"),
				From: day("2028-01-01"), Until: day("2029-01-01")})
			return err
		}},
		{"leader may not write", apperr.Forbidden, func() error { _, err := w.svc.Void(ctx, w.leader, team.ID, "x"); return err }},
		{"bad licence check character", apperr.Invalid, func() error {
			l := licence()
			l = l[:17] + map[bool]string{true: "1", false: "2"}[l[17] != '1']
			_, err := w.svc.AddCompany(ctx, w.street, partners.CompanyInput{Name: "某物业", LicenceNo: l, ContactPersonID: w.contact.ID})
			return err
		}},
		{"licence too short", apperr.Invalid, func() error {
			_, err := w.svc.AddCompany(ctx, w.street, partners.CompanyInput{Name: "某物业", LicenceNo: "9135080", ContactPersonID: w.contact.ID})
			return err
		}},
		{"licence registered already", apperr.Conflict, func() error {
			_, err := w.svc.AddCompany(ctx, w.street, partners.CompanyInput{Name: "另一家", LicenceNo: company.LicenceNo, ContactPersonID: w.contact.ID})
			return err
		}},
		{"unknown contact person", apperr.Invalid, func() error {
			_, err := w.svc.AddCompany(ctx, w.street, partners.CompanyInput{Name: "某物业", LicenceNo: licence(), ContactPersonID: 999999999})
			return err
		}},
		{"company name with a control character", apperr.Invalid, func() error {
			_, err := w.svc.AddCompany(ctx, w.street, partners.CompanyInput{Name: "物业\x00\x1b[31m", LicenceNo: licence(), ContactPersonID: w.contact.ID})
			return err
		}},
		{"company name of 10,000 characters", apperr.Invalid, func() error {
			_, err := w.svc.AddCompany(ctx, w.street, partners.CompanyInput{Name: strings.Repeat("物", 10000), LicenceNo: licence(), ContactPersonID: w.contact.ID})
			return err
		}},
		{"phone with letters", apperr.Invalid, func() error {
			_, err := w.svc.AddCompany(ctx, w.street, partners.CompanyInput{Name: "某物业", LicenceNo: licence(), ContactPersonID: w.contact.ID, Phone: "<script>"})
			return err
		}},
		{"team of unknown type", apperr.Invalid, func() error {
			_, err := w.svc.AddTeam(ctx, w.street, w.compB.ID, partners.TeamInput{Type: "'; DROP TABLE area; --", Name: "组", LeaderPersonID: w.resident.ID, Members: 3, From: day("2025-01-01")})
			return err
		}},
		{"team of no members", apperr.Invalid, func() error {
			_, err := w.svc.AddTeam(ctx, w.street, w.compB.ID, partners.TeamInput{Type: partners.SelfGovernance, Name: "组", LeaderPersonID: w.resident.ID, From: day("2025-01-01")})
			return err
		}},
		{"team with an unknown leader", apperr.Invalid, func() error {
			_, err := w.svc.AddTeam(ctx, w.street, w.compB.ID, partners.TeamInput{Type: partners.SelfGovernance, Name: "组", LeaderPersonID: 999999999, Members: 3, From: day("2025-01-01")})
			return err
		}},
		{"representative without a building", apperr.Invalid, func() error {
			_, err := w.svc.AddRep(ctx, w.street, w.compB.ID, partners.RepInput{PersonID: w.resident.ID, Building: "  ", From: day("2025-01-01")})
			return err
		}},
		{"end before the start", apperr.Invalid, func() error {
			_, err := w.svc.End(ctx, w.street, team.ID, day("2023-01-01").Time, "解散")
			return err
		}},
		{"end without a reason", apperr.Invalid, func() error { _, err := w.svc.End(ctx, w.street, team.ID, w.clock, " "); return err }},
		{"void of an unknown record", apperr.NotFound, func() error { _, err := w.svc.Void(ctx, w.street, 999999999, "错"); return err }},
		{"void by a lane chief of another community", apperr.NotFound, func() error { _, err := w.svc.Void(ctx, w.lane, team.ID, "错"); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.counts()
			err := tc.do()
			if apperr.CodeOf(err) != tc.code {
				t.Fatalf("got %v (%s), want %s", err, apperr.CodeOf(err), tc.code)
			}
			if apperr.Message(err) == "" {
				t.Fatal("no message")
			}
			if after := w.counts(); after != before {
				t.Fatalf("tables changed: %s → %s", before, after)
			}
		})
	}
}

// TestRecordsAreNeverChangedOrDeleted: the tables refuse UPDATE, DELETE and TRUNCATE.
func TestRecordsAreNeverChangedOrDeleted(t *testing.T) {
	w := newWorld(t)
	company := w.company("龙岩市祥和物业服务有限公司", w.contact)
	w.sign(w.street, w.compA.ID, company, "2024-01-01", "2027-01-01")
	pool := dbtest.Pool(t)
	for _, q := range []string{`UPDATE compound_partner SET valid_until = now()`, `DELETE FROM compound_partner`,
		`UPDATE property_company SET phone = ''`, `DELETE FROM property_company`, `TRUNCATE compound_partner_closing`} {
		if _, err := pool.Exec(context.Background(), q); err == nil || !strings.Contains(err.Error(), "never changed or deleted") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// TestEachCallerSeesTheirScope: the lane chief lists their community's compounds only, the street
// chief and the leader all; the summary counts what each sees; a company's phone shows only to a
// caller with one of its compounds in scope.
func TestEachCallerSeesTheirScope(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	company := w.company("福建闽西宏福物业管理有限公司", w.contact)
	w.sign(w.street, w.compB.ID, company, "2024-01-01", "2027-01-01")
	names := func(who access.Principal) []string {
		list, err := w.svc.Compounds(ctx, who, partners.Filter{SubdistrictID: w.sub.ID})
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, c := range list {
			out = append(out, c.Name)
		}
		return out
	}
	if got := names(w.lane); !slices.Equal(got, []string{w.compA.Name}) {
		t.Errorf("lane chief of A lists %v", got)
	}
	if got := names(w.street); len(got) != 2 {
		t.Errorf("street chief lists %v", got)
	}
	if got := names(w.leader); len(got) != 2 {
		t.Errorf("leader lists %v", got)
	}
	sum, err := w.svc.Summary(ctx, w.street, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	byCom := map[int64]partners.CommunitySummary{}
	for _, s := range sum {
		byCom[s.CommunityID] = s
	}
	if a, b := byCom[w.comA.ID], byCom[w.comB.ID]; len(sum) != 2 || a.Compounds != 1 || a.Neither != 1 || b.WithManager != 1 || b.Neither != 0 {
		t.Fatalf("summary %+v", sum)
	}
	for who, want := range map[string]access.Principal{"lane": w.lane, "street": w.street} {
		list, err := w.svc.Companies(ctx, want, "")
		if err != nil {
			t.Fatal(err)
		}
		var phone string
		for _, c := range list {
			if c.ID == company.ID {
				phone = c.Phone
			}
		}
		if (phone != "") != (who == "street") {
			t.Errorf("%s sees the phone %q of a company managing a compound of community B", who, phone)
		}
	}
	if _, err := w.svc.Compounds(ctx, access.Principal{Role: access.Inspector}, partners.Filter{}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("an inspector read the compounds: %v", err)
	}
}

// TestKindsAreTheChecksOfTheTable: the Go lists of kinds and team types are the ones the CHECKs allow.
func TestKindsAreTheChecksOfTheTable(t *testing.T) {
	pool := dbtest.Pool(t)
	for _, k := range partners.Kinds {
		var ok bool
		if err := pool.QueryRow(context.Background(), `SELECT $1 IN ('property_manager', 'residents_team', 'building_rep')`, string(k)).Scan(&ok); err != nil || !ok {
			t.Errorf("kind %s", k)
		}
	}
	var def string
	if err := pool.QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'compound_partner_kind_check'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	var def2 string
	if err := pool.QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'compound_partner_team_type_check'`).Scan(&def2); err != nil {
		t.Fatal(err)
	}
	for _, k := range partners.Kinds {
		if !strings.Contains(def, "'"+string(k)+"'") {
			t.Errorf("kind %s is not in %s", k, def)
		}
	}
	for _, k := range partners.TeamTypes {
		if !strings.Contains(def2, "'"+string(k)+"'") {
			t.Errorf("team type %s is not in %s", k, def2)
		}
	}
	if strings.Count(def, "'") != 2*len(partners.Kinds) || strings.Count(def2, "'") != 2*len(partners.TeamTypes) {
		t.Errorf("the checks allow more than the Go lists: %s; %s", def, def2)
	}
}
