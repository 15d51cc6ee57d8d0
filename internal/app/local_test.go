package app

import (
	"context"
	"testing"
	"time"

	"github.com/fullstorydev/grpchan/inprocgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

type ctxKey struct{}

// TestLocalConn drives a real service (gRPC health) through the in-process connection: the
// handler runs behind the server interceptor, sees the call's metadata as incoming metadata but
// none of the caller's context values, and the caller's cancellation; errors come back as sent.
func TestLocalConn(t *testing.T) {
	var seen struct {
		md      metadata.MD
		value   any
		method  string
		expired bool
	}
	interceptor := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		seen.md, _ = metadata.FromIncomingContext(ctx)
		seen.value = ctx.Value(ctxKey{})
		seen.method = info.FullMethod
		derived, cancel := context.WithCancel(ctx)
		defer cancel()
		if ctx.Err() != nil {
			seen.expired = derived.Err() != nil
			return nil, status.Error(codes.DeadlineExceeded, "caller gave up")
		}
		return handler(ctx, req)
	}
	hs := health.NewServer()
	hs.SetServingStatus("marquee.test", healthpb.HealthCheckResponse_SERVING)
	conn := newLocalConn(new(inprocgrpc.Channel), interceptor)
	conn.register(&healthpb.Health_ServiceDesc, hs)
	client := healthpb.NewHealthClient(conn)

	ctx := metadata.AppendToOutgoingContext(context.WithValue(context.Background(), ctxKey{}, "secret"), "x-who", "gateway")
	req := &healthpb.HealthCheckRequest{Service: "marquee.test"}
	res, err := client.Check(ctx, req)
	if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("check: %v, %v", res, err)
	}
	if seen.method != "/grpc.health.v1.Health/Check" || seen.value != nil || len(seen.md.Get("x-who")) != 1 || seen.md.Get("x-who")[0] != "gateway" {
		t.Fatalf("the handler saw method %q, value %v, metadata %v", seen.method, seen.value, seen.md)
	}
	// The handler's request is a copy: changing the caller's afterwards changes nothing it kept.
	req.Service = "changed"

	_, err = client.Check(ctx, &healthpb.HealthCheckRequest{Service: "unknown"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("unknown service: %v, want NotFound", err)
	}
	ended, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	_, err = client.Check(ended, &healthpb.HealthCheckRequest{Service: "marquee.test"})
	if status.Code(err) != codes.DeadlineExceeded || !seen.expired {
		t.Fatalf("an ended caller: %v (derived context ended: %v)", err, seen.expired)
	}
	if err := conn.Invoke(ctx, "/grpc.health.v1.Health/Nope", req, &healthpb.HealthCheckResponse{}); status.Code(err) != codes.Unimplemented {
		t.Fatalf("unknown method: %v", err)
	}
}
