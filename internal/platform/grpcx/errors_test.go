package grpcx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	spb "google.golang.org/genproto/googleapis/rpc/status"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/grpcx"
)

// overTheWire marshals a status error the way a gRPC transport does and parses it back, so
// that tests see only what a remote client would.
func overTheWire(t *testing.T, err error) error {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("%v (%T) is not a status error", err, err)
	}
	b, merr := proto.Marshal(st.Proto())
	if merr != nil {
		t.Fatalf("marshal status: %v", merr)
	}
	var p spb.Status
	if uerr := proto.Unmarshal(b, &p); uerr != nil {
		t.Fatalf("unmarshal status: %v", uerr)
	}
	return status.FromProto(&p).Err()
}

func TestStatusRoundTripsEveryCode(t *testing.T) {
	t.Parallel()
	wantStatus := map[errs.Code]codes.Code{
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
	variants := []struct {
		name string
		make func(c errs.Code) *errs.Error
	}{
		{"bare", func(c errs.Code) *errs.Error { return errs.E(c, "something about %s", c) }},
		{"with reason, field and details", func(c errs.Code) *errs.Error {
			return errs.E(c, "seat C7 of %s is not free", c).WithReason("ORPHAN_SEAT").
				WithDetail("retryAfterSeconds", "30").WithDetail("seat", "C7")
		}},
		{"with a field and a cause", func(c errs.Code) *errs.Error {
			e := errs.Wrap(errors.New("pq: password authentication failed for hunter2"), c, "title of %s", c)
			e.Field = "input.title"
			return e
		}},
	}
	for _, c := range errs.Codes {
		for _, v := range variants {
			t.Run(fmt.Sprintf("%s %s", c, v.name), func(t *testing.T) {
				t.Parallel()
				in := v.make(c)
				sent := grpcx.ToStatus(fmt.Errorf("handler: %w", in))
				want, ok := wantStatus[c]
				if !ok {
					t.Fatalf("the test has no gRPC code for %q", c)
				}
				if got := status.Code(sent); got != want || grpcx.StatusCode(c) != want {
					t.Fatalf("ToStatus gave %v (StatusCode %v), want %v", got, grpcx.StatusCode(c), want)
				}
				if strings.Contains(fmt.Sprint(status.Convert(sent).Proto()), "hunter2") {
					t.Fatalf("the status carries the cause: %v", status.Convert(sent).Proto())
				}
				out := errs.As(grpcx.FromStatus(overTheWire(t, sent)))
				wantMsg := in.Message
				if c == errs.Internal {
					wantMsg = "internal error"
				}
				if out.Code != c || out.Message != wantMsg || out.Reason != in.Reason || out.Field != in.Field {
					t.Errorf("round trip gave %#v, want code %q message %q reason %q field %q", out, c, wantMsg, in.Reason, in.Field)
				}
				if !maps.Equal(out.Details, in.Details) {
					t.Errorf("details %v, want %v", out.Details, in.Details)
				}
			})
		}
	}
}

func TestStatusCodesAreDistinct(t *testing.T) {
	t.Parallel()
	seen := map[codes.Code]errs.Code{}
	for _, c := range errs.Codes {
		sc := grpcx.StatusCode(c)
		if sc == codes.OK || sc == codes.Unknown {
			t.Errorf("%q maps to %v", c, sc)
		}
		if prev, dup := seen[sc]; dup {
			t.Errorf("%q and %q both map to %v, so clients cannot tell them apart", prev, c, sc)
		}
		seen[sc] = c
	}
	if got := grpcx.StatusCode("no_such_code"); got != codes.Internal {
		t.Errorf("unknown code maps to %v, want Internal", got)
	}
}

func TestToStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		wantCode codes.Code
		wantMsg  string
	}{
		{"nil", nil, codes.OK, ""},
		{"plain error", errors.New("dial tcp 10.0.0.7:27017: password=hunter2"), codes.Internal, "internal error"},
		{"wrapped plain error", fmt.Errorf("load: %w", io.ErrUnexpectedEOF), codes.Internal, "internal error"},
		{"internal domain error", errs.Wrap(errors.New("hunter2"), errs.Internal, "query hunter2 failed"), codes.Internal, "internal error"},
		{"deadline", context.DeadlineExceeded, codes.DeadlineExceeded, context.DeadlineExceeded.Error()},
		{"wrapped deadline", fmt.Errorf("list movies: %w", context.DeadlineExceeded), codes.DeadlineExceeded, "list movies: context deadline exceeded"},
		{"cancelled", context.Canceled, codes.Canceled, context.Canceled.Error()},
		{"domain error over a deadline keeps its code", errs.Wrap(context.DeadlineExceeded, errs.Unavailable, "movie service"), codes.Unavailable, "movie service"},
		{"status error passes through", status.Error(codes.Unimplemented, "no such method"), codes.Unimplemented, "no such method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := grpcx.ToStatus(tt.err)
			if tt.err == nil {
				if got != nil {
					t.Fatalf("ToStatus(nil) = %v", got)
				}
				return
			}
			st, ok := status.FromError(got)
			if !ok {
				t.Fatalf("ToStatus gave %v (%T), not a status", got, got)
			}
			if st.Code() != tt.wantCode || st.Message() != tt.wantMsg {
				t.Errorf("got %v %q, want %v %q", st.Code(), st.Message(), tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(fmt.Sprint(st.Proto()), "hunter2") {
				t.Errorf("the status leaks the cause: %v", st.Proto())
			}
		})
	}
}

