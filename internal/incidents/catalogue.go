package incidents

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// The catalogue file is CSV, UTF-8 (a BOM is allowed, as spreadsheets write one), one category a row
// under a header naming catalogueColumns in any order. departments are department codes separated by
// '|'; a non-empty retired_reason retires the category. Docs: docs/categories.md.
var catalogueColumns = []string{"code", "parent", "name_zh", "name_en", "ack_hours", "start_hours", "resolve_hours",
	"escalation", "after_photo_required", "departments", "retired_reason"}

// MaxCatalogueRows bounds a catalogue file.
const MaxCatalogueRows = 10_000

//go:embed catalogue/national.csv
var nationalCatalogue []byte

// NationalCatalogue is the standard catalogue of urban-management events (大类 and 小类 after
// GB/T 30428 and CJ/T 214) with plausible clocks: the demo city's, and a city's starting point.
func NationalCatalogue() []byte { return slices.Clone(nationalCatalogue) }

// CatalogueRow is one category of a catalogue file.
type CatalogueRow struct {
	Line          int
	Category      CategoryInput
	RetiredReason string
}

// RowError is what is wrong with one line of a catalogue file.
type RowError struct {
	Line   int    `json:"line"`
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason"`
}

// CatalogueError lists every bad row of a catalogue file; nothing of the file was written.
type CatalogueError struct {
	Rows []RowError
}

func (e *CatalogueError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the catalogue has %d bad rows; nothing was written:", len(e.Rows))
	for _, r := range e.Rows {
		fmt.Fprintf(&b, "\nline %d", r.Line)
		if r.Code != "" {
			fmt.Fprintf(&b, " (%s)", r.Code)
		}
		fmt.Fprintf(&b, ": %s", r.Reason)
	}
	return b.String()
}

// Unwrap makes a catalogue error invalid input to apperr.CodeOf.
func (e *CatalogueError) Unwrap() error {
	return apperr.New(apperr.Invalid, "%d bad rows", len(e.Rows))
}

// ParseCatalogue reads a catalogue file, checking every row on its own (parents and departments are
// checked by ImportCatalogue against the database). Every bad row is reported, not just the first;
// with them it answers the good rows too.
func ParseCatalogue(r io.Reader) ([]CatalogueRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var bad []RowError
	header, err := cr.Read()
	if err != nil {
		return nil, &CatalogueError{Rows: []RowError{{Line: 1, Reason: "no header row: " + csvReason(err)}}}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		switch {
		case !slices.Contains(catalogueColumns, h):
			bad = append(bad, RowError{Line: 1, Reason: fmt.Sprintf("unknown column %q (the columns are %s)", h, strings.Join(catalogueColumns, ", "))})
		case col[h] > 0:
			bad = append(bad, RowError{Line: 1, Reason: fmt.Sprintf("column %q appears twice", h)})
		}
		col[h] = i + 1
	}
	for _, c := range catalogueColumns {
		if col[c] == 0 && c != "retired_reason" {
			bad = append(bad, RowError{Line: 1, Reason: fmt.Sprintf("column %q is missing", c)})
		}
	}
	if len(bad) > 0 {
		return nil, &CatalogueError{Rows: bad}
	}
	var rows []CatalogueRow
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A broken quote leaves the rest of the file unreadable: report it and stop.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			bad = append(bad, RowError{Line: line, Reason: csvReason(err)})
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rows)+len(bad) >= MaxCatalogueRows {
			bad = append(bad, RowError{Line: line, Reason: fmt.Sprintf("more than %d rows", MaxCatalogueRows)})
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			bad = append(bad, RowError{Line: line, Reason: fmt.Sprintf("%d fields; the header has %d", len(rec), len(header))})
			continue
		}
		row, err := parseCatalogueRow(line, func(c string) string {
			if col[c] == 0 {
				return ""
			}
			return strings.TrimSpace(rec[col[c]-1])
		})
		if err != nil {
			bad = append(bad, RowError{Line: line, Code: row.Category.Code, Reason: reason(err)})
			continue
		}
		if first, dup := seen[row.Category.Code]; dup {
			bad = append(bad, RowError{Line: line, Code: row.Category.Code, Reason: fmt.Sprintf("code also on line %d", first)})
			continue
		}
		seen[row.Category.Code] = line
		rows = append(rows, row)
	}
	if len(bad) > 0 {
		return rows, &CatalogueError{Rows: bad}
	}
	return rows, nil
}

// ImportCatalogueFile reads and imports a catalogue file. When some rows are bad on their own, the
// good ones are still checked against the database (and nothing is written), so one run reports every
// bad row of the file.
func (s *Service) ImportCatalogueFile(ctx context.Context, who access.Principal, r io.Reader, dryRun bool) (ImportResult, int, error) {
	rows, err := ParseCatalogue(r)
	var parseErr *CatalogueError
	if err != nil && (!errors.As(err, &parseErr) || len(rows) == 0) {
		return ImportResult{}, 0, err
	}
	res, err := s.ImportCatalogue(ctx, who, rows, dryRun || parseErr != nil)
	if parseErr == nil {
		return res, len(rows), err
	}
	var dbErr *CatalogueError
	if errors.As(err, &dbErr) {
		parseErr.Rows = append(parseErr.Rows, dbErr.Rows...)
		slices.SortStableFunc(parseErr.Rows, func(a, b RowError) int { return a.Line - b.Line })
	} else if err != nil {
		return ImportResult{}, 0, err
	}
	return ImportResult{}, 0, parseErr
}

