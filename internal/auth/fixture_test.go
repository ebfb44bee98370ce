package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestService(t *testing.T) (*Service, *clock, *pgxpool.Pool) {
	t.Helper()
	pool := dbtest.Pool(t)
	c := &clock{t: time.Now().UTC().Truncate(time.Microsecond)}
	return NewService(pool, Options{Now: c.Now}), c, pool
}

var seq atomic.Int64

// unique returns a name no other test in this package uses.
func unique(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }

// territory is a small slice of the district: two subdistricts, three communities, and people holding
// posts there (from 2020, still current).
type territory struct {
	Sub1, Sub2                   int64
	Com1a, Com1b, Com2a          int64
	Chief, Lane, Liaison, Nobody int64 // person ids
	Inspector                    int64 // over Sub2 and over Com1a
	Dept                         int64
	ChiefPost, LanePost          int64 // assignment ids
}

func mustExec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func mustID(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func newTerritory(t *testing.T, pool *pgxpool.Pool) territory {
	t.Helper()
	unit := func(level string, parent int64, x float64) int64 {
		return mustID(t, pool, `INSERT INTO admin_unit (level, parent_id, code, name, boundary)
			VALUES ($1, NULLIF($2::bigint, 0), $3, $3, ST_Multi(ST_MakeEnvelope($4::float8, 25, $4::float8 + 0.01, 25.01, 4326))) RETURNING id`,
			level, parent, unique(level+"-"), x)
	}
	person := func() int64 {
		return mustID(t, pool, `INSERT INTO person (name) VALUES ($1) RETURNING id`, unique("person "))
	}
	post := func(unit, person int64, role string, dept int64) int64 {
		return mustID(t, pool, `INSERT INTO assignment (admin_unit_id, person_id, role, department_id, level, valid)
			VALUES ($1, $2, $3, NULLIF($4::bigint, 0), CASE WHEN $4::bigint <> 0 THEN 'district' END, tstzrange('2020-01-01', NULL))
			RETURNING id`, unit, person, role, dept)
	}
	var tr territory
	city := unit("city", 0, 116)
	district := unit("district", city, 116)
	tr.Sub1 = unit("subdistrict", district, 116)
	tr.Sub2 = unit("subdistrict", district, 116.1)
	tr.Com1a = unit("community", tr.Sub1, 116)
	tr.Com1b = unit("community", tr.Sub1, 116.02)
	tr.Com2a = unit("community", tr.Sub2, 116.1)
	tr.Chief, tr.Lane, tr.Liaison, tr.Nobody, tr.Inspector = person(), person(), person(), person(), person()
	tr.Dept = mustID(t, pool, `SELECT id FROM department WHERE code = 'market_regulation'`)
	tr.ChiefPost = post(tr.Sub1, tr.Chief, "street_chief", 0)
	tr.LanePost = post(tr.Com2a, tr.Lane, "lane_chief", 0)
	post(tr.Sub2, tr.Liaison, "department_liaison", tr.Dept)
	post(tr.Sub2, tr.Inspector, "inspector", 0)
	post(tr.Com1a, tr.Inspector, "inspector", 0)
	// An ended post must give nothing.
	mustExec(t, pool, `INSERT INTO assignment (admin_unit_id, person_id, role, valid)
		VALUES ($1, $2, 'street_chief', tstzrange('2019-01-01', '2019-12-31'))`, tr.Sub2, tr.Chief)
	return tr
}

// mustUser creates an account with a known password.
func mustUser(t *testing.T, s *Service, role access.Role, personID int64) (User, string) {
	t.Helper()
	password := "correct horse " + unique("")
	u, err := s.AddUser(context.Background(), access.System("test"),
		UserInput{Username: unique(string(role)[:4] + "-"), Password: password, Role: role, PersonID: personID})
	if err != nil {
		t.Fatalf("add %s user: %v", role, err)
	}
	return u, password
}

func mustSignIn(t *testing.T, s *Service, role access.Role, personID int64) Session {
	t.Helper()
	u, password := mustUser(t, s, role, personID)
	sess, err := s.SignIn(context.Background(), attempt(u.Username, password))
	if err != nil {
		t.Fatalf("sign in %s: %v", u.Username, err)
	}
	return sess
}

var addresses atomic.Int64

// attempt is a sign-in from an address no other attempt in this package uses, so the address-wide
// throttle of one test does not reach into another.
func attempt(username, password string) SignInRequest {
	n := addresses.Add(1)
	return SignInRequest{Username: username, Password: password, Address: fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)}
}

func cookieRequest(method, token, csrf string) *http.Request {
	r := httptest.NewRequest(method, "/api/v1/areas", nil)
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: token})
	if csrf != "" {
		r.Header.Set(CSRFHeader, csrf)
	}
	return r
}

func bearerRequest(method, token string) *http.Request {
	r := httptest.NewRequest(method, "/api/v1/areas", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}