func TestFromStatus(t *testing.T) {
	t.Parallel()
	foreign, err := status.New(codes.NotFound, "no such show").WithDetails(&errdetails.ErrorInfo{
		Reason: "seat_unavailable", Domain: "googleapis.com", Metadata: map[string]string{"field": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		err      error
		wantCode errs.Code
		wantMsg  string
	}{
		{"not found from another server", status.Error(codes.NotFound, "no such show"), errs.NotFound, "no such show"},
		{"invalid argument", status.Error(codes.InvalidArgument, "bad"), errs.Invalid, "bad"},
		{"out of range", status.Error(codes.OutOfRange, "too far"), errs.Invalid, "too far"},
		{"already exists", status.Error(codes.AlreadyExists, "dup"), errs.Conflict, "dup"},
		{"aborted", status.Error(codes.Aborted, "retry"), errs.Conflict, "retry"},
		{"failed precondition", status.Error(codes.FailedPrecondition, "state"), errs.Conflict, "state"},
		{"deadline exceeded", status.Error(codes.DeadlineExceeded, "slow"), errs.Unavailable, "slow"},
		{"cancelled", status.Error(codes.Canceled, "gone"), errs.Unavailable, "gone"},
		{"unavailable", status.Error(codes.Unavailable, "down"), errs.Unavailable, "down"},
		{"unauthenticated", status.Error(codes.Unauthenticated, "who"), errs.Unauthenticated, "who"},
		{"permission denied", status.Error(codes.PermissionDenied, "no"), errs.Forbidden, "no"},
		{"resource exhausted", status.Error(codes.ResourceExhausted, "slow down"), errs.RateLimited, "slow down"},
		{"unimplemented hides its message", status.Error(codes.Unimplemented, "method x at 10.0.0.7"), errs.Internal, "internal error"},
		{"unknown hides its message", status.Error(codes.Unknown, "panic: nil map"), errs.Internal, "internal error"},
		{"data loss hides its message", status.Error(codes.DataLoss, "torn page"), errs.Internal, "internal error"},
		{"ErrorInfo of another domain is ignored", foreign.Err(), errs.NotFound, "no such show"},
		{"deadline of the local context", status.FromContextError(context.DeadlineExceeded).Err(), errs.Unavailable, context.DeadlineExceeded.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := grpcx.FromStatus(tt.err)
			var e *errs.Error
			if !errors.As(got, &e) {
				t.Fatalf("FromStatus gave %v (%T)", got, got)
			}
			if e.Code != tt.wantCode || errs.PublicMessage(e) != tt.wantMsg {
				t.Errorf("got %q %q, want %q %q", e.Code, errs.PublicMessage(e), tt.wantCode, tt.wantMsg)
			}
			if e.Field != "" || e.Reason != "" {
				t.Errorf("took reason %q field %q from a status Marquee did not write", e.Reason, e.Field)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("the domain error does not wrap the status")
			}
		})
	}
	t.Run("nil and plain errors pass through", func(t *testing.T) {
		t.Parallel()
		if got := grpcx.FromStatus(nil); got != nil {
			t.Errorf("FromStatus(nil) = %v", got)
		}
		if got := grpcx.FromStatus(io.EOF); got != io.EOF {
			t.Errorf("FromStatus(io.EOF) = %v", got)
		}
	})
}
