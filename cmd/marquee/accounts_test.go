package main

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/demo"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/theatre/theatregrpc"
	"github.com/marquee-cinema/marquee/internal/theatre/theatretest"
)

type session struct {
	AccessToken  string
	RefreshToken string
	User         struct {
		ID         string
		Email      string
		Roles      []string
		TheatreIds []string
	}
}

const authFields = `accessToken refreshToken user { id email roles theatreIds }`

func (in *instance) login(t testing.TB, email, password string) session {
	t.Helper()
	var d struct{ Login session }
	in.mustQuery(t, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { `+authFields+` } }`,
		map[string]any{"e": email, "p": password}, &d)
	return d.Login
}

func expectCode(t testing.TB, r gqlResponse, code string) gqlError {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("succeeded, want %s: %s", code, r.Data)
	}
	if r.Errors[0].Code() != code {
		t.Fatalf("got %s (%s), want %s", r.Errors[0].Code(), r.Errors[0].Message, code)
	}
	return r.Errors[0]
}

func expectOK(t testing.TB, r gqlResponse, out any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("failed: %+v", r.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAccountsAndSessions(t *testing.T) {
	t.Parallel()
	in := startWithEnv(t, nil, "--demo", "--log-level=debug")

	var reg struct{ Register session }
	in.mustQuery(t, `mutation($i: RegisterInput!) { register(input: $i) { `+authFields+` } }`, map[string]any{"i": map[string]any{
		"email": "  Asha.Rao@Example.COM ", "password": "a-long-unusual-passphrase", "name": "Asha Rao", "phone": "098765 43210"}}, &reg)
	if reg.Register.User.Email != "asha.rao@example.com" || len(reg.Register.User.Roles) != 1 || reg.Register.User.Roles[0] != "customer" {
		t.Fatalf("registered %+v", reg.Register.User)
	}
	var me struct {
		Me struct{ Email, Phone string }
	}
	expectOK(t, in.graphqlAs(t, reg.Register.AccessToken, `{ me { email phone } }`, nil), &me)
	if me.Me.Email != "asha.rao@example.com" || me.Me.Phone != "+919876543210" {
		t.Fatalf("me = %+v", me.Me)
	}
	var anonymous struct{ Me *struct{ Email string } }
	expectOK(t, in.graphql(t, `{ me { email } }`, nil), &anonymous)
	if anonymous.Me != nil {
		t.Fatal("me without a token must be null")
	}

	t.Run("bad registrations", func(t *testing.T) {
		for name, c := range map[string]struct {
			input map[string]any
			code  string
		}{
			"taken e-mail, other case": {map[string]any{"email": "ASHA.RAO@example.com", "password": "another-long-passphrase", "name": "X"}, "CONFLICT"},
			"short password":           {map[string]any{"email": "b@example.com", "password": "short", "name": "B"}, "BAD_USER_INPUT"},
			"common password":          {map[string]any{"email": "c@example.com", "password": "password123", "name": "C"}, "BAD_USER_INPUT"},
			"bad e-mail":               {map[string]any{"email": "not-an-email", "password": "a-long-unusual-passphrase", "name": "D"}, "BAD_USER_INPUT"},
			"bad phone":                {map[string]any{"email": "e@example.com", "password": "a-long-unusual-passphrase", "name": "E", "phone": "12"}, "BAD_USER_INPUT"},
		} {
			t.Run(name, func(t *testing.T) {
				expectCode(t, in.graphql(t, `mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, map[string]any{"i": c.input}), c.code)
			})
		}
	})

	t.Run("wrong password and unknown e-mail look the same", func(t *testing.T) {
		q := `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`
		wrong := expectCode(t, in.graphql(t, q, map[string]any{"e": "asha.rao@example.com", "p": "not-the-passphrase"}), "UNAUTHENTICATED")
		unknown := expectCode(t, in.graphql(t, q, map[string]any{"e": "nobody@example.com", "p": "not-the-passphrase"}), "UNAUTHENTICATED")
		if wrong.Message != unknown.Message || wrong.Extensions["reason"] != unknown.Extensions["reason"] {
			t.Fatalf("wrong password %+v, unknown e-mail %+v", wrong, unknown)
		}
	})

	t.Run("refresh rotates and reuse revokes the family", func(t *testing.T) {
		s := in.login(t, "asha.rao@example.com", "a-long-unusual-passphrase")
		q := `mutation($r: String!) { refreshToken(refreshToken: $r) { ` + authFields + ` } }`
		var next struct{ RefreshToken session }
		expectOK(t, in.graphql(t, q, map[string]any{"r": s.RefreshToken}), &next)
		if next.RefreshToken.RefreshToken == s.RefreshToken {
			t.Fatal("the refresh token was not rotated")
		}
		// Replaying the used token revokes the whole family, including the new token.
		expectCode(t, in.graphql(t, q, map[string]any{"r": s.RefreshToken}), "UNAUTHENTICATED")
		expectCode(t, in.graphql(t, q, map[string]any{"r": next.RefreshToken.RefreshToken}), "UNAUTHENTICATED")
	})

	t.Run("logout revokes", func(t *testing.T) {
		s := in.login(t, "asha.rao@example.com", "a-long-unusual-passphrase")
		var out struct{ Logout bool }
		expectOK(t, in.graphqlAs(t, s.AccessToken, `mutation($r: String!) { logout(refreshToken: $r) }`, map[string]any{"r": s.RefreshToken}), &out)
		expectCode(t, in.graphql(t, `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }`,
			map[string]any{"r": s.RefreshToken}), "UNAUTHENTICATED")
	})

	t.Run("change password", func(t *testing.T) {
		s := in.login(t, "asha.rao@example.com", "a-long-unusual-passphrase")
		q := `mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }`
		expectCode(t, in.graphqlAs(t, s.AccessToken, q, map[string]any{"o": "wrong-old-passphrase", "n": "a-newer-longer-passphrase"}), "BAD_USER_INPUT")
		expectOK(t, in.graphqlAs(t, s.AccessToken, q, map[string]any{"o": "a-long-unusual-passphrase", "n": "a-newer-longer-passphrase"}), nil)
		in.login(t, "asha.rao@example.com", "a-newer-longer-passphrase")
		expectCode(t, in.graphql(t, `mutation { login(email: "asha.rao@example.com", password: "a-long-unusual-passphrase") { accessToken } }`, nil), "UNAUTHENTICATED")
	})

	t.Run("secrets never reach the logs", func(t *testing.T) {
		s := in.login(t, "admin@demo.marquee", "demo-admin")
		logs := in.logs.String()
		for _, secret := range []string{"a-long-unusual-passphrase", "a-newer-longer-passphrase", "demo-admin\"", s.AccessToken, s.RefreshToken, "$argon2id$"} {
			if strings.Contains(logs, secret) {
				t.Fatalf("the logs contain a secret (%.12s…)", secret)
			}
		}
		if !strings.Contains(logs, "grpc call") {
			t.Fatal("debug logs are empty; the check proves nothing")
		}
	})
}

