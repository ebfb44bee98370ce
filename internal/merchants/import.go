package merchants

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/importer"
)

// ImportRow is one shop of a register being imported. Location is in CRS (GCJ-02 for a sheet
// whose points were picked on AMap, WGS-84 for GPS) and stored in WGS-84.
type ImportRow struct {
	Line         int    // where the row is in its file, for the report
	Key          string // the natural key; empty: uscc:<licence>, else the name and address
	Name         string
	LicenceNo    string
	BusinessType string
	Address      string
	ContactName  *string // nil: the file has no such column, and a stored value is kept
	ContactPhone *string
	Location     orb.Point
	CRS          geo.CRS
	Attributes   map[string]any
}

// Rejected is a row an import refused, and why.
type Rejected struct {
	Line   int    `json:"line"`
	Key    string `json:"key,omitempty"`
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason"`
}

// ImportOptions control an import. Strict refuses the whole file for one bad row; DryRun checks
// every row against the database and writes nothing.
type ImportOptions struct {
	Strict bool
	DryRun bool
	Label  string // what was imported, for the audit log
}

// ImportReport is what an import did. A second import of the same file changes nothing: every row
// is Unchanged.
type ImportReport struct {
	Rows      int        `json:"rows"`
	Created   int        `json:"created"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Rejected  []Rejected `json:"rejected"`
	DryRun    bool       `json:"dry_run,omitempty"`
	Elapsed   string     `json:"elapsed"`
}

// Complete reports whether every row was taken.
func (r ImportReport) Complete() bool { return len(r.Rejected) == 0 }

// key is the row's natural key: the licence number where there is one (it is the shop's identity in
// every government register), else its name and address.
func (r ImportRow) key() string {
	if r.Key != "" {
		return r.Key
	}
	if r.LicenceNo != "" {
		return "uscc:" + r.LicenceNo
	}
	sum := sha256.Sum256([]byte(r.Name + "\x00" + r.Address))
	return "name-address:" + hex.EncodeToString(sum[:12])
}

// ImportRows stores a register in one transaction: each row is created, or updated in place under
// its natural key, or left alone when nothing in it changed, or rejected with its line and reason
// (rows read earlier as unreadable come in as pre). A rejected row writes nothing, and in strict mode
// nothing is written at all.
func (s *Store) ImportRows(ctx context.Context, who access.Principal, rows []ImportRow, pre []Rejected, opt ImportOptions) (ImportReport, error) {
	start := time.Now()
	rep := ImportReport{Rows: len(rows) + len(pre), Rejected: append([]Rejected{}, pre...), DryRun: opt.DryRun}
	if !who.CanChangeFieldData() {
		return rep, apperr.New(apperr.Forbidden, "your role may not import shops")
	}
	if len(rows)+len(pre) > MaxImportRows {
		return rep, apperr.New(apperr.TooLarge, "%d rows, at most %d in one import", len(rows)+len(pre), MaxImportRows)
	}
	strictFail := func(r Rejected) error {
		return apperr.New(apperr.Invalid, "line %d: %s; nothing was imported", r.Line, r.Reason).With("line", r.Line).With("reason", r.Reason)
	}
	if opt.Strict && len(pre) > 0 {
		return rep, strictFail(pre[0])
	}
	errDryRun := fmt.Errorf("dry run")
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		seen := map[string]int{}
		for _, r := range rows {
			in, key, why := r.input()
			if why == "" {
				if first, dup := seen[key]; dup {
					why = fmt.Sprintf("the same shop (%s) as line %d", key, first)
				}
			}
			if why == "" {
				seen[key] = r.Line
				var outcome string
				outcome, why = importOne(ctx, tx, who, key, in, r)
				switch outcome {
				case "created":
					rep.Created++
				case "updated":
					rep.Updated++
				case "unchanged":
					rep.Unchanged++
				}
			}
			if why != "" {
				rej := Rejected{Line: r.Line, Key: key, Name: clip(r.Name, 50), Reason: why}
				if opt.Strict {
					return strictFail(rej)
				}
				rep.Rejected = append(rep.Rejected, rej)
			}
		}
		summary := map[string]any{"label": opt.Label, "created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged,
			"rejected": len(rep.Rejected)}
		if err := audit.Record(ctx, tx, who, audit.Import, "merchant", 0, nil, summary); err != nil {
			return err
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && err != errDryRun {
		return ImportReport{Rejected: []Rejected{}}, err
	}
	sortRejected(rep.Rejected)
	rep.Elapsed = time.Since(start).Round(time.Millisecond).String()
	return rep, nil
}

// input checks a row as CreateMerchant checks a shop, with the reason as text for the report.
func (r ImportRow) input() (Input, string, string) {
	in := Input{Name: r.Name, LicenceNo: r.LicenceNo, BusinessType: r.BusinessType, Address: r.Address,
		Location: geo.ToWGS84(r.Location, r.CRS), Attributes: r.Attributes}
	if r.ContactName != nil {
		in.ContactName = *r.ContactName
	}
	if r.ContactPhone != nil {
		in.ContactPhone = *r.ContactPhone
	}
	in.normalise()
	r.LicenceNo = in.LicenceNo
	key := r.key()
	in.SourceKey = key
	if err := checkPoint("location", r.Location); err != nil {
		return in, key, apperr.Message(err)
	}
	if err := in.check(); err != nil {
		return in, key, apperr.Message(err)
	}
	return in, key, ""
}

// importOne writes one row under a savepoint, so a refusal takes back exactly that row.
func importOne(ctx context.Context, tx pgx.Tx, who access.Principal, key string, in Input, r ImportRow) (string, string) {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return "", "internal error: " + err.Error()
	}
	attrs, _ := json.Marshal(orEmpty(in.Attributes))
	var contactName, contactPhone *string
	if r.ContactName != nil {
		contactName = &in.ContactName
	}
	if r.ContactPhone != nil {
		contactPhone = &in.ContactPhone
	}
	var (
		id       int64
		inserted bool
		sub, com int64
	)
	// The WHERE of DO UPDATE leaves an unchanged row alone, so it is not rewritten, its updated_at
	// stays, and RETURNING gives no row: a second import of the same file changes nothing.
	err = sp.QueryRow(ctx, `INSERT INTO merchant AS m (source_key, name, licence_no, business_type, address, contact_name, contact_phone,
			location, attributes)
		VALUES ($1, $2, NULLIF($3, ''), $4, $5, COALESCE($6, ''), COALESCE($7, ''), ST_SetSRID(ST_MakePoint($8, $9), 4326), $10)
		ON CONFLICT (source_key) DO UPDATE SET name = EXCLUDED.name, licence_no = EXCLUDED.licence_no,
			business_type = EXCLUDED.business_type, address = EXCLUDED.address,
			contact_name = COALESCE($6, m.contact_name), contact_phone = COALESCE($7, m.contact_phone),
			location = EXCLUDED.location, attributes = m.attributes || EXCLUDED.attributes, updated_at = now()
		WHERE (m.name, m.licence_no, m.business_type, m.address, m.contact_name, m.contact_phone)
			IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.licence_no, EXCLUDED.business_type, EXCLUDED.address,
				COALESCE($6, m.contact_name), COALESCE($7, m.contact_phone))
			OR NOT ST_Equals(m.location, EXCLUDED.location) OR NOT m.attributes @> EXCLUDED.attributes
		RETURNING id, xmax = 0, COALESCE(subdistrict_id, 0), COALESCE(community_id, 0)`,
		key, in.Name, in.LicenceNo, in.BusinessType, in.Address, contactName, contactPhone, in.Location[0], in.Location[1], attrs).
		Scan(&id, &inserted, &sub, &com)
	if err == pgx.ErrNoRows {
		_ = sp.Commit(ctx)
		return "unchanged", ""
	}
	if err != nil {
		_ = sp.Rollback(ctx)
		return "", apperr.Message(translate(err, "shop"))
	}
	switch {
	case sub == 0:
		_ = sp.Rollback(ctx)
		return "", fmt.Sprintf("the point [%.6f, %.6f] (WGS-84) lies outside every subdistrict of the district", in.Location[0], in.Location[1])
	case !who.Scope.InScope(sub, com):
		_ = sp.Rollback(ctx)
		return "", "the shop lies outside your scope"
	}
	if err := sp.Commit(ctx); err != nil {
		return "", "internal error: " + err.Error()
	}
	if inserted {
		return "created", ""
	}
	return "updated", ""
}

// OSMRows turns the shops an OSM extract yields into register rows keyed by their OSM id, so a
// newer extract updates them in place. A shop without a name is named by its kind.
func OSMRows(shops []importer.Merchant) []ImportRow {
	out := make([]ImportRow, 0, len(shops))
	for i, m := range shops {
		r := ImportRow{Line: i + 1, Key: "osm:" + m.Source, Name: strings.TrimSpace(m.Name), BusinessType: m.Tag,
			Address: m.Address, CRS: geo.WGS84, Attributes: map[string]any{"osm_id": m.Source}}
		if r.Name == "" {
			r.Name = m.Tag + " " + m.Source
		}
		if m.At != nil {
			r.Location = *m.At
		} else {
			r.Location = orb.Point{nanDegrees(), nanDegrees()} // refused as "not a finite position"
		}
		out = append(out, r)
	}
	return out
}

func nanDegrees() float64 {
	zero := 0.0
	return zero / zero
}

func sortRejected(r []Rejected) {
	slices.SortStableFunc(r, func(a, b Rejected) int { return cmp.Compare(a.Line, b.Line) })
}
