package lookup

import (
	"bufio"
	"io"

	"streetchief/geo"
	"streetchief/internal/apperr"
)

// Batch is one batch lookup as POST /api/v1/lookup and `streetchief lookup --csv` take it.
type Batch struct {
	In    Format  // the body's format
	Body  []byte  // the points, read whole
	CRS   geo.CRS // the points' coordinate system
	Limit int     // the most points (0: no limit)
	Query Query   // asked at every point (its Point is ignored)
	Out   Format  // the answers' format
	IDs   bool    // area, community and subdistrict ids only: no names, no people
}

// ParseFormat reads the name of a batch's format: json, ndjson or csv.
func ParseFormat(name string) (Format, error) {
	switch f := Format(name); f {
	case FormatJSON, FormatNDJSON, FormatCSV:
		return f, nil
	}
	return "", apperr.New(apperr.Malformed, "format %q is not one of json, ndjson, csv", name)
}

// IDsOnly reads a batch's choice of fields: "full" (or none) for whole answers, "ids" for ids only.
func IDsOnly(fields string) (bool, error) {
	switch fields {
	case "", "full":
		return false, nil
	case "ids":
		return true, nil
	}
	return false, apperr.New(apperr.Malformed, "fields %q is not one of full, ids", fields)
}

// AnswerBatch answers every point of b on all CPUs and writes the answers in input order, as they
// are made, to the writer open returns. The whole body is decoded and checked first: a bad line or
// an index still loading is the error and open is not called, so nothing has been written.
func (e *Engine) AnswerBatch(b Batch, open func() (io.Writer, error)) error {
	if _, err := ParseFormat(string(b.Out)); err != nil {
		return err
	}
	points, err := DecodeBatch(b.In, b.Body, b.Limit)
	if err != nil {
		return err
	}
	for i := range points {
		points[i] = geo.ToWGS84(points[i], b.CRS)
	}
	if !e.Ready() {
		return apperr.New(apperr.Unavailable, "the responsibility index is still loading")
	}
	w, err := open()
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	switch {
	case b.Out == FormatJSON:
		bw.WriteString(`{"results":[`)
	case b.Out == FormatCSV && b.IDs:
		bw.WriteString(IDsCSVHeader)
	case b.Out == FormatCSV:
		bw.WriteString(CSVHeader)
	}
	q := b.Query
	q.WithoutPeople = b.IDs
	err = e.AnswerStream(q, points, answerEncoder(b.Out, b.IDs), func(chunk []byte) error {
		_, err := bw.Write(chunk)
		return err
	})
	if err != nil {
		return err
	}
	if b.Out == FormatJSON {
		bw.WriteString("]}\n")
	}
	return bw.Flush()
}

// answerEncoder writes answer i in format out: JSON array items separated by commas, one a line.
func answerEncoder(out Format, ids bool) func(dst []byte, i int, a Answer) []byte {
	switch {
	case out == FormatCSV && ids:
		return func(dst []byte, _ int, a Answer) []byte { return a.AppendIDsCSV(dst) }
	case out == FormatCSV:
		return func(dst []byte, _ int, a Answer) []byte { return a.AppendCSV(dst) }
	}
	appendAnswer := Answer.AppendJSON
	if ids {
		appendAnswer = Answer.AppendIDsJSON
	}
	if out == FormatNDJSON {
		return func(dst []byte, _ int, a Answer) []byte { return append(appendAnswer(a, dst), '\n') }
	}
	return func(dst []byte, i int, a Answer) []byte {
		if i > 0 {
			dst = append(dst, ',')
		}
		return append(appendAnswer(a, dst), '\n')
	}
}
