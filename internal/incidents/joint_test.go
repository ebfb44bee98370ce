package incidents_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

var asAdmin = access.Principal{Role: access.Admin, Username: "admin", UserID: 0, Scope: access.Scope{All: true}}

// jointCase reports a case in the market and takes it to joint enforcement with urban management
// (whose liaison the world has) and market regulation (whose post is vacant).
func (w *world) jointCase(lead string) incidents.Incident {
	w.t.Helper()
	ctx := context.Background()
	id := w.report("illegal_construction", w.inA()).ID
	for _, in := range []incidents.TransitionInput{{To: incidents.Escalated},
		{To: incidents.JointEnforcement, Departments: []string{"urban_management", "market_regulation"}, Lead: lead}} {
		if _, err := w.svc.Transition(ctx, w.asStreet, id, in); err != nil {
			w.t.Fatal(err)
		}
	}
	return w.get(id)
}

func departmentID(t testing.TB, code string) int64 {
	t.Helper()
	var id int64
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT id FROM department WHERE code = $1`, code).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// rowCount counts the rows the joint-case calls write, to prove a refusal wrote none.
func rowCount(t testing.TB) string {
	t.Helper()
	var s string
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM incident_department) || '/' ||
		(SELECT count(*) FILTER (WHERE acknowledged_at IS NOT NULL OR withdrawn_at IS NOT NULL) FROM incident_department) || '/' ||
		(SELECT count(*) FROM incident_joint_action) || '/' || (SELECT count(*) FILTER (WHERE voided_at IS NOT NULL) FROM incident_joint_action) || '/' ||
		(SELECT count(*) FROM incident_event) || '/' || (SELECT count(*) FROM audit_log)`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJointCaseAsksEachDepartmentsPostHolderThere(t *testing.T) {
	w := newWorld(t)
	in := w.jointCase("")
	if len(in.Joint) != 2 {
		t.Fatalf("participations %+v", in.Joint)
	}
	urban, market := in.Joint[0], in.Joint[1]
	if urban.Department != "urban_management" || !urban.Lead || urban.HolderPersonID != w.liais.ID || urban.HolderName != "联络员" ||
		urban.Vacant || urban.AcknowledgedAt != nil || !urban.RequestedAt.Equal(w.clock.Now().Truncate(time.Microsecond)) {
		t.Fatalf("urban management %+v", urban)
	}
	if market.Department != "market_regulation" || market.Lead || !market.Vacant || market.HolderPersonID != 0 {
		t.Fatalf("market regulation (vacant post) %+v", market)
	}
	named := w.jointCase("market_regulation")
	if named.Joint[0].Department != "market_regulation" || !named.Joint[0].Lead || named.Joint[1].Lead {
		t.Fatalf("named lead %+v", named.Joint)
	}
}

func TestAcknowledgingIsTheDepartmentsOnceOnly(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := w.jointCase("")
	urban, market := departmentID(t, "urban_management"), departmentID(t, "market_regulation")
	otherSub := w.asLiaison
	otherSub.Scope.Subdistricts = []int64{w.sub.ID + 1000}
	for _, tc := range []struct {
		name string
		who  access.Principal
		dept int64
		want apperr.Code
	}{
		{"a liaison of another subdistrict does not see it", otherSub, urban, apperr.NotFound},
		{"the street chief does not acknowledge for a department", w.asStreet, urban, apperr.Forbidden},
		{"the liaison does not acknowledge for another department", w.asLiaison, market, apperr.Forbidden},
		{"a department not in the case", asAdmin, departmentID(t, "food_drug"), apperr.Invalid},
	} {
		before := rowCount(t)
		if _, err := w.svc.Acknowledge(ctx, tc.who, in.ID, tc.dept); !apperr.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %s", tc.name, err, tc.want)
		}
		if after := rowCount(t); after != before {
			t.Fatalf("%s: refused but wrote %s → %s", tc.name, before, after)
		}
	}
	w.clock.Add(90 * time.Minute)
	got, err := w.svc.Acknowledge(ctx, w.asLiaison, in.ID, urban)
	if err != nil {
		t.Fatal(err)
	}
	if got.Joint[0].AcknowledgedAt == nil || got.Joint[0].AcknowledgedBy != "liaison" {
		t.Fatalf("acknowledged %+v", got.Joint[0])
	}
	last := got.Events[len(got.Events)-1]
	if last.Kind != "department_acknowledged" || last.Params["department"] != "urban_management" || last.Params["seconds"] != float64(5400) {
		t.Fatalf("event %+v", last)
	}
	before := rowCount(t)
	if _, err := w.svc.Acknowledge(ctx, w.asLiaison, in.ID, urban); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "acknowledged") {
		t.Fatalf("second acknowledgement: %v", err)
	}
	if rowCount(t) != before {
		t.Fatal("second acknowledgement wrote")
	}
	if _, err := w.svc.Acknowledge(ctx, asAdmin, in.ID, market); err != nil {
		t.Fatalf("an administrator acknowledges for the vacant post: %v", err)
	}
}

