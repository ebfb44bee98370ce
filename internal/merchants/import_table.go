package merchants

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"streetchief/geo"
	"streetchief/internal/apperr"
)

// Table formats a register may come in.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// MaxImportRows bounds one import: a large district's whole register, in one transaction.
const MaxImportRows = 200_000

// columnNames maps a header, as a subdistrict office's own sheet spells it, to the field it holds.
var columnNames = map[string]string{
	"name": "name", "名称": "name", "商户名称": "name", "店名": "name",
	"licence": "licence", "license": "licence", "licence_no": "licence", "统一社会信用代码": "licence", "信用代码": "licence",
	"business_type": "business_type", "type": "business_type", "经营类别": "business_type", "业态": "business_type",
	"address": "address", "地址": "address", "经营地址": "address",
	"contact_name": "contact_name", "contact": "contact_name", "联系人": "contact_name", "负责人": "contact_name",
	"contact_phone": "contact_phone", "phone": "contact_phone", "联系电话": "contact_phone", "电话": "contact_phone",
	"lon": "lon", "lng": "lon", "longitude": "lon", "经度": "lon",
	"lat": "lat", "latitude": "lat", "纬度": "lat",
	"crs": "crs", "坐标系": "crs",
}

// ReadTable reads a register from CSV (UTF-8, with or without a byte order mark) or XLSX (the
// first sheet): a header row naming the columns, then one shop a row. Rows that cannot be read are
// returned as rejections with their line; a file that cannot be read at all, or has no name, lon
// or lat column, is an error. defaultCRS applies to rows without a crs column or value.
func ReadTable(r io.Reader, format string, defaultCRS geo.CRS) ([]ImportRow, []Rejected, error) {
	var records [][]string
	var lines []int
	switch format {
	case FormatCSV:
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = false
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, nil, &apperr.Error{Code: apperr.Malformed, Message: "the CSV cannot be read: " + err.Error(), Err: err}
			}
			line, _ := cr.FieldPos(0)
			records, lines = append(records, rec), append(lines, line)
			if len(records) > MaxImportRows+1 {
				return nil, nil, apperr.New(apperr.TooLarge, "over %d rows: split the file", MaxImportRows)
			}
		}
	case FormatXLSX:
		f, err := excelize.OpenReader(r)
		if err != nil {
			return nil, nil, apperr.New(apperr.Malformed, "the XLSX cannot be read: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, nil, apperr.New(apperr.Malformed, "the XLSX has no sheet")
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			return nil, nil, apperr.New(apperr.Malformed, "the XLSX cannot be read: %v", err)
		}
		defer rows.Close()
		for n := 1; rows.Next(); n++ {
			rec, err := rows.Columns()
			if err != nil {
				return nil, nil, apperr.New(apperr.Malformed, "the XLSX row %d cannot be read: %v", n, err)
			}
			records, lines = append(records, rec), append(lines, n)
			if len(records) > MaxImportRows+1 {
				return nil, nil, apperr.New(apperr.TooLarge, "over %d rows: split the file", MaxImportRows)
			}
		}
	default:
		return nil, nil, apperr.New(apperr.Malformed, "format %q is not csv or xlsx", clip(format, 20))
	}
	if len(records) == 0 {
		return nil, nil, apperr.New(apperr.Invalid, "the file is empty: a header row (name, licence, address, lon, lat, crs) comes first")
	}
	cols := map[string]int{}
	for i, h := range records[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if f, ok := columnNames[strings.ToLower(h)]; ok {
			if _, dup := cols[f]; dup {
				return nil, nil, apperr.New(apperr.Invalid, "two columns hold %s", f)
			}
			cols[f] = i
		}
	}
	for _, need := range []string{"name", "lon", "lat"} {
		if _, ok := cols[need]; !ok {
			return nil, nil, apperr.New(apperr.Invalid, "the header has no %s column (it reads %q)", need, clip(strings.Join(records[0], ","), 200))
		}
	}
	var out []ImportRow
	var rejected []Rejected
	for i, rec := range records[1:] {
		line := lines[i+1]
		get := func(f string) (string, bool) {
			c, ok := cols[f]
			if !ok {
				return "", false
			}
			if c >= len(rec) {
				return "", true
			}
			return strings.TrimSpace(rec[c]), true
		}
		if blank(rec) {
			continue
		}
		row := ImportRow{Line: line, CRS: defaultCRS}
		row.Name, _ = get("name")
		row.LicenceNo, _ = get("licence")
		row.BusinessType, _ = get("business_type")
		row.Address, _ = get("address")
		if v, ok := get("contact_name"); ok {
			row.ContactName = &v
		}
		if v, ok := get("contact_phone"); ok {
			row.ContactPhone = &v
		}
		lon, _ := get("lon")
		lat, _ := get("lat")
		var err error
		if row.Location[0], err = coordinate("lon", lon); err == nil {
			row.Location[1], err = coordinate("lat", lat)
		}
		if crs, _ := get("crs"); err == nil && crs != "" {
			row.CRS, err = geo.ParseCRS(crs)
		}
		if err != nil {
			rejected = append(rejected, Rejected{Line: line, Name: clip(row.Name, 50), Reason: err.Error()})
			continue
		}
		out = append(out, row)
	}
	return out, rejected, nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// coordinate reads a decimal degree; "NaN" and "Inf", which strconv would take, are refused.
func coordinate(field, v string) (float64, error) {
	if v == "" {
		return 0, fmt.Errorf("%s is empty", field)
	}
	if !utf8.ValidString(v) {
		return 0, fmt.Errorf("%s is not text", field)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%s %q is not a decimal number of degrees", field, clip(v, 30))
	}
	return f, nil
}