func parseCatalogueRow(line int, field func(string) string) (CatalogueRow, error) {
	row := CatalogueRow{Line: line, RetiredReason: field("retired_reason")}
	in := CategoryInput{Code: field("code"), Parent: field("parent"), NameZh: field("name_zh"), NameEn: field("name_en"),
		Escalation: Escalation(field("escalation"))}
	row.Category = in
	for _, h := range []struct {
		name string
		dst  *int
	}{{"ack_hours", &in.AckHours}, {"start_hours", &in.StartHours}, {"resolve_hours", &in.ResolveHours}} {
		n, err := strconv.Atoi(field(h.name))
		if err != nil {
			return row, apperr.New(apperr.Invalid, "%s %q is not a whole number of hours", h.name, field(h.name))
		}
		*h.dst = n
	}
	switch strings.ToLower(field("after_photo_required")) {
	case "true", "yes", "1", "是":
		in.AfterPhotoRequired = true
	case "false", "no", "0", "否", "":
	default:
		return row, apperr.New(apperr.Invalid, "after_photo_required %q is not true or false", field("after_photo_required"))
	}
	if d := field("departments"); d != "" {
		in.Departments = strings.Split(d, "|")
	}
	in = in.normalize()
	row.Category = in
	if err := in.check(); err != nil {
		return row, err
	}
	if len(row.RetiredReason) > 1000 {
		return row, apperr.New(apperr.Invalid, "retired_reason is longer than 1000 characters")
	}
	return row, nil
}

func reason(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	return err.Error()
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Changed   int `json:"changed"`
	Retired   int `json:"retired"`
	Unchanged int `json:"unchanged"`
}

// ImportCatalogue creates and updates the file's categories in one transaction: all of it or, with
// any bad row (a *CatalogueError listing each), nothing. Categories missing from the file are left as
// they are, and a retired category stays retired, so importing the same file twice changes nothing.
// With dryRun everything is checked and nothing kept. Admins only.
func (s *Service) ImportCatalogue(ctx context.Context, who access.Principal, rows []CatalogueRow, dryRun bool) (ImportResult, error) {
	var res ImportResult
	if err := mayChangeCategories(who); err != nil {
		return res, err
	}
	// 大类 first, so their 小类 find them whatever the file's order.
	ordered := slices.Clone(rows)
	slices.SortStableFunc(ordered, func(a, b CatalogueRow) int {
		return compareBool(a.Category.Parent != "", b.Category.Parent != "")
	})
	errDryRun := errors.New("dry run")
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var bad []RowError
		// Each row in a savepoint: a refused row rolls back alone, so every bad row is found.
		step := func(row CatalogueRow, fn func(tx pgx.Tx) error) error {
			sp, err := tx.Begin(ctx)
			if err != nil {
				return err
			}
			if err := fn(sp); err != nil {
				if rbErr := sp.Rollback(ctx); rbErr != nil {
					return rbErr
				}
				if code := apperr.CodeOf(err); code != apperr.Invalid && code != apperr.Conflict {
					return err
				}
				bad = append(bad, RowError{Line: row.Line, Code: row.Category.Code, Reason: reason(err)})
				return nil
			}
			return sp.Commit(ctx)
		}
		for _, row := range ordered {
			if err := step(row, func(tx pgx.Tx) error {
				before, err := lockCategory(ctx, tx, row.Category.Code)
				var prior *Category
				switch {
				case err == nil:
					prior = &before
				case apperr.CodeOf(err) != apperr.NotFound:
					return err
				}
				_, changed, err := saveCategory(ctx, tx, who, prior, row.Category)
				switch {
				case err != nil:
					return err
				case prior == nil:
					res.Created++
				case changed:
					res.Changed++
				case row.RetiredReason == "" || prior.RetiredAt != nil:
					res.Unchanged++
				}
				return nil
			}); err != nil {
				return err
			}
		}
		// Retire after every row is in, so a retired 大类's 小类 are created under it first.
		for _, row := range ordered {
			if row.RetiredReason == "" || slices.ContainsFunc(bad, func(b RowError) bool { return b.Line == row.Line }) {
				continue
			}
			if err := step(row, func(tx pgx.Tx) error {
				c, err := category(ctx, tx, row.Category.Code)
				if err != nil || c.RetiredAt != nil {
					return err
				}
				res.Retired++
				_, err = retireOne(ctx, tx, who, c.Code, row.RetiredReason)
				return err
			}); err != nil {
				return err
			}
		}
		if len(bad) > 0 {
			slices.SortFunc(bad, func(a, b RowError) int { return a.Line - b.Line })
			return &CatalogueError{Rows: bad}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	var ce *CatalogueError
	if errors.As(err, &ce) {
		return ImportResult{}, ce
	}
	return res, translate(err, "catalogue")
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// ExportCatalogue writes every category, retired ones included, as a catalogue file that
// ImportCatalogue reads back unchanged.
func (s *Service) ExportCatalogue(ctx context.Context, w io.Writer) error {
	cats, err := s.Catalogue(ctx, CatalogueQuery{IncludeRetired: true})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(catalogueColumns); err != nil {
		return err
	}
	for _, c := range cats {
		if err := cw.Write([]string{c.Code, c.Parent, c.NameZh, c.NameEn, strconv.Itoa(c.AckHours), strconv.Itoa(c.StartHours),
			strconv.Itoa(c.ResolveHours), string(c.Escalation), strconv.FormatBool(c.AfterPhotoRequired),
			strings.Join(c.Departments, "|"), c.RetiredReason}); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}