func TestActionsAreCheckedAndVoidedNotDeleted(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := w.jointCase("")
	urban, market := departmentID(t, "urban_management"), departmentID(t, "market_regulation")
	fine := func(amount, basis string) incidents.ActionInput {
		return incidents.ActionInput{DepartmentID: urban, Kind: incidents.Fine, AmountYuan: amount, LegalBasis: basis, Note: "罚款"}
	}
	if _, err := w.svc.RecordAction(ctx, w.asLiaison, in.ID, fine("500", "条例")); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("before acknowledging: %v", err)
	}
	if _, err := w.svc.Acknowledge(ctx, w.asLiaison, in.ID, urban); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(time.Hour)
	basis := "《城市市容和环境卫生管理条例》第三十六条"
	for _, tc := range []struct {
		name string
		who  access.Principal
		in   incidents.ActionInput
		want apperr.Code
	}{
		{"fine without legal basis", w.asLiaison, fine("500", ""), apperr.Invalid},
		{"fine without amount", w.asLiaison, fine("", basis), apperr.Invalid},
		{"fine of nothing", w.asLiaison, fine("0", basis), apperr.Invalid},
		{"negative fine", w.asLiaison, fine("-5", basis), apperr.Invalid},
		{"three decimals", w.asLiaison, fine("1.234", basis), apperr.Invalid},
		{"over ten million", w.asLiaison, fine("10000000.01", basis), apperr.Invalid},
		{"an amount on an inspection", w.asLiaison, incidents.ActionInput{DepartmentID: urban, Kind: incidents.Inspection, AmountYuan: "5"}, apperr.Invalid},
		{"a referral to nobody", w.asLiaison, incidents.ActionInput{DepartmentID: urban, Kind: incidents.Referral}, apperr.Invalid},
		{"unknown kind", w.asLiaison, incidents.ActionInput{DepartmentID: urban, Kind: "warning"}, apperr.Invalid},
		{"in the future", w.asLiaison, incidents.ActionInput{DepartmentID: urban, Kind: incidents.Inspection, At: w.clock.Now().Add(time.Hour)}, apperr.Invalid},
		{"before the department was asked", w.asLiaison, incidents.ActionInput{DepartmentID: urban, Kind: incidents.Inspection, At: w.clock.Now().Add(-2 * time.Hour)}, apperr.Invalid},
		{"for another department", w.asLiaison, incidents.ActionInput{DepartmentID: market, Kind: incidents.Inspection}, apperr.Forbidden},
		{"a department not in the case", asAdmin, incidents.ActionInput{DepartmentID: departmentID(t, "food_drug"), Kind: incidents.Inspection}, apperr.Invalid},
		{"the street chief is no department", w.asStreet, incidents.ActionInput{DepartmentID: urban, Kind: incidents.Inspection}, apperr.Forbidden},
	} {
		before := rowCount(t)
		if _, err := w.svc.RecordAction(ctx, tc.who, in.ID, tc.in); !apperr.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %s", tc.name, err, tc.want)
		}
		if after := rowCount(t); after != before {
			t.Fatalf("%s: refused but wrote %s → %s", tc.name, before, after)
		}
	}
	a, err := w.svc.RecordAction(ctx, w.asLiaison, in.ID, fine("1500.5", basis))
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != incidents.Fine || a.AmountYuan != "1500.50" || a.LegalBasis != basis || a.RecordedBy != "liaison" || a.VoidedAt != nil {
		t.Fatalf("fine %+v", a)
	}
	if _, err := w.svc.VoidAction(ctx, w.asLiaison, in.ID, a.ID, " "); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("void without reason: %v", err)
	}
	v, err := w.svc.VoidAction(ctx, w.asLiaison, in.ID, a.ID, "金额录错")
	if err != nil || v.VoidedAt == nil || v.VoidReason != "金额录错" || v.AmountYuan != "1500.50" {
		t.Fatalf("voided %+v %v", v, err)
	}
	if _, err := w.svc.VoidAction(ctx, w.asLiaison, in.ID, a.ID, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("void twice: %v", err)
	}
	got := w.get(in.ID)
	kinds := []string{}
	for _, e := range got.Events {
		kinds = append(kinds, e.Kind)
	}
	if k := strings.Join(kinds, ","); !strings.HasSuffix(k, "department_acknowledged,joint_action,joint_action_voided") {
		t.Fatalf("history %s", k)
	}
	if acts := got.Joint[0].Actions; len(acts) != 1 || acts[0].VoidedAt == nil {
		t.Fatalf("the voided action stays on record: %+v", acts)
	}
}

