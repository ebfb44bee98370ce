// Package apperr is the application's one error type: a code that says what kind of failure it is and a
// message a person can act on. The HTTP layer alone maps codes to statuses; domain packages return
// these errors and never think about HTTP.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error.
type Code string

const (
	Malformed    Code = "malformed"    // the request could not be read at all (bad JSON, bad number)
	Invalid      Code = "invalid"      // well-formed but breaks a rule (coordinates out of range, bad ring)
	NotFound     Code = "not_found"    // no such thing, or not visible to the caller
	Conflict     Code = "conflict"     // clashes with the current state (overlapping assignment)
	Unauthorized Code = "unauthorized" // not signed in, or the credentials are not good
	Forbidden    Code = "forbidden"    // signed in but not allowed
	TooLarge     Code = "too_large"    // body or batch over its limit
	Unavailable  Code = "unavailable"  // a dependency (the database) is away; retry later
	RateLimited  Code = "rate_limited" // too many attempts
	Misdirected  Code = "misdirected"  // this replica does not hold the part of the territory asked about
	Internal     Code = "internal"     // a bug or an unexpected failure; details go to the log only
)

// Error is an application error. Fields carries machine-readable details (e.g. where a ring
// self-intersects) that the HTTP layer adds to the problem document.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]any
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// With returns a copy of e carrying one more field.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Fields = make(map[string]any, len(e.Fields)+1)
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	c.Fields[key] = value
	return &c
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Message is the message of the first *Error in err's chain, without the code the chain's Error
// string adds, or err.Error() when there is none: for quoting one error inside another.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
