package usergrpc_test

import (
	"context"
	"database/sql"
	"log/slog"

	"google.golang.org/grpc"

	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/grpcx"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
	"github.com/marquee-cinema/marquee/internal/user"
	"github.com/marquee-cinema/marquee/internal/user/usergrpc"
	"github.com/marquee-cinema/marquee/internal/user/usersqlite"
)

// Example wires the user service on the embedded store: the signing key from the data
// directory, the service, and a gRPC server whose interceptors map errors and authenticate
// callers. Other services register the same auth interceptor with a verifier of the same key.
func Example() {
	ctx := context.Background()
	var (
		db      *sql.DB // sqlitedb.Open(ctx, filepath.Join(dataDir, sqlitedb.FileName))
		dataDir = "./data"
		log     = slog.Default()
		clk     = clock.Real{}
	)

	key, err := auth.LoadOrCreateKey(dataDir) // or auth.ParseKey(configuredKey)
	if err != nil {
		return
	}
	issuer, err := auth.NewIssuer(key, clk)
	if err != nil {
		return
	}
	store, err := usersqlite.New(ctx, db) // or usermongo.New(ctx, mongoDB)
	if err != nil {
		return
	}
	svc, err := user.NewService(store.Users, store.Tokens, issuer, clk, user.Options{
		Limiter: ratelimit.NewMemory(clk), // or ratelimitredis.New(redisClient, ratelimitredis.Options{})
		Log:     log,
	})
	if err != nil {
		return
	}

	ic := grpcx.ServerInterceptors{Log: log}
	ai := auth.ServerInterceptor(issuer.Verifier()).IgnoreInvalidFor(usergrpc.PublicMethods...)
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(ic.Unary(), ai.Unary()), grpc.ChainStreamInterceptor(ic.Stream(), ai.Stream()))
	userv1.RegisterUserServiceServer(srv, usergrpc.NewServer(svc))

	// --demo accounts (API.md), created only when missing:
	_, _, _ = svc.Bootstrap(ctx, user.NewUser{Email: "admin@demo.marquee", Password: "demo-admin", Name: "Demo Admin",
		Roles: []user.Role{user.RoleAdmin}})
}
