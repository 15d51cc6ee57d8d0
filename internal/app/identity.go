package app

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/grpc"

	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/audit/auditmongo"
	"github.com/marquee-cinema/marquee/internal/audit/auditsqlite"
	"github.com/marquee-cinema/marquee/internal/demo"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit/ratelimitredis"
	"github.com/marquee-cinema/marquee/internal/platform/session"
	"github.com/marquee-cinema/marquee/internal/user"
	"github.com/marquee-cinema/marquee/internal/user/usergrpc"
	"github.com/marquee-cinema/marquee/internal/user/usermongo"
	"github.com/marquee-cinema/marquee/internal/user/usersqlite"
)

// resolveKeys finds the key that signs access tokens (processes running the user service) and
// the keys that verify them (every process): --jwt-key, else --jwt-public-key for verifying only,
// else a key generated once into --data-dir (the embedded default; in a split deployment every
// process must then share that directory, or be given the keys).
func (a *App) resolveKeys() error {
	var pubs []ed25519.PublicKey
	switch {
	case a.cfg.JWTKey != "":
		key, err := auth.ParseKey(a.cfg.JWTKey)
		if err != nil {
			return fmt.Errorf("--jwt-key: %w", err)
		}
		a.signingKey = key
	case a.cfg.JWTPublicKey == "" || a.runs(ModuleUser):
		key, err := auth.LoadOrCreateKey(a.cfg.DataDir)
		if err != nil {
			return fmt.Errorf("signing key in --data-dir: %w", err)
		}
		a.signingKey = key
	}
	if a.signingKey != nil {
		pubs = append(pubs, a.signingKey.Public().(ed25519.PublicKey))
	}
	if a.cfg.JWTPublicKey != "" {
		pub, err := auth.ParsePublicKey(a.cfg.JWTPublicKey)
		if err != nil {
			return fmt.Errorf("--jwt-public-key: %w", err)
		}
		pubs = append(pubs, pub)
	}
	a.verifier = auth.NewCachingVerifier(auth.NewVerifier(a.clock, pubs...), a.clock, 50_000)
	return nil
}

// forwardIdentity is the client interceptor that sends the caller's verified access token on to
// the service called, so that every service authorises the same caller itself.
// The anonymous session travels the same way.
func forwardIdentity(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return invoker(session.Forward(auth.ForwardToken(ctx)), method, req, reply, cc, opts...)
}

func forwardIdentityStream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return streamer(session.Forward(auth.ForwardToken(ctx)), desc, cc, method, opts...)
}

// chainUnary chains unary server interceptors, first outermost.
func chainUnary(ics ...grpc.UnaryServerInterceptor) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		h := handler
		for i := len(ics) - 1; i >= 0; i-- {
			ic, next := ics[i], h
			h = func(ctx context.Context, req any) (any, error) { return ic(ctx, req, info, next) }
		}
		return h(ctx, req)
	}
}

// chainStream chains stream server interceptors, first outermost.
func chainStream(ics ...grpc.StreamServerInterceptor) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		h := handler
		for i := len(ics) - 1; i >= 0; i-- {
			ic, next := ics[i], h
			h = func(srv any, ss grpc.ServerStream) error { return ic(srv, ss, info, next) }
		}
		return h(srv, ss)
	}
}

