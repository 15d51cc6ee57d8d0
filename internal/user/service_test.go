package user_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/user"
	"github.com/marquee-cinema/marquee/internal/user/password"
	"github.com/marquee-cinema/marquee/internal/user/usersqlite"
)

var t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

// cheap argon2id parameters keep the tests fast where cost is not the point.
var cheap = password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type env struct {
	svc    *user.Service
	store  *usersqlite.Store
	clock  *clock.Manual
	issuer *auth.Issuer
	logs   *syncBuffer
}

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

// newEnv returns a service on a fresh SQLite store, with a manual clock and a new signing key.
func newEnv(t *testing.T, o user.Options) *env {
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
	e := &env{store: store, clock: clock.NewManual(t0), logs: &syncBuffer{}}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	if e.issuer, err = auth.NewIssuer(key, e.clock); err != nil {
		t.Fatal(err)
	}
	if o.Password == (password.Params{}) {
		o.Password = cheap
	}
	o.Log = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if e.svc, err = user.NewService(store.Users, store.Tokens, e.issuer, e.clock, o); err != nil {
		t.Fatal(err)
	}
	return e
}

// as returns a context carrying the identity of the session's access token, as the gRPC auth
// interceptor would after verifying it.
func (e *env) as(t *testing.T, s user.Session) context.Context {
	t.Helper()
	id, err := e.issuer.Verifier().Verify(s.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	return auth.WithIdentity(context.Background(), id)
}

func (e *env) register(t *testing.T, email, pw string) user.Session {
	t.Helper()
	s, err := e.svc.Register(context.Background(), user.RegisterInput{Email: email, Password: pw, Name: "Asha Rao"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// admin creates an admin through Bootstrap and logs it in.
func (e *env) admin(t *testing.T) user.Session {
	t.Helper()
	ctx := context.Background()
	if _, _, err := e.svc.Bootstrap(ctx, user.NewUser{Email: "root@marquee.example", Password: "root-password-1",
		Name: "Root", Roles: []user.Role{user.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	s, err := e.svc.Login(ctx, "root@marquee.example", "root-password-1")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantCode(t *testing.T, what string, err error, code errs.Code, reason string) {
	t.Helper()
	e := errs.As(err)
	if err == nil || e.Code != code || (reason != "" && e.Reason != reason) {
		t.Fatalf("%s: got %v (reason %q), want %s %s", what, err, e.Reason, code, reason)
	}
}

func TestRegister(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	s, err := e.svc.Register(ctx, user.RegisterInput{Email: "  Asha.Rao@Example.COM ", Password: "popcorn and samosa",
		Name: "  Asha   Rao ", Phone: "098765 43210"})
	if err != nil {
		t.Fatal(err)
	}
	u := s.User
	if u.Email != "asha.rao@example.com" || u.Name != "Asha Rao" || u.Phone != "+919876543210" ||
		!slices.Equal(u.Roles, []user.Role{user.RoleCustomer}) || len(u.TheatreIDs) != 0 || !ids.Valid(u.ID) {
		t.Fatalf("registered %+v", u)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$") || strings.Contains(u.PasswordHash, "popcorn") {
		t.Fatalf("password stored as %q", u.PasswordHash)
	}
	// The access token proves who registered, for 15 minutes, in this session.
	claims, err := e.issuer.Verifier().VerifyClaims(s.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if claims.Subject != u.ID || !slices.Equal(claims.Roles, []string{"customer"}) || claims.SessionID != s.SessionID ||
		!s.AccessTokenExpiresAt.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("claims %+v, session %+v", claims, s)
	}
	if len(s.RefreshToken) != 43 || !s.RefreshTokenExpiresAt.Equal(t0.Add(30*24*time.Hour)) {
		t.Fatalf("refresh token %q until %v", s.RefreshToken, s.RefreshTokenExpiresAt)
	}
	// Only the hash of the refresh token is stored.
	hash, _ := user.HashRefreshToken(s.RefreshToken)
	if _, _, err := e.store.Tokens.FindToken(ctx, hash); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.Tokens.FindToken(ctx, s.RefreshToken); !errs.Is(err, errs.NotFound) {
		t.Fatal("the refresh token itself is a key of the store")
	}

	// The same address in another case is taken.
	_, err = e.svc.Register(ctx, user.RegisterInput{Email: "ASHA.RAO@example.com", Password: "another good one", Name: "Imposter"})
	wantCode(t, "second sign-up", err, errs.Conflict, user.ReasonEmailTaken)
}

func TestRegisterRejectsBadInput(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	good := user.RegisterInput{Email: "ok@example.com", Password: "a fine passphrase", Name: "Ok", Phone: "+91 98765 43210"}
	cases := []struct {
		name  string
		edit  func(*user.RegisterInput)
		field string
	}{
		{"bad e-mail", func(in *user.RegisterInput) { in.Email = "not-an-email" }, "email"},
		{"no e-mail", func(in *user.RegisterInput) { in.Email = "" }, "email"},
		{"short password", func(in *user.RegisterInput) { in.Password = "short" }, "password"},
		{"long password", func(in *user.RegisterInput) { in.Password = strings.Repeat("x", 129) }, "password"},
		{"common password", func(in *user.RegisterInput) { in.Password = "Password123" }, "password"},
		{"password is the e-mail", func(in *user.RegisterInput) { in.Password = "OK@EXAMPLE.COM" }, "password"},
		{"no name", func(in *user.RegisterInput) { in.Name = "   " }, "name"},
		{"long name", func(in *user.RegisterInput) { in.Name = strings.Repeat("n", 101) }, "name"},
		{"control characters in the name", func(in *user.RegisterInput) { in.Name = "Asha\x07" }, "name"},
		{"bad phone", func(in *user.RegisterInput) { in.Phone = "call me maybe" }, "phone"},
		{"short phone", func(in *user.RegisterInput) { in.Phone = "98765" }, "phone"},
	}
	for _, c := range cases {
		in := good
		c.edit(&in)
		_, err := e.svc.Register(ctx, in)
		if er := errs.As(err); err == nil || er.Code != errs.Invalid || er.Field != c.field {
			t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
		}
	}
	if n, _ := e.store.Users.Count(ctx); n != 0 {
		t.Fatalf("%d users stored by refused sign-ups", n)
	}
	if _, err := e.svc.Register(ctx, good); err != nil {
		t.Fatalf("the good input: %v", err)
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	reg := e.register(t, "asha@example.com", "popcorn and samosa")
	s, err := e.svc.Login(ctx, "  ASHA@Example.com", "popcorn and samosa")
	if err != nil {
		t.Fatal(err)
	}
	if s.User.ID != reg.User.ID || s.SessionID == reg.SessionID || s.RefreshToken == reg.RefreshToken {
		t.Fatalf("login session %+v: want the same user in a new session", s)
	}

	_, wrongPw := e.svc.Login(ctx, "asha@example.com", "popcorn and samosas")
	_, unknown := e.svc.Login(ctx, "nobody@example.com", "popcorn and samosa")
	_, invalid := e.svc.Login(ctx, "not an e-mail", "popcorn and samosa")
	_, empty := e.svc.Login(ctx, "asha@example.com", "")
	_, huge := e.svc.Login(ctx, "asha@example.com", strings.Repeat("x", 100_000))
	for name, err := range map[string]error{"wrong password": wrongPw, "unknown e-mail": unknown,
		"invalid e-mail": invalid, "empty password": empty, "huge password": huge} {
		wantCode(t, name, err, errs.Unauthenticated, user.ReasonBadCredentials)
		if err.Error() != wrongPw.Error() {
			t.Errorf("%s says %q, wrong password says %q: they must not differ", name, err, wrongPw)
		}
	}
}

// TestLoginTakesAsLongForUnknownEmails checks that an unknown e-mail costs one argon2id
// verification, as a wrong password does, with the real parameters.
func TestLoginTakesAsLongForUnknownEmails(t *testing.T) {
	e := newEnv(t, user.Options{Password: password.DefaultParams})
	ctx := context.Background()
	e.register(t, "asha@example.com", "popcorn and samosa")
	// Interleaved, so that load on the machine hits both alike; the fastest run of each is the
	// cost without noise. Without the dummy verification the difference is a thousandfold.
	known, unknown := time.Hour, time.Hour
	for range 7 {
		for _, email := range []string{"asha@example.com", "nobody@example.com"} {
			start := time.Now()
			if _, err := e.svc.Login(ctx, email, "not the password!"); !errs.Is(err, errs.Unauthenticated) {
				t.Fatal(err)
			}
			if email == "nobody@example.com" {
				unknown = min(unknown, time.Since(start))
			} else {
				known = min(known, time.Since(start))
			}
		}
	}
	t.Logf("wrong password %v, unknown e-mail %v", known, unknown)
	if unknown < known/4 || unknown > known*4 {
		t.Fatalf("unknown e-mail took %v, wrong password %v: the difference tells which accounts exist", unknown, known)
	}
}

func TestLoginUpgradesOldHashes(t *testing.T) {
	old := newEnv(t, user.Options{Password: cheap})
	ctx := context.Background()
	reg := old.register(t, "asha@example.com", "popcorn and samosa")
	stronger := password.Params{Memory: 2048, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	svc, err := user.NewService(old.store.Users, old.store.Tokens, old.issuer, old.clock, user.Options{Password: stronger})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, "asha@example.com", "popcorn and samosa"); err != nil {
		t.Fatal(err)
	}
	u, _ := old.store.Users.Get(ctx, reg.User.ID)
	if !strings.Contains(u.PasswordHash, "$m=2048,t=2,p=1$") {
		t.Fatalf("hash not upgraded: %q", u.PasswordHash)
	}
	if _, err := svc.Login(ctx, "asha@example.com", "popcorn and samosa"); err != nil {
		t.Fatalf("login with the upgraded hash: %v", err)
	}
	// A wrong password upgrades nothing.
	_, _ = old.svc.Login(ctx, "asha@example.com", "wrong wrong wrong")
	if again, _ := old.store.Users.Get(ctx, reg.User.ID); again.PasswordHash != u.PasswordHash {
		t.Fatal("a failed login changed the hash")
	}
}

func TestRefreshRotates(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	s0 := e.register(t, "asha@example.com", "popcorn and samosa")
	e.clock.Advance(10 * time.Minute)
	s1, err := e.svc.Refresh(ctx, s0.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if s1.RefreshToken == s0.RefreshToken || s1.AccessToken == s0.AccessToken || s1.SessionID != s0.SessionID ||
		s1.User.ID != s0.User.ID || !s1.AccessTokenExpiresAt.Equal(t0.Add(25*time.Minute)) {
		t.Fatalf("refreshed %+v from %+v", s1, s0)
	}
	s2, err := e.svc.Refresh(ctx, s1.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}

	// Replaying s0's token (stolen and used by someone) ends the whole session: the newest
	// token, s2's, is revoked with it.
	_, err = e.svc.Refresh(ctx, s0.RefreshToken)
	wantCode(t, "replay", err, errs.Unauthenticated, user.ReasonTokenReused)
	_, err = e.svc.Refresh(ctx, s2.RefreshToken)
	wantCode(t, "the newest token after a replay", err, errs.Unauthenticated, user.ReasonTokenRevoked)
	_, err = e.svc.Refresh(ctx, s1.RefreshToken)
	wantCode(t, "an older token after a replay", err, errs.Unauthenticated, "")
	if !strings.Contains(e.logs.String(), "already used") && !strings.Contains(e.logs.String(), "used refresh token") {
		t.Fatalf("the replay was not logged:\n%s", e.logs)
	}

	// Another session of the same user is untouched.
	other, _ := e.svc.Login(ctx, "asha@example.com", "popcorn and samosa")
	if _, err := e.svc.Refresh(ctx, other.RefreshToken); err != nil {
		t.Fatalf("another session: %v", err)
	}

	for name, tok := range map[string]string{"empty": "", "garbage": "garbage", "unknown": strings.Repeat("A", 43),
		"an access token": s2.AccessToken, "padded": s2.RefreshToken + "="} {
		_, err := e.svc.Refresh(ctx, tok)
		wantCode(t, name, err, errs.Unauthenticated, "")
	}
}

func TestRefreshExpiresAndCarriesNewRoles(t *testing.T) {
	e := newEnv(t, user.Options{RefreshTTL: time.Hour})
	ctx := context.Background()
	adm := e.admin(t)
	s := e.register(t, "owner@example.com", "popcorn and samosa")
	if s.RefreshTokenExpiresAt != t0.Add(time.Hour) {
		t.Fatalf("refresh token until %v, want an hour", s.RefreshTokenExpiresAt)
	}
	theatre := ids.New()
	if _, err := e.svc.AssignTheatres(e.as(t, adm), s.User.ID, []string{theatre}); err != nil {
		t.Fatal(err)
	}
	// The access token keeps the old rights until it is refreshed; the refreshed one has them.
	if id, _ := e.issuer.Verifier().Verify(s.AccessToken); id.CanManageTheatre(theatre) {
		t.Fatal("the old token grew new rights")
	}
	e.clock.Advance(59 * time.Minute)
	s2, err := e.svc.Refresh(ctx, s.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := e.issuer.Verifier().Verify(s2.AccessToken); !id.CanManageTheatre(theatre) || id.IsAdmin() {
		t.Fatalf("refreshed identity %+v", id)
	}
	// Each refresh gives a full TTL again; idle for longer than it, the session expires.
	e.clock.Advance(time.Hour)
	_, err = e.svc.Refresh(ctx, s2.RefreshToken)
	wantCode(t, "expired", err, errs.Unauthenticated, user.ReasonTokenExpired)
}

// TestConcurrentRefreshOfOneToken races one refresh token: exactly one refresh succeeds. The
// others are replays, so the session ends (the winner must log in again too): a client must not
// refresh the same token twice at once.
func TestConcurrentRefreshOfOneToken(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	s := e.register(t, "asha@example.com", "popcorn and samosa")
	const n = 10
	var wg sync.WaitGroup
	results := make([]error, n)
	sessions := make([]user.Session, n)
	for i := range n {
		wg.Go(func() { sessions[i], results[i] = e.svc.Refresh(ctx, s.RefreshToken) })
	}
	wg.Wait()
	won := -1
	for i, err := range results {
		if err == nil {
			if won >= 0 {
				t.Fatal("two refreshes of one token succeeded")
			}
			won = i
		} else if !errs.Is(err, errs.Unauthenticated) {
			t.Fatal(err)
		}
	}
	if won < 0 {
		t.Fatal("no refresh succeeded")
	}
	_, err := e.svc.Refresh(ctx, sessions[won].RefreshToken)
	wantCode(t, "the winner after the replays", err, errs.Unauthenticated, user.ReasonTokenRevoked)
}

func TestLogout(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	phone := e.register(t, "asha@example.com", "popcorn and samosa")
	laptop, _ := e.svc.Login(ctx, "asha@example.com", "popcorn and samosa")
	rotated, err := e.svc.Refresh(ctx, phone.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	// Logging out with any token of the session ends all of it.
	if err := e.svc.Logout(ctx, rotated.RefreshToken); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Refresh(ctx, rotated.RefreshToken)
	wantCode(t, "after logout", err, errs.Unauthenticated, user.ReasonTokenRevoked)
	if _, err := e.svc.Refresh(ctx, laptop.RefreshToken); err != nil {
		t.Fatalf("the other device: %v", err)
	}
	for _, tok := range []string{rotated.RefreshToken, "", "garbage", strings.Repeat("A", 43)} {
		if err := e.svc.Logout(ctx, tok); err != nil {
			t.Fatalf("logout %q: %v", tok, err)
		}
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	here := e.register(t, "asha@example.com", "popcorn and samosa")
	elsewhere, _ := e.svc.Login(ctx, "asha@example.com", "popcorn and samosa")
	me := e.as(t, here)

	wantCode(t, "no caller", e.svc.ChangePassword(ctx, "popcorn and samosa", "masala chai daily"), errs.Unauthenticated, "")
	err := e.svc.ChangePassword(me, "wrong old password", "masala chai daily")
	wantCode(t, "wrong old password", err, errs.Invalid, user.ReasonBadCredentials)
	if errs.As(err).Field != "oldPassword" {
		t.Fatalf("field %q", errs.As(err).Field)
	}
	wantCode(t, "common new password", e.svc.ChangePassword(me, "popcorn and samosa", "iloveyou123"), errs.Invalid, "")
	wantCode(t, "same password", e.svc.ChangePassword(me, "popcorn and samosa", "popcorn and samosa"), errs.Invalid, "")

	e.clock.Advance(time.Minute)
	if err := e.svc.ChangePassword(me, "popcorn and samosa", "masala chai daily"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Login(ctx, "asha@example.com", "popcorn and samosa"); !errs.Is(err, errs.Unauthenticated) {
		t.Fatalf("the old password still works: %v", err)
	}
	if _, err := e.svc.Login(ctx, "asha@example.com", "masala chai daily"); err != nil {
		t.Fatal(err)
	}
	u, _ := e.store.Users.Get(ctx, here.User.ID)
	if !u.PasswordChangedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("password changed at %v", u.PasswordChangedAt)
	}
	// The session that changed the password goes on; every other one ends.
	if _, err := e.svc.Refresh(ctx, here.RefreshToken); err != nil {
		t.Fatalf("this session: %v", err)
	}
	_, err = e.svc.Refresh(ctx, elsewhere.RefreshToken)
	wantCode(t, "another session", err, errs.Unauthenticated, user.ReasonTokenRevoked)
}

func TestMeAndGet(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	adm := e.admin(t)
	asha := e.register(t, "asha@example.com", "popcorn and samosa")
	ravi := e.register(t, "ravi@example.com", "idli vada sambar")

	_, err := e.svc.Me(ctx)
	wantCode(t, "me without a caller", err, errs.Unauthenticated, "")
	me, err := e.svc.Me(e.as(t, asha))
	if err != nil || me.ID != asha.User.ID {
		t.Fatalf("me: %+v %v", me, err)
	}
	if got, err := e.svc.Get(e.as(t, asha), asha.User.ID); err != nil || got.ID != asha.User.ID {
		t.Fatalf("own account: %v", err)
	}
	_, err = e.svc.Get(e.as(t, asha), ravi.User.ID)
	wantCode(t, "another's account", err, errs.Forbidden, "")
	_, err = e.svc.Get(ctx, ravi.User.ID)
	wantCode(t, "no caller", err, errs.Unauthenticated, "")
	if got, err := e.svc.Get(e.as(t, adm), ravi.User.ID); err != nil || got.Email != "ravi@example.com" {
		t.Fatalf("admin: %v", err)
	}
	_, err = e.svc.Get(e.as(t, adm), ids.New())
	wantCode(t, "unknown", err, errs.NotFound, "")
	_, err = e.svc.Get(e.as(t, adm), "nope")
	wantCode(t, "malformed id", err, errs.Invalid, "")
}

func TestCreateUserAndAssignTheatres(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	adm := e.as(t, e.admin(t))
	cust := e.as(t, e.register(t, "asha@example.com", "popcorn and samosa"))
	t1, t2 := ids.New(), ids.New()
	owner := user.NewUser{Email: "Owner@PVR.example", Password: "screen one two three", Name: "Owner",
		Roles: []user.Role{user.RoleTheatreAdmin, user.RoleTheatreAdmin}, TheatreIDs: []string{t2, t1, t2}}

	_, err := e.svc.CreateUser(ctx, owner)
	wantCode(t, "no caller", err, errs.Unauthenticated, "")
	_, err = e.svc.CreateUser(cust, owner)
	wantCode(t, "a customer", err, errs.Forbidden, "")

	u, err := e.svc.CreateUser(adm, owner)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "owner@pvr.example" || !slices.Equal(u.Roles, []user.Role{user.RoleTheatreAdmin}) ||
		!slices.Equal(u.TheatreIDs, user.CanonicalTheatreIDs([]string{t1, t2})) {
		t.Fatalf("created %+v", u)
	}
	s, err := e.svc.Login(ctx, "owner@pvr.example", "screen one two three")
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := auth.FromContext(e.as(t, s)); !id.CanManageTheatre(t1) || !id.CanManageTheatre(t2) || id.IsAdmin() {
		t.Fatalf("the owner's identity %+v", id)
	}

	for name, bad := range map[string]user.NewUser{
		"theatre_admin without theatres": {Email: "a@x.example", Password: "screen one two three", Name: "A", Roles: []user.Role{user.RoleTheatreAdmin}},
		"theatres without the role":      {Email: "b@x.example", Password: "screen one two three", Name: "B", TheatreIDs: []string{t1}},
		"unknown role":                   {Email: "c@x.example", Password: "screen one two three", Name: "C", Roles: []user.Role{"superuser"}},
		"malformed theatre id":           {Email: "d@x.example", Password: "screen one two three", Name: "D", Roles: []user.Role{user.RoleTheatreAdmin}, TheatreIDs: []string{"t-1"}},
		"weak password":                  {Email: "e@x.example", Password: "qwertyuiop", Name: "E"},
	} {
		_, err := e.svc.CreateUser(adm, bad)
		wantCode(t, name, err, errs.Invalid, "")
	}
	_, err = e.svc.CreateUser(adm, user.NewUser{Email: "ASHA@example.com", Password: "screen one two three", Name: "Dup"})
	wantCode(t, "taken e-mail", err, errs.Conflict, user.ReasonEmailTaken)

	// Assign: a customer becomes a theatre_admin of exactly the given theatres, and back.
	cu, _ := e.svc.Me(cust)
	_, err = e.svc.AssignTheatres(cust, cu.ID, []string{t1})
	wantCode(t, "a customer assigning", err, errs.Forbidden, "")
	got, err := e.svc.AssignTheatres(adm, cu.ID, []string{t2, " " + t1 + " ", t2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Roles, []user.Role{user.RoleCustomer, user.RoleTheatreAdmin}) || len(got.TheatreIDs) != 2 ||
		!slices.IsSorted(got.TheatreIDs) {
		t.Fatalf("assigned %+v", got)
	}
	got, err = e.svc.AssignTheatres(adm, cu.ID, nil)
	if err != nil || !slices.Equal(got.Roles, []user.Role{user.RoleCustomer}) || len(got.TheatreIDs) != 0 {
		t.Fatalf("unassigned %+v %v", got, err)
	}
	// A theatre_admin with no other role keeps a role when unassigned.
	if got, err := e.svc.AssignTheatres(adm, u.ID, nil); err != nil || !slices.Equal(got.Roles, []user.Role{user.RoleCustomer}) {
		t.Fatalf("unassigned owner %+v %v", got, err)
	}
	_, err = e.svc.AssignTheatres(adm, cu.ID, []string{"not-an-id"})
	wantCode(t, "malformed theatre id", err, errs.Invalid, "")
	_, err = e.svc.AssignTheatres(adm, ids.New(), []string{t1})
	wantCode(t, "unknown user", err, errs.NotFound, "")
	_, err = e.svc.AssignTheatres(adm, "x", []string{t1})
	wantCode(t, "malformed user id", err, errs.Invalid, "")
}

func TestBootstrapIsIdempotent(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	in := user.NewUser{Email: "admin@demo.marquee", Password: "demo-admin", Name: "Demo Admin", Roles: []user.Role{user.RoleAdmin}}
	u, created, err := e.svc.Bootstrap(ctx, in)
	if err != nil || !created || !u.HasRole(user.RoleAdmin) {
		t.Fatalf("first: %+v %v %v", u, created, err)
	}
	in.Password = "another-password-42"
	again, created, err := e.svc.Bootstrap(ctx, in)
	if err != nil || created || again.ID != u.ID {
		t.Fatalf("second: %+v %v %v", again, created, err)
	}
	if _, err := e.svc.Login(ctx, "admin@demo.marquee", "demo-admin"); err != nil {
		t.Fatalf("bootstrap changed an existing account's password: %v", err)
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, user.Options{})
	lim := ratelimit.NewMemory(e.clock)
	svc, err := user.NewService(e.store.Users, e.store.Tokens, e.issuer, e.clock,
		user.Options{Password: cheap, Limiter: lim, LoginRule: ratelimit.Rule{Limit: 3, Window: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e.register(t, "asha@example.com", "popcorn and samosa")
	e.register(t, "ravi@example.com", "idli vada sambar")
	for i := range 3 {
		_, err := svc.Login(ctx, "asha@example.com", "guess number "+string(rune('a'+i)))
		wantCode(t, "a wrong guess", err, errs.Unauthenticated, "")
	}
	// The budget is spent: even the right password waits, and a case variant shares the budget.
	_, err = svc.Login(ctx, "asha@example.com", "popcorn and samosa")
	wantCode(t, "over the limit", err, errs.RateLimited, "")
	if errs.As(err).Details["retryAfterSeconds"] != "20" {
		t.Fatalf("details %v", errs.As(err).Details)
	}
	_, err = svc.Login(ctx, "ASHA@example.com ", "popcorn and samosa")
	wantCode(t, "over the limit, other case", err, errs.RateLimited, "")
	// Other accounts are not affected, nor are unknown ones by this one's budget.
	if _, err := svc.Login(ctx, "ravi@example.com", "idli vada sambar"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(20 * time.Second)
	if _, err := svc.Login(ctx, "asha@example.com", "popcorn and samosa"); err != nil {
		t.Fatalf("after the interval: %v", err)
	}
}

func TestSweepExpired(t *testing.T) {
	e := newEnv(t, user.Options{RefreshTTL: time.Hour})
	ctx := context.Background()
	s := e.register(t, "asha@example.com", "popcorn and samosa")
	if n, err := e.svc.SweepExpired(ctx); err != nil || n != 0 {
		t.Fatalf("swept %d %v", n, err)
	}
	e.clock.Advance(time.Hour)
	if n, err := e.svc.SweepExpired(ctx); err != nil || n != 1 {
		t.Fatalf("swept %d %v", n, err)
	}
	_, err := e.svc.Refresh(ctx, s.RefreshToken)
	wantCode(t, "a swept token", err, errs.Unauthenticated, "")
}

// TestNoSecretsInLogs runs the paths that log and checks that no password, token or hash
// appears in the log output.
func TestNoSecretsInLogs(t *testing.T) {
	e := newEnv(t, user.Options{})
	ctx := context.Background()
	s := e.register(t, "asha@example.com", "popcorn and samosa")
	s2, _ := e.svc.Refresh(ctx, s.RefreshToken)
	_, _ = e.svc.Refresh(ctx, s.RefreshToken) // a replay: logged
	_, _ = e.svc.Login(ctx, "asha@example.com", "wrong password here")
	u, _ := e.store.Users.Get(ctx, s.User.ID)
	logs := e.logs.String()
	if logs == "" {
		t.Fatal("nothing was logged; the test checks nothing")
	}
	hash, _ := user.HashRefreshToken(s.RefreshToken)
	for name, secret := range map[string]string{"password": "popcorn and samosa", "wrong password": "wrong password here",
		"refresh token": s.RefreshToken, "new refresh token": s2.RefreshToken, "access token": s.AccessToken[20:60],
		"token hash": hash, "password hash": u.PasswordHash[30:]} {
		if strings.Contains(logs, secret) {
			t.Errorf("the %s is in the logs:\n%s", name, logs)
		}
	}
}
