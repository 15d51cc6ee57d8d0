package grpcx

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/metrics"
)

// DefaultDeadline bounds calls that arrive without a deadline of their own.
const DefaultDeadline = 15 * time.Second

// ServerInterceptors are the interceptors every Marquee gRPC server runs, outermost first:
// metrics and logging, error-code mapping, panic recovery and a default deadline.
type ServerInterceptors struct {
	Log     *slog.Logger
	Metrics *metrics.Metrics
}

// Unary returns the chained unary server interceptor.
func (s ServerInterceptors) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		start := time.Now()
		ctx, cancel := withDefaultDeadline(ctx)
		defer cancel()
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = s.recovered(ctx, info.FullMethod, r)
				}
			}()
			resp, err = handler(ctx, req)
		}()
		err = s.finish(ctx, info.FullMethod, start, err)
		return resp, err
	}
}

// Stream returns the chained stream server interceptor.
func (s ServerInterceptors) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		start := time.Now()
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = s.recovered(ss.Context(), info.FullMethod, r)
				}
			}()
			err = handler(srv, ss)
		}()
		return s.finish(ss.Context(), info.FullMethod, start, err)
	}
}

func (s ServerInterceptors) recovered(ctx context.Context, method string, r any) error {
	s.Log.ErrorContext(ctx, "panic in gRPC handler", "method", method, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	return errs.E(errs.Internal, "internal error")
}

// finish maps the error to a status, records the call and logs it.
func (s ServerInterceptors) finish(ctx context.Context, method string, start time.Time, err error) error {
	err = ToStatus(err)
	code := status.Code(err)
	elapsed := time.Since(start)
	if s.Metrics != nil {
		s.Metrics.GRPCServer.WithLabelValues(method, code.String()).Observe(elapsed.Seconds())
	}
	switch code {
	case codes.OK:
		s.Log.DebugContext(ctx, "grpc call", "method", method, "duration", elapsed)
	case codes.Internal, codes.Unknown, codes.DataLoss:
		s.Log.ErrorContext(ctx, "grpc call failed", "method", method, "code", code.String(), "duration", elapsed, "error", err)
	default:
		s.Log.DebugContext(ctx, "grpc call refused", "method", method, "code", code.String(), "duration", elapsed, "error", err)
	}
	return err
}

// withDefaultDeadline bounds a context that has no deadline.
func withDefaultDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultDeadline)
}

// UnaryClient is the client interceptor every Marquee caller runs: a default deadline and the
// mapping of status errors back to domain errors.
func UnaryClient() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		ctx, cancel := withDefaultDeadline(ctx)
		defer cancel()
		return FromStatus(invoker(ctx, method, req, reply, cc, opts...))
	}
}

// StreamClient maps the errors of opening a stream back to domain errors.
func StreamClient() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s, err := streamer(ctx, desc, cc, method, opts...)
		return s, FromStatus(err)
	}
}