// forge builds a token with any header and claims, signed with key (nil: no signature).
func forge(header, claims map[string]any, key ed25519.PrivateKey, hmacKey []byte) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(header) + "." + enc(claims)
	switch {
	case key != nil:
		return signing + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, []byte(signing)))
	case hmacKey != nil:
		m := hmac.New(sha256.New, hmacKey)
		m.Write([]byte(signing))
		return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	return signing + "."
}

func TestBadTokensAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := start(t, "--demo", "--data-dir="+dir)
	key, err := auth.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	admin := in.login(t, "admin@demo.marquee", "demo-admin")
	now := time.Now().Unix()
	claims := func(iat, exp int64) map[string]any {
		return map[string]any{"iss": "marquee", "sub": admin.User.ID, "roles": []string{"admin"}, "iat": iat, "nbf": iat, "exp": exp, "jti": "x1"}
	}
	edHeader := map[string]any{"alg": "EdDSA", "typ": "JWT"}
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	pub := key.Public().(ed25519.PublicKey)
	parts := strings.Split(admin.AccessToken, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tamperedPayload := strings.Replace(string(payload), `"admin"`, `"customer"`, 1)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(tamperedPayload)) + "." + parts[2]

	expiredIssuer, _ := auth.NewIssuer(key, clock.NewManual(time.Now().Add(-time.Hour)))
	expired, _ := expiredIssuer.Issue(auth.Identity{UserID: admin.User.ID, Roles: []string{"admin"}})

	cases := map[string]string{
		"tampered payload":       tampered,
		"expired":                expired.Token,
		"not yet valid":          forge(edHeader, claims(now+3600, now+7200), key, nil),
		"alg none":               forge(map[string]any{"alg": "none", "typ": "JWT"}, claims(now, now+600), nil, nil),
		"alg HS256 with the key": forge(map[string]any{"alg": "HS256", "typ": "JWT"}, claims(now, now+600), nil, pub),
		"another key":            forge(edHeader, claims(now, now+600), otherKey, nil),
		"garbage":                "not.a.token",
		"wrong issuer":           forge(edHeader, map[string]any{"iss": "evil", "sub": admin.User.ID, "roles": []string{"admin"}, "iat": now, "nbf": now, "exp": now + 600, "jti": "x"}, key, nil),
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			r := in.graphqlAs(t, token, `{ me { id } }`, nil)
			expectCode(t, r, "UNAUTHENTICATED")
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("HTTP %d, want 401", r.Status)
			}
			// Not even a public query goes through with a bad token.
			expectCode(t, in.graphqlAs(t, token, `{ cities { id } }`, nil), "UNAUTHENTICATED")
		})
	}
	// The control: a well-formed token of our own making works.
	good := forge(edHeader, claims(now, now+600), key, nil)
	expectOK(t, in.graphqlAs(t, good, `{ me { id } }`, nil), nil)
}

