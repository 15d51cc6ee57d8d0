package grpcx_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/grpcx"
	"github.com/marquee-cinema/marquee/internal/platform/metrics"
)

// syncBuffer is a log sink safe for the concurrent writes of parallel tests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newInterceptors() (grpcx.ServerInterceptors, *metrics.Metrics, *syncBuffer) {
	m := metrics.New()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return grpcx.ServerInterceptors{Log: log, Metrics: m}, m, logs
}

// observations returns how many calls the gRPC histogram recorded for method and code.
func observations(t *testing.T, m *metrics.Metrics, method, code string) uint64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "marquee_grpc_server_handling_seconds" {
			continue
		}
		for _, metric := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range metric.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["method"] == method && labels["code"] == code {
				return metric.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}

const method = "/marquee.movie.v1.MovieService/GetMovie"

func TestUnaryInterceptor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		handler  grpc.UnaryHandler
		wantResp any
		wantCode codes.Code
		wantMsg  string
		wantLog  []string // fragments of the log
	}{
		{
			name:     "panic becomes Internal",
			handler:  func(context.Context, any) (any, error) { panic("nil map write: token=s3cr3t") },
			wantCode: codes.Internal, wantMsg: "internal error",
			wantLog: []string{"panic in gRPC handler", method, "nil map write", "grpc call failed"},
		},
		{
			name:     "panic with an error value becomes Internal",
			handler:  func(context.Context, any) (any, error) { panic(errors.New("boom")) },
			wantCode: codes.Internal, wantMsg: "internal error",
			wantLog: []string{"panic in gRPC handler", "boom"},
		},
		{
			name:     "success",
			handler:  func(_ context.Context, req any) (any, error) { return "reply to " + req.(string), nil },
			wantResp: "reply to request", wantCode: codes.OK,
			wantLog: []string{"grpc call", method},
		},
		{
			name: "domain error is mapped",
			handler: func(context.Context, any) (any, error) {
				return nil, errs.NotFoundf("movie m1 not found")
			},
			wantCode: codes.NotFound, wantMsg: "movie m1 not found",
			wantLog: []string{"grpc call refused", "NotFound"},
		},
		{
			name: "plain error is Internal without its text",
			handler: func(context.Context, any) (any, error) {
				return nil, errors.New("sql: password=s3cr3t rejected")
			},
			wantCode: codes.Internal, wantMsg: "internal error",
			wantLog: []string{"grpc call failed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ic, m, logs := newInterceptors()
			resp, err := ic.Unary()(context.Background(), "request", &grpc.UnaryServerInfo{FullMethod: method}, tt.handler)
			if resp != tt.wantResp {
				t.Errorf("resp = %v, want %v", resp, tt.wantResp)
			}
			st, _ := status.FromError(err)
			if st.Code() != tt.wantCode || st.Message() != tt.wantMsg {
				t.Errorf("got %v %q, want %v %q", st.Code(), st.Message(), tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(st.Message(), "s3cr3t") {
				t.Errorf("the status leaks the panic or cause: %q", st.Message())
			}
			if n := observations(t, m, method, tt.wantCode.String()); n != 1 {
				t.Errorf("recorded %d calls with code %v, want 1", n, tt.wantCode)
			}
			for _, frag := range tt.wantLog {
				if !strings.Contains(logs.String(), frag) {
					t.Errorf("log lacks %q:\n%s", frag, logs.String())
				}
			}
		})
	}
}

func TestUnaryInterceptorDeadline(t *testing.T) {
	t.Parallel()
	ic, _, _ := newInterceptors()
	deadlineOf := func(ctx context.Context) time.Duration {
		var left time.Duration
		_, err := ic.Unary()(ctx, nil, &grpc.UnaryServerInfo{FullMethod: method}, func(ctx context.Context, _ any) (any, error) {
			d, ok := ctx.Deadline()
			if !ok {
				return nil, errors.New("no deadline")
			}
			left = time.Until(d)
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return left
	}
	t.Run("a call without a deadline gets the default", func(t *testing.T) {
		t.Parallel()
		if left := deadlineOf(context.Background()); left <= grpcx.DefaultDeadline-time.Second || left > grpcx.DefaultDeadline {
			t.Errorf("deadline in %v, want about %v", left, grpcx.DefaultDeadline)
		}
	})
	t.Run("a call keeps its own deadline, even a longer one", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		t.Cleanup(cancel)
		if left := deadlineOf(ctx); left <= 50*time.Second {
			t.Errorf("deadline in %v, want about a minute", left)
		}
	})
	t.Run("a handler that runs out of time reports DeadlineExceeded", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		t.Cleanup(cancel)
		_, err := ic.Unary()(ctx, nil, &grpc.UnaryServerInfo{FullMethod: method}, func(ctx context.Context, _ any) (any, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		})
		if status.Code(err) != codes.DeadlineExceeded {
			t.Errorf("got %v, want DeadlineExceeded", err)
		}
	})
}

// fakeStream is the part of a server stream the interceptor uses.
type fakeStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s fakeStream) Context() context.Context { return s.ctx }

func TestStreamInterceptorRecoversPanics(t *testing.T) {
	t.Parallel()
	ic, m, logs := newInterceptors()
	const streamMethod = "/marquee.show.v1.ShowService/WatchSeats"
	err := ic.Stream()(nil, fakeStream{ctx: context.Background()}, &grpc.StreamServerInfo{FullMethod: streamMethod},
		func(any, grpc.ServerStream) error { panic("stream went wrong") })
	if st, _ := status.FromError(err); st.Code() != codes.Internal || st.Message() != "internal error" {
		t.Fatalf("got %v, want Internal \"internal error\"", err)
	}
	if n := observations(t, m, streamMethod, codes.Internal.String()); n != 1 {
		t.Errorf("recorded %d calls, want 1", n)
	}
	if !strings.Contains(logs.String(), "stream went wrong") {
		t.Errorf("the panic is not logged:\n%s", logs.String())
	}
}

func TestInterceptorsWithoutMetrics(t *testing.T) {
	t.Parallel()
	ic, _, _ := newInterceptors()
	ic.Metrics = nil
	_, err := ic.Unary()(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: method},
		func(context.Context, any) (any, error) { panic("x") })
	if status.Code(err) != codes.Internal {
		t.Fatalf("got %v", err)
	}
}

func TestUnaryClientMapsStatusToDomain(t *testing.T) {
	t.Parallel()
	sent := grpcx.ToStatus(errs.Invalidf("input.title", "title is required").WithReason("EMPTY"))
	var hadDeadline bool
	err := grpcx.UnaryClient()(context.Background(), method, nil, nil, nil,
		func(ctx context.Context, _ string, _, _ any, _ *grpc.ClientConn, _ ...grpc.CallOption) error {
			_, hadDeadline = ctx.Deadline()
			return sent
		})
	e := errs.As(err)
	if e.Code != errs.Invalid || e.Field != "input.title" || e.Reason != "EMPTY" || e.Message != "title is required" {
		t.Fatalf("got %#v", e)
	}
	if !hadDeadline {
		t.Error("the client call had no deadline")
	}
}
