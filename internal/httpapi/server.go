// Package httpapi is the thin HTTP layer: it decodes requests, asks the caller's identity of the
// Authenticator, calls the domain packages and encodes their answers (JSON, GeoJSON, problem+json).
// It holds no SQL and no business rules; every route is declared in routes() with its access rule.
package httpapi

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/assessment"
	"streetchief/internal/auth"
	"streetchief/internal/cadres"
	"streetchief/internal/duties"
	"streetchief/internal/fieldproof"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/maptiles"
	"streetchief/internal/merchants"
	"streetchief/internal/monthly"
	"streetchief/internal/notify"
	"streetchief/internal/objectstore"
	"streetchief/internal/operations"
	"streetchief/internal/partners"
	"streetchief/internal/patrols"
	"streetchief/internal/pdf"
	"streetchief/internal/policy"
	"streetchief/internal/ratelimit"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
	"streetchief/internal/servicepoints"
	"streetchief/internal/tasks"
)

// Deps are what the handlers need; cmd/streetchief wires them. DB, Registry, Auth and Incidents are
// required: New refuses to build a server without them rather than have handlers check for each.
type Deps struct {
	DB       *pgxpool.Pool
	Registry *registry.Store
	// RegistryReads answers the OGC API features and the area exports, which tolerate a standby's
	// lag (serve --read-database-url); nil: Registry.
	RegistryReads *registry.Store
	Auth          *auth.Service
	Lookup        *lookup.Engine
	Tiles         *maptiles.Service
	Incidents     *incidents.Service
	Reports       *reports.Service
	// Merchants is the 门前三包 register; nil builds one on DB, Registry and Incidents.
	Merchants *merchants.Store
	// Notify is the people's inboxes; nil builds one with no delivery channels.
	Notify *notify.Store
	// Vendors is the mobile-vendor register; nil builds one with the default rules on the Merchants store.
	Vendors *merchants.Vendors
	Monthly *monthly.Service // nil: the monthly report answers 503
	Cadres  *cadres.Service  // nil builds one on DB and Incidents
	PDF     *pdf.Renderer    // nil, or no Chromium on the machine: format=pdf answers 503
	Logger  *slog.Logger
	// MaxBodyBytes limits request bodies; 0 means 8 MiB.
	MaxBodyBytes int64
	// Version is reported by /healthz.
	Version string
	// PublicReportsPerMinute limits the incident reports one address may file without signing in
	// (0: DefaultPublicReportsPerMinute; negative: no limit, for a trusted gateway in front).
	PublicReportsPerMinute int
	// RateLimits count the public reports per address and the Open311 reports per api_key; nil
	// counts in this process, which suits one server alone. Replicas behind a load balancer pass
	// counters in the database (ratelimit.Store), so a limit holds whichever replica answers.
	RateLimits *RateLimits
	// TrustedProxies are the load balancers in front: from them, not from anyone else, the client's
	// address is read in X-Forwarded-For. Empty: the peer is the client.
	TrustedProxies []netip.Prefix
	// Open311 configures the Open311 endpoint: its jurisdiction_id and how integrators get keys.
	Open311 Open311Options
	// Operations are the joint enforcement operations; nil builds them on DB, Registry and Incidents.
	Operations *operations.Store
	// Assessment is the subdistricts' scoring; nil builds it with the policy's default rules.
	Assessment *assessment.Service
	// Tasks are the tasks from the city and the district (督办); nil builds them on DB.
	Tasks *tasks.Service
	// Patrols are the patrols (巡街) and their proof; nil builds them with the default rules, their
	// events the incidents alone.
	Patrols *patrols.Store
	// Partners are compounds' property managers, residents' teams and building representatives;
	// nil builds them on DB and Registry.
	Partners *partners.Service
	// Duties are the deputies' and party members' duty records (履职); nil builds them on DB.
	Duties *duties.Service
	// ServicePoints is the register of service points (便民服务点); nil builds one on DB.
	ServicePoints *servicepoints.Service
	// Photos is the object store that the services New builds itself (and the volunteers') keep
	// photos in; nil keeps their photos in their rows. Services passed in bring their own.
	Photos objectstore.Store
}