func TestAdminWritesAreAuthorisedAndAudited(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo")
	admin := in.login(t, "admin@demo.marquee", "demo-admin")
	owner := in.login(t, "owner@demo.marquee", "demo-owner")
	var reg struct{ Register session }
	in.mustQuery(t, `mutation { register(input: {email: "fan@example.com", password: "popcorn-and-a-long-film", name: "Fan"}) { `+authFields+` } }`, nil, &reg)
	customer := reg.Register

	mumbaiTheatre := demo.TheatreID("Marquee Cinemas Andheri")
	bengaluruTheatre := demo.TheatreID("Marquee Cinemas Koramangala")
	if len(owner.User.TheatreIds) == 0 {
		t.Fatal("the demo owner manages no theatre")
	}
	for _, id := range owner.User.TheatreIds {
		if id == bengaluruTheatre {
			t.Fatal("the demo owner manages a theatre outside the first city")
		}
	}

	createMovie := `mutation { createMovie(input: {title: "The Last Reel", runtimeMinutes: 131, certification: "UA 13+",
		genres: ["Drama"], languages: ["Hindi"], formats: ["2D"], status: NOW_SHOWING}) { id title status } }`
	expectCode(t, in.graphql(t, createMovie, nil), "UNAUTHENTICATED")
	expectCode(t, in.graphqlAs(t, customer.AccessToken, createMovie, nil), "FORBIDDEN")
	expectCode(t, in.graphqlAs(t, owner.AccessToken, createMovie, nil), "FORBIDDEN")
	var created struct {
		CreateMovie struct{ ID, Title, Status string }
	}
	expectOK(t, in.graphqlAs(t, admin.AccessToken, createMovie, nil), &created)
	var updated struct {
		UpdateMovie struct {
			Title          string
			RuntimeMinutes int
		}
	}
	expectCode(t, in.graphqlAs(t, customer.AccessToken, `mutation($id: ID!) { updateMovie(id: $id, input: {runtimeMinutes: 140}) { title } }`,
		map[string]any{"id": created.CreateMovie.ID}), "FORBIDDEN")
	expectOK(t, in.graphqlAs(t, admin.AccessToken, `mutation($id: ID!) { updateMovie(id: $id, input: {runtimeMinutes: 140}) { title runtimeMinutes } }`,
		map[string]any{"id": created.CreateMovie.ID}), &updated)
	if updated.UpdateMovie.Title != "The Last Reel" || updated.UpdateMovie.RuntimeMinutes != 140 {
		t.Fatalf("updated %+v", updated.UpdateMovie)
	}

	addScreen := `mutation($t: ID!, $n: String!) { addScreen(theatreId: $t, input: {name: $n, formats: ["2D"], layout: {
		categories: [{code: "CLASSIC", name: "Classic"}],
		rows: [{label: "B", cells: [{number: 1, category: "CLASSIC"}, {number: 2, category: "CLASSIC"}, {gap: true}, {number: 3, category: "CLASSIC"}]},
		       {label: "A", cells: [{number: 1, category: "CLASSIC", accessible: true}, {number: 2, category: "CLASSIC"}]}]}}) { id name seatCount } }`
	expectCode(t, in.graphqlAs(t, owner.AccessToken, addScreen, map[string]any{"t": bengaluruTheatre, "n": "Audi 9"}), "FORBIDDEN")
	expectCode(t, in.graphqlAs(t, customer.AccessToken, addScreen, map[string]any{"t": mumbaiTheatre, "n": "Audi 9"}), "FORBIDDEN")
	var screen struct {
		AddScreen struct {
			ID        string
			SeatCount int
		}
	}
	expectOK(t, in.graphqlAs(t, owner.AccessToken, addScreen, map[string]any{"t": mumbaiTheatre, "n": "Audi 9"}), &screen)
	if screen.AddScreen.SeatCount != 5 {
		t.Fatalf("screen %+v", screen.AddScreen)
	}
	expectCode(t, in.graphqlAs(t, owner.AccessToken, addScreen, map[string]any{"t": mumbaiTheatre, "n": "Audi 9"}), "CONFLICT")
	badLayout := strings.Replace(addScreen, `{number: 2, category: "CLASSIC"}]}]`, `{number: 1, category: "CLASSIC"}]}]`, 1)
	e := expectCode(t, in.graphqlAs(t, owner.AccessToken, badLayout, map[string]any{"t": mumbaiTheatre, "n": "Audi 10"}), "BAD_USER_INPUT")
	if !strings.Contains(e.Message, "A1") {
		t.Fatalf("the layout error does not name the seat: %s", e.Message)
	}
	var renamed struct{ UpdateScreen struct{ Name string } }
	expectOK(t, in.graphqlAs(t, owner.AccessToken, `mutation($id: ID!) { updateScreen(id: $id, input: {name: "Audi 9 Gold"}) { name } }`,
		map[string]any{"id": screen.AddScreen.ID}), &renamed)

	// Assigning theatre admins is for admins.
	expectCode(t, in.graphqlAs(t, owner.AccessToken, `mutation($u: ID!, $t: [ID!]!) { assignTheatreAdmin(userId: $u, theatreIds: $t) { id } }`,
		map[string]any{"u": customer.User.ID, "t": []string{bengaluruTheatre}}), "FORBIDDEN")
	var assigned struct {
		AssignTheatreAdmin struct{ Roles, TheatreIds []string }
	}
	expectOK(t, in.graphqlAs(t, admin.AccessToken, `mutation($u: ID!, $t: [ID!]!) { assignTheatreAdmin(userId: $u, theatreIds: $t) { roles theatreIds } }`,
		map[string]any{"u": customer.User.ID, "t": []string{bengaluruTheatre}}), &assigned)
	if len(assigned.AssignTheatreAdmin.TheatreIds) != 1 {
		t.Fatalf("assigned %+v", assigned.AssignTheatreAdmin)
	}

	// The audit log has every write; the owner sees only those of their theatres.
	q := `{ auditLog(first: 100) { edges { node { action actorId resource resourceId theatreId summary } } } }`
	var all struct {
		AuditLog struct {
			Edges []struct {
				Node struct {
					Action, ActorID, Resource, ResourceID, Summary string
					TheatreID                                      *string
				}
			}
		}
	}
	expectOK(t, in.graphqlAs(t, admin.AccessToken, q, nil), &all)
	actions := map[string]string{}
	for _, e := range all.AuditLog.Edges { // newest first
		if _, seen := actions[e.Node.Action]; !seen {
			actions[e.Node.Action] = e.Node.ActorID
		}
	}
	for action, actor := range map[string]string{"movie.create": admin.User.ID, "movie.update": admin.User.ID,
		"screen.create": owner.User.ID, "screen.update": owner.User.ID, "theatre_admins.assign": admin.User.ID} {
		if actions[action] != actor {
			t.Errorf("audit log: %s by %q, want by %s", action, actions[action], actor)
		}
	}
	var mine struct {
		AuditLog struct {
			Edges []struct{ Node struct{ TheatreID *string } }
		}
	}
	expectOK(t, in.graphqlAs(t, owner.AccessToken, `{ auditLog(first: 100) { edges { node { theatreId } } } }`, nil), &mine)
	for _, e := range mine.AuditLog.Edges {
		if e.Node.TheatreID == nil || !contains(owner.User.TheatreIds, *e.Node.TheatreID) {
			t.Fatalf("the owner sees an entry of theatre %v", e.Node.TheatreID)
		}
	}
	expectCode(t, in.graphqlAs(t, customer.AccessToken, `{ auditLog { edges { cursor } } }`, nil), "FORBIDDEN")
}