func TestAJointCaseResolvesOnlyWhenEveryDepartmentAcknowledgedAndTheLeadActed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := w.jointCase("")
	urban, market := departmentID(t, "urban_management"), departmentID(t, "market_regulation")
	resolve := func(who access.Principal) error {
		_, err := w.svc.Transition(ctx, who, in.ID, incidents.TransitionInput{To: incidents.Resolved, Note: "整治完毕"})
		return err
	}
	if err := resolve(w.asStreet); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "acknowledgement") {
		t.Fatalf("nobody acknowledged: %v", err)
	}
	if _, err := w.svc.Acknowledge(ctx, w.asLiaison, in.ID, urban); err != nil {
		t.Fatal(err)
	}
	if err := resolve(w.asLiaison); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("market regulation has not acknowledged: %v", err)
	}
	if _, err := w.svc.WithdrawDepartment(ctx, w.asStreet, in.ID, urban, "牵头部门"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("withdrawing the lead: %v", err)
	}
	if _, err := w.svc.WithdrawDepartment(ctx, w.asStreet, in.ID, market, ""); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("withdrawing without a reason: %v", err)
	}
	if _, err := w.svc.WithdrawDepartment(ctx, w.asLiaison, in.ID, market, "不涉及"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a liaison withdrawing another department: %v", err)
	}
	got, err := w.svc.WithdrawDepartment(ctx, w.asStreet, in.ID, market, "不涉及食品经营")
	if err != nil || got.Joint[1].WithdrawnAt == nil || got.Joint[1].WithdrawnReason != "不涉及食品经营" {
		t.Fatalf("withdrawn %+v %v", got.Joint, err)
	}
	if err := resolve(w.asLiaison); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "no action") {
		t.Fatalf("the lead has done nothing: %v", err)
	}
	a, err := w.svc.RecordAction(ctx, w.asLiaison, in.ID, incidents.ActionInput{DepartmentID: urban, Kind: incidents.OrderToCorrect})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.VoidAction(ctx, w.asLiaison, in.ID, a.ID, "录错案件"); err != nil {
		t.Fatal(err)
	}
	if err := resolve(w.asLiaison); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a voided action is no action: %v", err)
	}
	if _, err := w.svc.RecordAction(ctx, w.asLiaison, in.ID, incidents.ActionInput{DepartmentID: urban, Kind: incidents.Seizure, Note: "暂扣占道物品"}); err != nil {
		t.Fatal(err)
	}
	// The market's liaison would be a liaison of a department that is not the lead.
	marketLiaison := w.asLiaison
	marketLiaison.Scope.Departments = []int64{market, departmentID(t, "food_drug")}
	if err := resolve(marketLiaison); !apperr.Is(err, apperr.Forbidden) && !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a department that does not lead: %v", err)
	}
	if err := resolve(w.asLiaison); err != nil {
		t.Fatalf("the lead's liaison resolves: %v", err)
	}
	if _, err := w.svc.Verify(ctx, w.asStreet, in.ID, incidents.VerificationInput{Outcome: incidents.Confirmed}); err != nil {
		t.Fatalf("the street chief verifies: %v", err)
	}
	if _, err := w.svc.AddDepartment(ctx, w.asStreet, in.ID, market, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("adding to a closed case: %v", err)
	}
}

