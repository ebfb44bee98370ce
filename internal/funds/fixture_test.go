package funds

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

// world is a district of two subdistricts, a and b, with the ledger's service.
type world struct {
	svc            *Service
	city, a, b     int64
	chiefOfA       access.Principal
	leader, assess access.Principal
}

var worldSeq int

func newWorld(t *testing.T) world {
	t.Helper()
	worldSeq++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	x := 60 + float64(worldSeq)
	sq := func(x, w float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 30}, {x + w, 30}, {x + w, 30.4}, {x, 30.4}, {x, 30}}}}
	}
	code := func(s string) string { return fmt.Sprintf("funds%d-%s", worldSeq, s) }
	unit := func(level string, parent int64, c, name string, b orb.MultiPolygon) int64 {
		t.Helper()
		u, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent, Code: code(c), Name: name, Boundary: b})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	w := world{svc: NewService(pool)}
	w.city = unit("city", 0, "c", "城", sq(x, 0.4))
	dist := unit("district", w.city, "d", "区", sq(x, 0.4))
	w.a = unit("subdistrict", dist, "a", "东街道", sq(x, 0.2))
	w.b = unit("subdistrict", dist, "b", "西街道", sq(x+0.2, 0.2))
	w.chiefOfA = access.Principal{Role: access.StreetChief, Username: "chief", Scope: access.Scope{Subdistricts: []int64{w.a}}}
	w.leader = access.Principal{Role: access.DistrictLeader, Username: "leader", Scope: access.Scope{All: true}}
	w.assess = access.Principal{Role: access.Assessor, Username: "assessor", Scope: access.Scope{All: true}}
	return w
}

// post books entries in a transaction of its own, as the assessment would in its.
func (w world) post(t *testing.T, who access.Principal, entries ...Entry) ([]int64, error) {
	t.Helper()
	var ids []int64
	err := pgx.BeginFunc(context.Background(), w.svc.db, func(tx pgx.Tx) error {
		var err error
		ids, err = Post(context.Background(), tx, who, entries...)
		return err
	})
	return ids, err
}

func (w world) mustPost(t *testing.T, entries ...Entry) []int64 {
	t.Helper()
	ids, err := w.post(t, w.leader, entries...)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (w world) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := w.svc.db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func yuan(y float64) int64 { return int64(y * 100) }
