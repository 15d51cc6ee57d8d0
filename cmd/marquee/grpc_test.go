package main

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
)

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func checkGRPCHealth(t *testing.T, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := healthpb.NewHealthClient(dial(t, addr))
	for _, svc := range []string{"", "marquee.movie.v1.MovieService", "marquee.theatre.v1.TheatreService"} {
		res, err := h.Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health of %q: %v %v", svc, res.GetStatus(), err)
		}
	}
}

func TestGRPCErrorsCarryDomainCodes(t *testing.T) {
	t.Parallel()
	in := start(t, "--target=movie,theatre,show,booking")
	conn := dial(t, in.GRPC)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := moviev1.NewMovieServiceClient(conn).GetMovie(ctx, &moviev1.GetMovieRequest{Id: "nope"})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("malformed id: %v", err)
	}
	_, err = moviev1.NewMovieServiceClient(conn).GetMovie(ctx, &moviev1.GetMovieRequest{Id: "0193a4b2-0000-7000-8000-000000000000"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("unknown id: %v", err)
	}
	_, err = theatrev1.NewTheatreServiceClient(conn).ListTheatres(ctx, &theatrev1.ListTheatresRequest{})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("no filter: %v", err)
	}
	// An empty store is healthy and answers with empty lists.
	res, err := theatrev1.NewTheatreServiceClient(conn).ListCities(ctx, &theatrev1.ListCitiesRequest{})
	if err != nil || len(res.GetCities()) != 0 {
		t.Fatalf("cities of an empty store: %v %v", res, err)
	}
}

func metadataCtx(ctx context.Context, kv ...string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, kv...)
}