func TestADepartmentAddedLaterIsAskedAndInTheHistory(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := w.jointCase("")
	market, food := departmentID(t, "market_regulation"), departmentID(t, "food_drug")
	if _, err := w.svc.AddDepartment(ctx, w.asLiaison, in.ID, food, ""); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a liaison adding: %v", err)
	}
	if _, err := w.svc.AddDepartment(ctx, w.asStreet, in.ID, 999999, ""); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown department: %v", err)
	}
	if _, err := w.svc.AddDepartment(ctx, w.asStreet, in.ID, market, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("already there: %v", err)
	}
	got, err := w.svc.AddDepartment(ctx, w.asStreet, in.ID, food, "涉及食品")
	if err != nil {
		t.Fatal(err)
	}
	last := got.Events[len(got.Events)-1]
	if len(got.Joint) != 3 || got.Joint[2].Department != "food_drug" || !got.Joint[2].Vacant || last.Kind != "department_added" ||
		last.Params["vacant"] != true || last.Note != "涉及食品" {
		t.Fatalf("added %+v, event %+v", got.Joint, last)
	}
	if _, err := w.svc.WithdrawDepartment(ctx, w.asStreet, in.ID, food, "误加"); err != nil {
		t.Fatal(err)
	}
	again, err := w.svc.AddDepartment(ctx, w.asStreet, in.ID, food, "")
	if err != nil || len(again.Joint) != 4 {
		t.Fatalf("asked again after withdrawal: %+v %v", again.Joint, err)
	}
}

func TestActionKindsAreTheMigrationsCheck(t *testing.T) {
	var def string
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'incident_joint_action'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%inspection%'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(def, "'::text"); n != len(incidents.ActionKinds) {
		t.Fatalf("%d kinds in the CHECK, %d in Go: %s", n, len(incidents.ActionKinds), def)
	}
	for _, k := range incidents.ActionKinds {
		if !strings.Contains(def, "'"+string(k)+"'") {
			t.Errorf("the CHECK lacks %s", k)
		}
	}
}

func TestTheLiaisonsListFiltersTheCasesAwaitingTheirAcknowledgement(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	urban := departmentID(t, "urban_management")
	mine, theirs := w.jointCase(""), w.jointCase("")
	if _, err := w.svc.Acknowledge(ctx, w.asLiaison, theirs.ID, urban); err != nil {
		t.Fatal(err)
	}
	ids := func(who access.Principal) []int64 {
		t.Helper()
		list, _, err := w.svc.List(ctx, who, incidents.Filter{AwaitingAck: true})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, in := range list {
			out = append(out, in.ID)
		}
		return out
	}
	// The liaison has acknowledged theirs; market regulation (vacant) still has to, which the
	// street chief sees.
	if got := ids(w.asLiaison); len(got) != 1 || got[0] != mine.ID {
		t.Fatalf("liaison awaiting %v, want [%d]", got, mine.ID)
	}
	if got := ids(w.asStreet); len(got) != 2 {
		t.Fatalf("street chief awaiting %v, want both", got)
	}
}

func TestAJointCaseBackFromReworkNeedsANewActionOfTheLead(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := w.jointCase("")
	urban, market := departmentID(t, "urban_management"), departmentID(t, "market_regulation")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.svc.Acknowledge(ctx, w.asLiaison, in.ID, urban))
	must(w.svc.Acknowledge(ctx, asAdmin, in.ID, market))
	must(w.svc.RecordAction(ctx, w.asLiaison, in.ID, incidents.ActionInput{DepartmentID: urban, Kind: incidents.OrderToCorrect}))
	w.clock.Add(time.Hour)
	must(w.svc.Transition(ctx, w.asLiaison, in.ID, incidents.TransitionInput{To: incidents.Resolved}))
	must(w.svc.Verify(ctx, w.asStreet, in.ID, incidents.VerificationInput{Outcome: incidents.Failed, Note: "仍有占道"}))
	w.clock.Add(time.Hour)
	must(w.svc.Transition(ctx, w.asStreet, in.ID, incidents.TransitionInput{To: incidents.Escalated}))
	must(w.svc.Transition(ctx, w.asStreet, in.ID, incidents.TransitionInput{To: incidents.JointEnforcement}))
	if _, err := w.svc.Transition(ctx, w.asLiaison, in.ID, incidents.TransitionInput{To: incidents.Resolved}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("resolved again on the first round's action: %v", err)
	}
	w.clock.Add(time.Hour)
	must(w.svc.RecordAction(ctx, w.asLiaison, in.ID, incidents.ActionInput{DepartmentID: urban, Kind: incidents.Seizure}))
	must(w.svc.Transition(ctx, w.asLiaison, in.ID, incidents.TransitionInput{To: incidents.Resolved}))
}