// DefaultPublicReportsPerMinute is generous for people on one network (a school, a market's Wi-Fi)
// and stops a script flooding the street chiefs' queues. Signed-in callers, such as the 12345
// hotline's integration with its token, are not limited.
const DefaultPublicReportsPerMinute = 30

// RateLimits are the counters of the report limits, each over one-minute windows.
type RateLimits struct {
	PublicReports ratelimit.Counter // keyed by the client's address
	Open311Keys   ratelimit.Counter // keyed by the api_key's id
}

// Server is the HTTP API.
type Server struct {
	Deps
	publicReports int // per address and minute; 0: no limit
	limits        RateLimits
	router        chi.Router
	table         []route
	metrics       *metrics
	ids           *requestIDs
}

// New builds the server and its routes. It panics when a required dependency is missing: that is a
// wiring mistake, found by the first test that builds the server, not a condition to answer 503 for.
func New(d Deps) *Server {
	if d.DB == nil || d.Registry == nil || d.Auth == nil || d.Incidents == nil {
		panic("httpapi.New: DB, Registry, Auth and Incidents are required")
	}
	if d.RegistryReads == nil {
		d.RegistryReads = d.Registry
	}
	if d.Merchants == nil {
		d.Merchants = merchants.NewStore(d.DB, d.Registry, d.Incidents, d.Photos, merchants.Rules{})
	}
	if d.Cadres == nil {
		d.Cadres = cadres.NewService(d.DB, d.Incidents)
	}
	if d.Operations == nil {
		d.Operations = operations.NewStore(d.DB, d.Registry, d.Incidents, d.Photos)
	}
	if d.Tasks == nil {
		d.Tasks = tasks.NewService(d.DB, d.Photos)
	}
	if d.Patrols == nil {
		d.Patrols = patrols.NewStore(d.DB, fieldproof.DefaultRules().Patrol, patrols.Options{Incidents: d.Incidents})
	}
	if d.Partners == nil {
		d.Partners = partners.NewService(d.DB, d.Registry)
	}
	if d.Duties == nil {
		d.Duties = duties.NewService(d.DB, d.Photos)
	}
	if d.ServicePoints == nil {
		d.ServicePoints = servicepoints.NewService(d.DB)
	}
	if d.Reports == nil {
		d.Reports = reports.NewService(d.DB)
	}
	if d.Assessment == nil {
		d.Assessment = assessment.NewService(d.DB, assessment.Sources{Incidents: d.Incidents, Merchants: d.Merchants, Reports: d.Reports, Tasks: d.Tasks, Patrols: d.Patrols, Photos: d.Photos}, policy.DefaultRules())
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 8 << 20
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Vendors == nil {
		d.Vendors = merchants.NewVendors(d.Merchants, merchants.VendorRules{})
	}
	if d.Notify == nil {
		d.Notify = notify.NewStore(d.DB)
	}
	s := &Server{Deps: d, metrics: newMetrics(d.DB), ids: newRequestIDs()}
	switch {
	case d.PublicReportsPerMinute == 0:
		s.publicReports = DefaultPublicReportsPerMinute
	case d.PublicReportsPerMinute > 0:
		s.publicReports = d.PublicReportsPerMinute
	}
	s.limits = RateLimits{PublicReports: ratelimit.NewMemory(time.Minute), Open311Keys: ratelimit.NewMemory(time.Minute)}
	if d.RateLimits != nil {
		s.limits = *d.RateLimits
	}
	s.router = chi.NewRouter()
	s.router.Use(s.frameRequests)
	s.router.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, errNotFoundRoute(r))
	})
	s.router.MethodNotAllowed(s.methodNotAllowed)
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// principal is the caller of the request, set by the access check of every route.
func principal(r *http.Request) access.Principal {
	if f := frameOf(r); f != nil {
		return f.principal
	}
	return access.Principal{}
}
