package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"streetchief/internal/apperr"
	"streetchief/internal/policy"
)

const assessUsage = `usage:
  streetchief assess simulate --input FILE.json   apply the assessment's rules to quarters' scores (--input - reads standard input)

The input is {"quarters": [{"period": "2026-Q1", "scores": {"<subdistrict>": 92.5, ...}}, ...], "rules": {...}},
consecutive quarters oldest first; docs/assessment.md describes the rules and the output. Bad input exits with status 2.`

// maxSimulationInput bounds the document the simulator reads: forty quarters of a hundred
// subdistricts are some hundred kilobytes.
const maxSimulationInput = 8 << 20

// exitError carries the exit status main should end with, for commands whose statuses mean
// something to a script: the simulator exits 2 when its input is at fault.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func inputError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// exitStatus is the status main exits with after err: 0 for none, an exitError's own, else 1.
func exitStatus(err error) int {
	var e *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &e):
		return e.code
	}
	return 1
}

// assessCommand runs the assessment's tools that need no database: streetchief assess simulate
// --input scores.json.
func assessCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "simulate" {
		return simulateCommand(args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, assessUsage)
	return inputError("assess: the subcommand is simulate")
}

func simulateCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("assess simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, assessUsage) }
	input := fs.String("input", "", "the scores and rules, a JSON file (- for standard input)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: 2, err: err}
	}
	if fs.NArg() > 0 {
		return inputError("assess simulate: unexpected argument %q (the input is given with --input)", fs.Arg(0))
	}
	if *input == "" {
		fs.Usage()
		return inputError("assess simulate: --input FILE.json is required (- for standard input)")
	}
	doc, err := readInput(*input, maxSimulationInput)
	if err != nil {
		return inputError("assess simulate: %v", err)
	}
	name := *input
	if name == "-" {
		name = "standard input"
	}
	in, err := policy.DecodeInput(doc)
	if err != nil {
		return inputError("assess simulate: %s: %s", name, apperr.Message(err))
	}
	res, err := policy.Evaluate(in.Quarters, in.Rules)
	if err != nil {
		return inputError("assess simulate: %s: %s", name, apperr.Message(err))
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}

// readInput reads a whole file or, for "-", standard input, refusing one over limit bytes.
func readInput(path string, limit int64) ([]byte, error) {
	r := io.Reader(os.Stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	doc, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(doc)) > limit {
		return nil, fmt.Errorf("%s is over %d bytes", path, limit)
	}
	return doc, nil
}
