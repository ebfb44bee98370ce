package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"streetchief/internal/assessment"
	"streetchief/internal/auth"
	"streetchief/internal/database"
	"streetchief/internal/digest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/maptiles"
	"streetchief/internal/merchants"
	"streetchief/internal/monthly"
	"streetchief/internal/objectstore"
	"streetchief/internal/pdf"
	"streetchief/internal/policy"
	"streetchief/internal/ratelimit"
	"streetchief/internal/registry"
	"streetchief/internal/reports"
	"streetchief/internal/tasks"
)

func serveCommand(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, fs := newConfig("serve", stderr)
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	demoIfEmpty := fs.Bool("demo-if-empty", false, "load the demo city when the database holds no territory yet")
	tileCacheMB := fs.Int("tile-cache-mb", 128, "memory budget of the vector tile cache, in MiB")
	publicReports := fs.Int("public-reports-per-minute", httpapi.DefaultPublicReportsPerMinute,
		"incident reports one address may file per minute without signing in; 0 for no limit (a trusted gateway in front)")
	rulesFile := fs.String("assessment-rules", "",
		"JSON file of the assessment's rules overriding the policy's defaults, as the simulator's \"rules\" member (docs/assessment.md)")
	proofFile := fs.String("field-proof-rules", "",
		"JSON file of the field-proof rules (check_in, patrol) overriding fieldproof's defaults (docs/patrols.md)")
	jurisdiction := fs.String("open311-jurisdiction", open311Jurisdiction(),
		"Open311 jurisdiction_id of this deployment (env STREETCHIEF_OPEN311_JURISDICTION); requests naming another are refused")
	keyService := fs.String("open311-key-service", "", "Open311 discovery's key_service: how integrators get an api_key (empty: a sentence naming the jurisdiction)")
	trustedProxies := fs.String("trusted-proxies", os.Getenv("STREETCHIEF_TRUSTED_PROXIES"),
		"comma-separated addresses or CIDR prefixes of the load balancers in front (env STREETCHIEF_TRUSTED_PROXIES); from them X-Forwarded-For names the client")
	photoDir := photoDirFlag(fs)
	notifications := registerNotifyFlags(fs)
	readURL := fs.String("read-database-url", os.Getenv("STREETCHIEF_READ_DATABASE_URL"),
		"PostgreSQL URL for reads that tolerate a standby's lag: incident tiles and reports (env STREETCHIEF_READ_DATABASE_URL; "+
			"e.g. a multi-host URL with target_session_attrs=prefer-standby; empty: the one database)")
	districts := fs.String("districts", os.Getenv("STREETCHIEF_DISTRICTS"),
		"comma-separated codes or ids of the districts this replica's lookup index holds (env STREETCHIEF_DISTRICTS); "+
			"lookups elsewhere are refused 421; empty: the whole territory (docs/scale.md, \"Routing by district\")")
	digestAt := fs.String("digest-at", "07:30", "Beijing time each day's morning digest (每日待办) is written, HH:MM; empty: none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	channels, err := notifications.channels()
	if err != nil {
		return err
	}
	digestHour, digestMinute, err := parseClock(*digestAt)
	if err != nil {
		return fmt.Errorf("--digest-at: %w", err)
	}
	proxies, err := parsePrefixes(*trustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	rules, err := assessmentRules(*rulesFile)
	if err != nil {
		return err
	}
	proof, err := fieldProofRules(*proofFile)
	if err != nil {
		return err
	}
	if !auth.ValidJurisdiction(*jurisdiction) {
		return fmt.Errorf("--open311-jurisdiction %q is not a jurisdiction id such as %s", *jurisdiction, httpapi.DefaultOpen311Jurisdiction)
	}
	photos, err := objectstore.NewFS(*photoDir)
	if err != nil {
		return fmt.Errorf("--photo-dir: %w", err)
	}
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	pool, err := cfg.openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	reads, err := cfg.openReads(ctx, *readURL, pool)
	if err != nil {
		return err
	}
	if reads != pool {
		defer reads.Close()
	}

	if *migrate {
		applied, err := database.Migrate(ctx, pool)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			logger.Info("migrated", "applied", applied)
		}
	}
	if pending, err := database.PendingMigrations(ctx, pool); err != nil {
		return err
	} else if len(pending) > 0 {
		return fmt.Errorf("database schema is behind this binary (%d migrations pending): run streetchief migrate", len(pending))
	}
	if *demoIfEmpty {
		if err := loadDemoIfEmpty(ctx, pool, photos, stderr, logger); err != nil {
			return err
		}
	}

	// One listening connection feeds everything that follows the database's changes. Registry changes
	// go to the lookup engine only; re-routing follows the engine, so it routes with the change applied.
	listener := database.NewListener(pool, logger)
	registryFeed := listener.Subscribe(registry.ChangeChannel)
	tileFeed := listener.Subscribe(incidents.ChangeChannel)

	store := registry.NewStore(pool)
	held, err := heldDistricts(ctx, store, *districts)
	if err != nil {
		return err
	}
	engine := lookup.NewWithin(store, held)
	engineUpdates := engine.Follow()
	go engine.Run(ctx, registryFeed, logger)
	notifyStore := startNotifications(ctx, pool, logger, *notifications.publicURL, channels)
	incidentService := startIncidents(ctx, pool, reads, engine, engineUpdates, logger, notifyStore, photos)
	if held != nil {
		logger.Info("holding some districts only: lookups elsewhere are refused, and escalation and re-routing run on the replicas holding the whole territory", "districts", held)
	}
	shops := merchants.NewStore(pool, store, incidentService, photos, merchants.Rules{Proof: proof.CheckIn})
	vendors := merchants.NewVendors(shops, merchants.VendorRules{})
	patrolService := patrolStore(pool, proof.Patrol, shops, vendors, incidentService)
	tileService := maptiles.NewService(engine, incidentService, pool, maptiles.Options{CacheBytes: int64(*tileCacheMB) << 20, Patrols: patrolService,
		Replay: database.Replay{Primary: pool, Reads: reads}})
	go tileService.FollowIncidents(ctx, tileFeed)
	go listener.Run(ctx)

	reportService := reports.NewService(pool)
	// The report screens and exports read the standby; the digest and the assessment, which write
	// from what they read, keep the primary's.
	reportReads := reports.NewService(reads)
	if digestHour >= 0 {
		go digest.Run(ctx, digest.Sources{DB: pool, Incidents: incidentService, Merchants: shops, Reports: reportService},
			digestHour, digestMinute, logger)
	}
	// Overdue task items are told once each, like overdue cases, by every replica in turn.
	taskService := tasks.NewService(pool, photos)
	go taskService.Run(ctx, escalationInterval, logger)
	go database.KeepPartitionsAhead(ctx, pool, logger)
	// Replicas behind a load balancer share the report limits through the database.
	publicLimits := ratelimit.NewStore(pool, "public_reports", time.Minute)
	keyLimits := ratelimit.NewStore(pool, "open311_key", time.Minute)
	go publicLimits.Run(ctx, logger)
	go keyLimits.Run(ctx, logger)
	api := httpapi.New(httpapi.Deps{
		Notify:    notifyStore,
		Photos:    photos,
		Merchants: shops,
		Vendors:   vendors,
		Patrols:   patrolService,
		DB:        pool,
		Registry:  store,
		// The OGC API features and the area exports read the standby, like the reports.
		RegistryReads: registry.NewStore(reads),
		Lookup:        engine,
		Tiles:         tileService,
		Incidents:     incidentService,
		Reports:       reportReads,
		Assessment:    assessment.NewService(pool, assessment.Sources{Incidents: incidentService, Merchants: shops, Reports: reportService, Tasks: taskService, Patrols: patrolService, Photos: photos}, rules),
		Monthly:       monthly.NewService(incidentService, reportReads, store),
		Tasks:         taskService,
		PDF:           pdf.New(cfg.Chromium, 0),
		Auth:          auth.NewService(pool, auth.Options{SecureCookies: cfg.SecureCookies}),
		Logger:        logger,
		Version:       version,
		// 0 on the command line means no limit; to httpapi, 0 means its default.
		PublicReportsPerMinute: cmp.Or(*publicReports, -1),
		RateLimits:             &httpapi.RateLimits{PublicReports: publicLimits, Open311Keys: keyLimits},
		TrustedProxies:         proxies,
		Open311:                httpapi.Open311Options{Jurisdiction: *jurisdiction, KeyService: *keyService},
	})
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Info("serving", "addr", cfg.Addr, "version", version, "photo_dir", photos.Dir())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// parsePrefixes reads "10.0.0.0/8, 127.0.0.2": prefixes, or addresses standing for themselves.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a prefix such as 10.0.0.0/8", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// assessmentRules reads --assessment-rules: the policy's defaults with the file's members over them.
func assessmentRules(path string) (policy.Rules, error) {
	if path == "" {
		return policy.DefaultRules(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return policy.Rules{}, fmt.Errorf("--assessment-rules: %w", err)
	}
	r, err := policy.DecodeRules(b)
	if err != nil {
		return r, fmt.Errorf("--assessment-rules %s: %w", path, err)
	}
	return r, nil
}

// heldDistricts resolves --districts: nil for the whole territory.
func heldDistricts(ctx context.Context, store *registry.Store, list string) ([]int64, error) {
	var codes []string
	for _, c := range strings.Split(list, ",") {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		return nil, nil
	}
	ids, err := store.DistrictIDs(ctx, codes)
	if err != nil {
		return nil, fmt.Errorf("--districts: %w", err)
	}
	return ids, nil
}