// limiter is the rate limiter of this process: Redis-backed when configured, so that replicas
// share one budget, else in-process.
func (a *App) limiter() ratelimit.Limiter {
	if a.redis != nil {
		return ratelimitredis.New(a.redis, ratelimitredis.Options{Prefix: a.cfg.RedisPrefix + "rl:"})
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.memLimiter == nil {
		a.memLimiter = ratelimit.NewMemory(a.clock)
	}
	return a.memLimiter
}

// withRedis adds the redis module to deps when Redis is configured.
func (a *App) withRedis(deps ...string) []string {
	if a.cfg.RedisURL != "" {
		deps = append(deps, ModuleRedis)
	}
	return deps
}

func (a *App) startUser(ctx context.Context) error {
	var users user.Repository
	var tokens user.TokenRepository
	if a.mongoDB != nil {
		s, err := usermongo.New(ctx, a.mongoDB)
		if err != nil {
			return fmt.Errorf("user repositories: %w", err)
		}
		users, tokens = s.Users, s.Tokens
	} else {
		s, err := usersqlite.New(ctx, a.sqlDB)
		if err != nil {
			return fmt.Errorf("user repositories: %w", err)
		}
		users, tokens = s.Users, s.Tokens
	}
	if a.signingKey == nil {
		return fmt.Errorf("the user service signs access tokens: give --jwt-key (or no --jwt-public-key, to use the key in --data-dir)")
	}
	issuer, err := auth.NewIssuer(a.signingKey, a.clock)
	if err != nil {
		return err
	}
	svc, err := user.NewService(users, tokens, issuer, a.clock, user.Options{Limiter: a.limiter(), Log: a.log})
	if err != nil {
		return err
	}
	auditLog, err := a.auditLog(ctx)
	if err != nil {
		return err
	}
	svc.SetAudit(auditLog)
	repo, err := a.auditRepo(ctx)
	if err != nil {
		return err
	}
	a.svc.users = svc
	a.registerService(&userv1.UserService_ServiceDesc, usergrpc.NewServer(svc).WithAudit(audit.NewService(repo)))
	a.every(time.Hour, "expired refresh tokens", func(ctx context.Context) error {
		_, err := svc.SweepExpired(ctx)
		return err
	})
	return nil
}

// demoAccounts creates the two demo accounts of API.md, idempotently.
func (a *App) demoAccounts(ctx context.Context) error {
	if a.svc.users == nil {
		return nil
	}
	for _, acc := range demo.Accounts() {
		if _, _, err := a.svc.users.Bootstrap(ctx, user.NewUser{Email: acc.Email, Password: acc.Password, Name: acc.Name,
			Roles: []user.Role{user.Role(acc.Role)}, TheatreIDs: acc.TheatreIDs}); err != nil {
			return fmt.Errorf("demo account %s: %w", acc.Email, err)
		}
	}
	return nil
}

// auditRepo is the audit log of this process's store, opened once.
func (a *App) auditRepo(ctx context.Context) (audit.Repository, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.audit != nil {
		return a.audit, nil
	}
	var err error
	if a.mongoDB != nil {
		a.audit, err = auditmongo.New(ctx, a.mongoDB)
	} else {
		a.audit, err = auditsqlite.New(ctx, a.sqlDB)
	}
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return a.audit, nil
}

// auditLog is what services record their writes in. A failure to record is logged, not
// returned: the write it describes has already happened.
func (a *App) auditLog(ctx context.Context) (audit.Log, error) {
	repo, err := a.auditRepo(ctx)
	if err != nil {
		return nil, err
	}
	return loggedAudit{rec: audit.NewRecorder(repo, a.clock), log: a.log}, nil
}

type loggedAudit struct {
	rec *audit.Recorder
	log *slog.Logger
}

func (l loggedAudit) Record(ctx context.Context, action, resource, resourceID, theatreID, summary string) error {
	if err := l.rec.Record(ctx, action, resource, resourceID, theatreID, summary); err != nil {
		l.log.ErrorContext(ctx, "audit entry not recorded", "action", action, "resource", resource, "resourceId", resourceID, "error", err)
	}
	return nil
}

// CreateUser creates an account directly, without a caller (marquee user create). Conflict when
// the e-mail has an account already.
func (a *App) CreateUser(ctx context.Context, email, password, name, phone, role string, theatreIDs []string) (user.User, error) {
	if a.svc.users == nil {
		return user.User{}, fmt.Errorf("creating accounts needs the user service in this process")
	}
	u, created, err := a.svc.users.Bootstrap(ctx, user.NewUser{Email: email, Password: password, Name: name, Phone: phone,
		Roles: []user.Role{user.Role(role)}, TheatreIDs: theatreIDs})
	if err != nil {
		return user.User{}, err
	}
	if !created {
		return user.User{}, errs.E(errs.Conflict, "%s already has an account", u.Email)
	}
	return u, nil
}
