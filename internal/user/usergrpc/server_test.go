package usergrpc_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/grpcx"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/metrics"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/user"
	"github.com/marquee-cinema/marquee/internal/user/password"
	"github.com/marquee-cinema/marquee/internal/user/usergrpc"
	"github.com/marquee-cinema/marquee/internal/user/usersqlite"
)

var t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

type env struct {
	client userv1.UserServiceClient
	svc    *user.Service
	clock  *clock.Manual
}

// newEnv serves the user service over a real in-memory gRPC connection, with the interceptors
// every Marquee server runs (grpcx) and the auth interceptor.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "users.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	store, err := usersqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(t0)
	key, err := auth.LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := auth.NewIssuer(key, clk)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := user.NewService(store.Users, store.Tokens, issuer, clk,
		user.Options{Password: password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}

	ic := grpcx.ServerInterceptors{Log: slog.New(slog.DiscardHandler), Metrics: metrics.New()}
	ai := auth.ServerInterceptor(issuer.Verifier()).IgnoreInvalidFor(usergrpc.PublicMethods...)
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(ic.Unary(), ai.Unary()), grpc.ChainStreamInterceptor(ic.Stream(), ai.Stream()))
	userv1.RegisterUserServiceServer(srv, usergrpc.NewServer(svc))
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	cc, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return &env{client: userv1.NewUserServiceClient(cc), svc: svc, clock: clk}
}

func bearer(token string) context.Context { return auth.ToOutgoing(context.Background(), token) }

// wantStatus checks the gRPC code and, through grpcx, the domain code and reason it carries.
func wantStatus(t *testing.T, what string, err error, code codes.Code, reason string) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("%s: %v (%v), want %v", what, got, err, code)
	}
	if reason != "" {
		if e := errs.As(grpcx.FromStatus(err)); e.Reason != reason {
			t.Fatalf("%s: reason %q, want %q", what, e.Reason, reason)
		}
	}
}

