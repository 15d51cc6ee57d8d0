// Package grpcx is Marquee's gRPC plumbing: the one table that maps domain error codes to gRPC
// status codes and back, the server and client interceptors every service runs, and the
// in-process and network transports.
package grpcx

import (
	"context"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// errorDomain marks ErrorInfo details that Marquee wrote, so clients can restore the exact code.
const errorDomain = "marquee"

// statusCodes maps each domain code to its gRPC status code.
var statusCodes = map[errs.Code]codes.Code{
	errs.Invalid:         codes.InvalidArgument,
	errs.NotFound:        codes.NotFound,
	errs.Conflict:        codes.AlreadyExists,
	errs.Unavailable:     codes.Unavailable,
	errs.Unauthenticated: codes.Unauthenticated,
	errs.Forbidden:       codes.PermissionDenied,
	errs.RateLimited:     codes.ResourceExhausted,
	errs.SeatUnavailable: codes.Aborted,
	errs.HoldExpired:     codes.FailedPrecondition,
	errs.Internal:        codes.Internal,
}

// domainCodes maps gRPC status codes from peers that sent no Marquee details.
var domainCodes = map[codes.Code]errs.Code{
	codes.InvalidArgument:    errs.Invalid,
	codes.OutOfRange:         errs.Invalid,
	codes.NotFound:           errs.NotFound,
	codes.AlreadyExists:      errs.Conflict,
	codes.Aborted:            errs.Conflict,
	codes.FailedPrecondition: errs.Conflict,
	codes.Unavailable:        errs.Unavailable,
	codes.DeadlineExceeded:   errs.Unavailable,
	codes.Canceled:           errs.Unavailable,
	codes.Unauthenticated:    errs.Unauthenticated,
	codes.PermissionDenied:   errs.Forbidden,
	codes.ResourceExhausted:  errs.RateLimited,
}

// StatusCode returns the gRPC status code for a domain code.
func StatusCode(c errs.Code) codes.Code {
	if sc, ok := statusCodes[c]; ok {
		return sc
	}
	return codes.Internal
}

// ToStatus converts a domain error into a gRPC status error carrying the domain code, reason,
// field and details. Internal errors keep their cause out of the message.
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && !isDomain(err) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		if !isDomain(err) {
			return status.FromContextError(err).Err()
		}
	}
	e := errs.As(err)
	st := status.New(StatusCode(e.Code), errs.PublicMessage(e))
	meta := map[string]string{}
	for k, v := range e.Details {
		meta[k] = v
	}
	if e.Reason != "" {
		meta["reason"] = e.Reason
	}
	if e.Field != "" {
		meta["field"] = e.Field
	}
	withInfo, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: string(e.Code), Domain: errorDomain, Metadata: meta})
	if derr != nil {
		return st.Err()
	}
	return withInfo.Err()
}

func isDomain(err error) bool {
	var e *errs.Error
	return errors.As(err, &e)
}

// FromStatus converts a gRPC error back into a domain error; other errors pass through.
func FromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	for _, d := range st.Details() {
		info, ok := d.(*errdetails.ErrorInfo)
		if !ok || info.GetDomain() != errorDomain {
			continue
		}
		e := &errs.Error{Code: errs.Code(info.GetReason()), Message: st.Message()}
		for k, v := range info.GetMetadata() {
			switch k {
			case "reason":
				e.Reason = v
			case "field":
				e.Field = v
			default:
				if e.Details == nil {
					e.Details = map[string]string{}
				}
				e.Details[k] = v
			}
		}
		return e
	}
	code, ok := domainCodes[st.Code()]
	if !ok {
		return &errs.Error{Code: errs.Internal, Message: "internal error", Err: err}
	}
	return &errs.Error{Code: code, Message: st.Message(), Err: err}
}
