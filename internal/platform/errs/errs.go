// Package errs defines the small set of error codes every Marquee service returns, and the
// error type that carries them. Transports map these codes once at their boundary (gRPC status,
// GraphQL extensions.code) and back.
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error for programs. Messages are for people.
type Code string

// The codes. Keep this list small: every transport must map each one.
const (
	Invalid         Code = "invalid"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Unavailable     Code = "unavailable"
	Unauthenticated Code = "unauthenticated"
	Forbidden       Code = "forbidden"
	RateLimited     Code = "rate_limited"
	SeatUnavailable Code = "seat_unavailable"
	HoldExpired     Code = "hold_expired"
	Internal        Code = "internal"
)

// Codes lists every code, for exhaustive mapping tests.
var Codes = []Code{Invalid, NotFound, Conflict, Unavailable, Unauthenticated, Forbidden, RateLimited,
	SeatUnavailable, HoldExpired, Internal}

// Error is a domain error with a code, a human message and optional machine-readable details.
type Error struct {
	Code    Code
	Message string
	// Reason refines the code for programs (e.g. "ORPHAN_SEAT"); empty when the code says it all.
	Reason string
	// Field names the input field at fault, when there is one.
	Field string
	// Details carries extra machine-readable facts (e.g. retryAfterSeconds).
	Details map[string]string
	// Err is the underlying cause; it is never shown to users.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// E builds an error with a code and a formatted message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf builds an Invalid error naming the field at fault.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf builds a NotFound error.
func NotFoundf(format string, args ...any) *Error { return E(NotFound, format, args...) }

// Wrap attaches a code and message to a cause.
func Wrap(err error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// WithReason returns a copy of e with Reason set.
func (e *Error) WithReason(reason string) *Error {
	c := *e
	c.Reason = reason
	return &c
}

// WithDetail returns a copy of e with one more detail.
func (e *Error) WithDetail(key, value string) *Error {
	c := *e
	c.Details = make(map[string]string, len(e.Details)+1)
	for k, v := range e.Details {
		c.Details[k] = v
	}
	c.Details[key] = value
	return &c
}

// CodeOf returns the code of err: the code of the first *Error in its chain, Internal otherwise,
// and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain, or an Internal error wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Err: err}
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// PublicMessage is the message safe to show a user: the domain message, or a generic one for
// internal errors so that internals never leak.
func PublicMessage(err error) string {
	e := As(err)
	if e.Code == Internal {
		return "internal error"
	}
	return e.Message
}