func (e *env) register(t *testing.T, email string) *userv1.RegisterResponse {
	t.Helper()
	res, err := e.client.Register(context.Background(), &userv1.RegisterRequest{Email: email,
		Password: "popcorn and samosa", Name: "Asha Rao", Phone: "+91 98765 43210"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (e *env) adminToken(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	if _, _, err := e.svc.Bootstrap(ctx, user.NewUser{Email: "admin@demo.marquee", Password: "demo-admin",
		Name: "Demo Admin", Roles: []user.Role{user.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	res, err := e.client.Login(ctx, &userv1.LoginRequest{Email: "admin@demo.marquee", Password: "demo-admin"})
	if err != nil {
		t.Fatal(err)
	}
	return res.GetTokens().GetAccessToken()
}

func TestAuthenticationOverGRPC(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	_, err := e.client.GetMe(ctx, &userv1.GetMeRequest{})
	wantStatus(t, "GetMe without a token", err, codes.Unauthenticated, auth.ReasonNoToken)

	reg := e.register(t, "Asha@Example.com")
	tok := reg.GetTokens()
	if tok.GetTokenType() != "Bearer" || tok.GetAccessToken() == "" || tok.GetRefreshToken() == "" ||
		!tok.GetAccessTokenExpireTime().AsTime().Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("tokens %v", tok)
	}
	u := reg.GetUser()
	if u.GetEmail() != "asha@example.com" || u.GetPhone() != "+919876543210" ||
		!slices.Equal(u.GetRoles(), []userv1.Role{userv1.Role_ROLE_CUSTOMER}) {
		t.Fatalf("user %v", u)
	}

	me, err := e.client.GetMe(bearer(tok.GetAccessToken()), &userv1.GetMeRequest{})
	if err != nil || me.GetUser().GetId() != u.GetId() {
		t.Fatalf("GetMe: %v %v", me, err)
	}

	// A token signed with another key, however admin it claims to be, is refused.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forger, _ := auth.NewIssuer(other, e.clock)
	forged, _ := forger.Issue(auth.Identity{UserID: u.GetId(), Roles: []string{auth.RoleAdmin}})
	_, err = e.client.GetMe(bearer(forged.Token), &userv1.GetMeRequest{})
	wantStatus(t, "GetMe with a forged token", err, codes.Unauthenticated, auth.ReasonTokenInvalid)
	_, err = e.client.CreateUser(bearer(forged.Token), &userv1.CreateUserRequest{Email: "x@example.com", Password: "some long password", Name: "X"})
	wantStatus(t, "CreateUser with a forged admin token", err, codes.Unauthenticated, "")

	// Expired: GetMe refuses; Refresh, which clients call exactly then, still works.
	e.clock.Advance(16 * time.Minute)
	_, err = e.client.GetMe(bearer(tok.GetAccessToken()), &userv1.GetMeRequest{})
	wantStatus(t, "GetMe with an expired token", err, codes.Unauthenticated, auth.ReasonTokenExpired)
	ref, err := e.client.Refresh(bearer(tok.GetAccessToken()), &userv1.RefreshRequest{RefreshToken: tok.GetRefreshToken()})
	if err != nil {
		t.Fatalf("refresh with an expired access token attached: %v", err)
	}
	if _, err := e.client.GetMe(bearer(ref.GetTokens().GetAccessToken()), &userv1.GetMeRequest{}); err != nil {
		t.Fatalf("GetMe with the refreshed token: %v", err)
	}

	// Replaying the spent refresh token ends the session.
	_, err = e.client.Refresh(ctx, &userv1.RefreshRequest{RefreshToken: tok.GetRefreshToken()})
	wantStatus(t, "replayed refresh token", err, codes.Unauthenticated, user.ReasonTokenReused)
	_, err = e.client.Refresh(ctx, &userv1.RefreshRequest{RefreshToken: ref.GetTokens().GetRefreshToken()})
	wantStatus(t, "refresh after the replay", err, codes.Unauthenticated, user.ReasonTokenRevoked)

	// Wrong password and unknown e-mail: one answer.
	_, errWrong := e.client.Login(ctx, &userv1.LoginRequest{Email: "asha@example.com", Password: "nope nope nope"})
	_, errUnknown := e.client.Login(ctx, &userv1.LoginRequest{Email: "ghost@example.com", Password: "nope nope nope"})
	wantStatus(t, "wrong password", errWrong, codes.Unauthenticated, user.ReasonBadCredentials)
	wantStatus(t, "unknown e-mail", errUnknown, codes.Unauthenticated, user.ReasonBadCredentials)
	if status.Convert(errWrong).Message() != "wrong e-mail or password" || status.Convert(errUnknown).Message() != status.Convert(errWrong).Message() {
		t.Fatalf("messages %q and %q", status.Convert(errWrong).Message(), status.Convert(errUnknown).Message())
	}

	// Input errors name the field; a taken e-mail says so.
	_, err = e.client.Register(ctx, &userv1.RegisterRequest{Email: "bad", Password: "popcorn and samosa", Name: "B"})
	wantStatus(t, "bad e-mail", err, codes.InvalidArgument, "")
	if f := errs.As(grpcx.FromStatus(err)).Field; f != "email" {
		t.Fatalf("field %q", f)
	}
	_, err = e.client.Register(ctx, &userv1.RegisterRequest{Email: "ASHA@example.com", Password: "popcorn and samosa", Name: "B"})
	wantStatus(t, "taken e-mail", err, codes.AlreadyExists, user.ReasonEmailTaken)

	// Logout works without an access token and ends the session.
	login, err := e.client.Login(ctx, &userv1.LoginRequest{Email: "asha@example.com", Password: "popcorn and samosa"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Logout(bearer("expired-or-garbage"), &userv1.LogoutRequest{RefreshToken: login.GetTokens().GetRefreshToken()}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.Refresh(ctx, &userv1.RefreshRequest{RefreshToken: login.GetTokens().GetRefreshToken()})
	wantStatus(t, "refresh after logout", err, codes.Unauthenticated, user.ReasonTokenRevoked)
}

func TestAuthorizationOverGRPC(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cust := e.register(t, "asha@example.com")
	custCtx := bearer(cust.GetTokens().GetAccessToken())
	theatre := ids.New()
	newOwner := &userv1.CreateUserRequest{Email: "owner@pvr.example", Password: "screen one two three", Name: "Owner",
		Roles: []userv1.Role{userv1.Role_ROLE_THEATRE_ADMIN}, TheatreIds: []string{theatre}}

	// Nobody and customers are refused the admin operations.
	_, err := e.client.CreateUser(ctx, newOwner)
	wantStatus(t, "CreateUser without a token", err, codes.Unauthenticated, "")
	_, err = e.client.CreateUser(custCtx, newOwner)
	wantStatus(t, "CreateUser as a customer", err, codes.PermissionDenied, "")
	_, err = e.client.AssignTheatres(custCtx, &userv1.AssignTheatresRequest{UserId: cust.GetUser().GetId(), TheatreIds: []string{theatre}})
	wantStatus(t, "AssignTheatres as a customer (to herself)", err, codes.PermissionDenied, "")
	_, err = e.client.AssignTheatres(ctx, &userv1.AssignTheatresRequest{UserId: cust.GetUser().GetId(), TheatreIds: []string{theatre}})
	wantStatus(t, "AssignTheatres without a token", err, codes.Unauthenticated, "")

	// An admin may.
	adm := bearer(e.adminToken(t))
	created, err := e.client.CreateUser(adm, newOwner)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(created.GetUser().GetRoles(), []userv1.Role{userv1.Role_ROLE_THEATRE_ADMIN}) ||
		!slices.Equal(created.GetUser().GetTheatreIds(), []string{theatre}) {
		t.Fatalf("created %v", created.GetUser())
	}
	assigned, err := e.client.AssignTheatres(adm, &userv1.AssignTheatresRequest{UserId: cust.GetUser().GetId(), TheatreIds: []string{theatre}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(assigned.GetUser().GetRoles(), []userv1.Role{userv1.Role_ROLE_CUSTOMER, userv1.Role_ROLE_THEATRE_ADMIN}) {
		t.Fatalf("assigned %v", assigned.GetUser())
	}
	_, err = e.client.CreateUser(adm, &userv1.CreateUserRequest{Email: "y@example.com", Password: "some long password", Name: "Y",
		Roles: []userv1.Role{userv1.Role(42)}})
	wantStatus(t, "unknown role", err, codes.InvalidArgument, "")

	// GetUser: one's own, or any for an admin.
	if _, err := e.client.GetUser(custCtx, &userv1.GetUserRequest{Id: cust.GetUser().GetId()}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.GetUser(custCtx, &userv1.GetUserRequest{Id: created.GetUser().GetId()})
	wantStatus(t, "GetUser of another as a customer", err, codes.PermissionDenied, "")
	if got, err := e.client.GetUser(adm, &userv1.GetUserRequest{Id: created.GetUser().GetId()}); err != nil || got.GetUser().GetEmail() != "owner@pvr.example" {
		t.Fatalf("GetUser as admin: %v %v", got, err)
	}

	// ChangePassword for the caller.
	_, err = e.client.ChangePassword(ctx, &userv1.ChangePasswordRequest{OldPassword: "popcorn and samosa", NewPassword: "masala chai daily"})
	wantStatus(t, "ChangePassword without a token", err, codes.Unauthenticated, "")
	if _, err := e.client.ChangePassword(custCtx, &userv1.ChangePasswordRequest{OldPassword: "popcorn and samosa", NewPassword: "masala chai daily"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Login(ctx, &userv1.LoginRequest{Email: "asha@example.com", Password: "masala chai daily"}); err != nil {
		t.Fatal(err)
	}
}

// TestVerifierFromSigningKeys checks that another process can verify the user service's tokens
// with the keys it publishes.
func TestVerifierFromSigningKeys(t *testing.T) {
	e := newEnv(t)
	reg := e.register(t, "asha@example.com")
	v, err := usergrpc.FetchVerifier(context.Background(), e.client, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	id, err := v.Verify(reg.GetTokens().GetAccessToken())
	if err != nil || id.UserID != reg.GetUser().GetId() {
		t.Fatalf("%+v %v", id, err)
	}
}

func TestRoleConversions(t *testing.T) {
	for _, r := range user.Roles {
		p := usergrpc.ToProtoRoles([]user.Role{r})
		if len(p) != 1 || usergrpc.RoleName(p[0]) != string(r) || usergrpc.FromProtoRoles(p)[0] != r {
			t.Errorf("role %q does not round-trip: %v", r, p)
		}
	}
	if usergrpc.RoleName(userv1.Role_ROLE_UNSPECIFIED) != "" {
		t.Error("ROLE_UNSPECIFIED has a name")
	}
	if got := usergrpc.FromProtoRoles([]userv1.Role{userv1.Role_ROLE_UNSPECIFIED}); got[0].Valid() {
		t.Errorf("ROLE_UNSPECIFIED became the valid role %q", got[0])
	}
}
