package volunteers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/volunteers"
)

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func assertSameCounts(t *testing.T, before, after map[string]int) {
	t.Helper()
	for table, n := range before {
		if after[table] != n {
			t.Errorf("%s: %d rows before, %d after", table, n, after[table])
		}
	}
}

// TestBadInputIsRefusedAndWritesNothing sends what the issue lists as bad input and checks each is
// refused with a 4xx error naming the field, and no row of these tables or of the funds ledger is written.
func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.contract(2026, "1000000")
	v := w.volunteer(w.comE1.ID, "张志愿")
	left := w.volunteer(w.comE1.ID, "李已退")
	if _, err := w.svc.ChangeMembership(ctx, w.admin, left.ID, volunteers.Membership{Kind: "left", On: mustDate(t, "2026-03-01"), Reason: "搬离"}); err != nil {
		t.Fatal(err)
	}
	other, err := w.svc.CreateOrganisation(ctx, w.admin, volunteers.OrganisationInput{Name: fmt.Sprintf("别的组织%d", worlds), RegistrationNo: fmt.Sprintf("x%d", worlds)})
	if err != nil {
		t.Fatal(err)
	}
	activity := func(body []byte) func() error {
		return func() error { _, err := w.record(w.lane, body); return err }
	}
	pay := func(body string) func() error {
		return func() error {
			var in volunteers.PaymentInput
			if err := json.Unmarshal([]byte(body), &in); err != nil {
				return err
			}
			_, err := w.svc.Pay(ctx, w.leader, c.ID, in)
			return err
		}
	}
	ok := activityJSON(w.org.ID, w.inE1(), "2026-06-10", []int64{v.ID}, 3, "2")
	if _, err := w.record(w.lane, ok); err != nil {
		t.Fatalf("the good activity the bad ones vary: %v", err)
	}
	cases := []struct {
		name  string
		do    func() error
		code  apperr.Code
		field string
	}{
		{"a future date", activity(activityJSON(w.org.ID, w.inE1(), "2026-06-16", []int64{v.ID}, 0, "2")), apperr.Invalid, "ends_at"},
		{"ending later today", activity([]byte(strings.ReplaceAll(string(ok), "2026-06-10T11:00", "2026-06-15T13:00"))), apperr.Invalid, "ends_at"},
		{"an unknown volunteer", activity(activityJSON(w.org.ID, w.inE1(), "2026-06-10", []int64{v.ID, 987654321}, 0, "2")), apperr.Invalid, "volunteer_ids"},
		{"another organisation's volunteer", activity(activityJSON(other.ID, w.inE1(), "2026-06-10", []int64{v.ID}, 0, "2")), apperr.Invalid, "volunteer_ids"},
		{"a volunteer who had left", activity(activityJSON(w.org.ID, w.inE1(), "2026-06-10", []int64{left.ID}, 0, "2")), apperr.Invalid, "volunteer_ids"},
		{"hours below zero", activity(activityJSON(w.org.ID, w.inE1(), "2026-06-10", []int64{v.ID}, 0, "-1")), apperr.Invalid, "hours_each"},
		{"zero hours", activity(activityJSON(w.org.ID, w.inE1(), "2026-06-10", []int64{v.ID}, 0, "0")), apperr.Invalid, "hours_each"},
		{"hours above a day", activity(activityJSON(w.org.ID, w.inE1(), "2026-06-10", []int64{v.ID}, 0, "25")), apperr.Invalid, "hours_each"},
		{"more hours than it lasted", activity(activityJSON(w.org.ID, w.inE1(), "2026-06-10", []int64{v.ID}, 0, "3")), apperr.Invalid, "hours_each"},
		{"three-decimal hours", activity(activityJSON(w.org.ID, w.inE1(), "2026-06-10", []int64{v.ID}, 0, "1.125")), apperr.Invalid, "hours_each"},
		{"outside the district", activity(activityJSON(w.org.ID, w.outside(), "2026-06-10", []int64{v.ID}, 0, "2")), apperr.Invalid, "place"},
		{"a polygon crossing itself", activity([]byte(strings.Replace(string(ok), fmt.Sprintf(`{"type":"Point","coordinates":[%v,%v]}`, w.inE1()[0], w.inE1()[1]),
			fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%v,%v],[%v,%v],[%v,%v],[%v,%v],[%v,%v]]]}`, w.x+0.011, w.y+0.001, w.x+0.013, w.y+0.003,
				w.x+0.013, w.y+0.001, w.x+0.011, w.y+0.003, w.x+0.011, w.y+0.001), 1))), apperr.Invalid, "place"},
		{"nobody took part", activity(activityJSON(w.org.ID, w.inE1(), "2026-06-10", nil, 0, "2")), apperr.Invalid, "volunteer_ids"},
		{"another community than the lane chief's", activity(activityJSON(w.org.ID, w.inE2(), "2026-06-10", nil, 4, "2")), apperr.Forbidden, "community_id"},
		{"an unknown kind", activity([]byte(strings.Replace(string(ok), `"environment"`, `"party"`, 1))), apperr.Invalid, "kind"},
		{"a payment beyond the contract", pay(`{"paid_on":"2026-06-01","yuan":"1000000.01"}`), apperr.Conflict, "yuan"},
		{"a payment of 3-decimal yuan", pay(`{"paid_on":"2026-06-01","yuan":100.125}`), apperr.Malformed, "yuan"},
		{"a payment in the future", pay(`{"paid_on":"2026-06-16","yuan":"100"}`), apperr.Invalid, "paid_on"},
		{"a payment before signing", pay(`{"paid_on":"2026-01-01","yuan":"100"}`), apperr.Invalid, "paid_on"},
		{"a volunteer joining in the future", func() error {
			_, err := w.svc.AddVolunteer(ctx, w.lane, volunteers.VolunteerInput{OrgID: w.org.ID, CommunityID: w.comE1.ID, Name: "王", JoinedOn: "2026-07-01"})
			return err
		}, apperr.Invalid, "joined_on"},
		{"a volunteer in a subdistrict, not a community", func() error {
			_, err := w.svc.AddVolunteer(ctx, w.admin, volunteers.VolunteerInput{OrgID: w.org.ID, CommunityID: w.subE.ID, Name: "王", JoinedOn: "2026-01-01"})
			return err
		}, apperr.Invalid, "community_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.counts()
			err := tc.do()
			if apperr.CodeOf(err) != tc.code {
				t.Fatalf("got %v (%s), want %s", err, apperr.CodeOf(err), tc.code)
			}
			var ae *apperr.Error
			if tc.code != apperr.Malformed || tc.field != "" {
				if e, ok := err.(*apperr.Error); ok {
					ae = e
				}
				if ae == nil || ae.Fields["field"] != tc.field {
					t.Errorf("error %v names field %v, want %s", err, fieldOf(ae), tc.field)
				}
			}
			assertSameCounts(t, before, w.counts())
		})
	}
}

func fieldOf(e *apperr.Error) any {
	if e == nil {
		return nil
	}
	return e.Fields["field"]
}

func mustDate(t *testing.T, s string) volunteers.Date {
	t.Helper()
	d, err := volunteers.ParseDate("on", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
