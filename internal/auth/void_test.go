package auth

import (
	"testing"

	"streetchief/internal/access"
)

func TestVoidedAssignmentGivesNoScope(t *testing.T) {
	s, _, pool := newTestService(t)
	tr := newTerritory(t, pool)
	for _, id := range []int64{tr.ChiefPost, tr.LanePost} {
		mustExec(t, pool, `UPDATE assignment SET voided_at = now(), voided_by = 'test', void_reason = 'entered by mistake' WHERE id = $1`, id)
	}
	for _, tc := range []struct {
		role   access.Role
		person int64
	}{{access.StreetChief, tr.Chief}, {access.LaneChief, tr.Lane}} {
		sess := mustSignIn(t, s, tc.role, tc.person)
		if !sameScope(sess.Principal.Scope, access.Scope{}) {
			t.Fatalf("%s has scope %+v from a voided post", tc.role, sess.Principal.Scope)
		}
	}
}