func TestServicesRefuseWritesWithoutAVerifiedIdentityOverGRPC(t *testing.T) {
	t.Parallel()
	signing, _ := sharedKeys(t)
	services := start(t, "--target=user,movie,theatre,show,booking", "--demo", signing)
	gw := start(t, "--target=gateway", "--grpc-addr=", "--services-addr="+services.GRPC, signing)
	owner := gw.login(t, "owner@demo.marquee", "demo-owner")
	var reg struct{ Register session }
	gw.mustQuery(t, `mutation { register(input: {email: "grpc@example.com", password: "a-long-unusual-passphrase", name: "G"}) { `+authFields+` } }`, nil, &reg)

	client := theatrev1.NewTheatreServiceClient(dial(t, services.GRPC))
	addScreen := func(ctx context.Context, theatreID string) error {
		sc := theatretest.SampleScreen(theatreID, "Direct "+hex.EncodeToString([]byte(theatreID[:4])))
		_, err := client.AddScreen(ctx, &theatrev1.AddScreenRequest{Screen: theatregrpc.ToProtoScreen(sc, true)})
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	mumbai := demo.TheatreID("Marquee Cinemas Andheri")
	bengaluru := demo.TheatreID("Marquee Cinemas Koramangala")
	cases := []struct {
		name string
		ctx  context.Context
		id   string
		want codes.Code
	}{
		{"no identity", ctx, mumbai, codes.Unauthenticated},
		{"an unsigned identity header", metadataCtx(ctx, "x-user-id", owner.User.ID), mumbai, codes.Unauthenticated},
		{"a forged token", auth.ToOutgoing(ctx, forge(map[string]any{"alg": "none"}, map[string]any{"sub": owner.User.ID, "roles": []string{"admin"}}, nil, nil)), mumbai, codes.Unauthenticated},
		{"a customer", auth.ToOutgoing(ctx, reg.Register.AccessToken), mumbai, codes.PermissionDenied},
		{"the admin of Mumbai theatres, in Bengaluru", auth.ToOutgoing(ctx, owner.AccessToken), bengaluru, codes.PermissionDenied},
		{"the admin of Mumbai theatres, in Mumbai", auth.ToOutgoing(ctx, owner.AccessToken), mumbai, codes.OK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := status.Code(addScreen(c.ctx, c.id)); got != c.want {
				t.Fatalf("AddScreen: %v, want %v", got, c.want)
			}
		})
	}
}
