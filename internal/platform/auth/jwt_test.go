package auth_test

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

var t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

var b64 = base64.RawURLEncoding

func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func newIssuer(t testing.TB, key ed25519.PrivateKey, clk clock.Clock) *auth.Issuer {
	t.Helper()
	iss, err := auth.NewIssuer(key, clk)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

var alice = auth.Identity{UserID: "0199a5b2-7d8e-7c3a-9f10-2b3c4d5e6f70", Roles: []string{auth.RoleCustomer, auth.RoleTheatreAdmin},
	TheatreIDs: []string{"0199a5b2-7d8e-7c3a-9f10-000000000001"}, SessionID: "fam-1"}

func TestIssueAndVerifyRoundTrip(t *testing.T) {
	clk := clock.NewManual(t0)
	iss := newIssuer(t, newKey(t), clk)
	at, err := iss.Issue(alice)
	if err != nil {
		t.Fatal(err)
	}
	if !at.ExpiresAt.Equal(t0.Add(15*time.Minute)) || at.ID == "" {
		t.Fatalf("token facts %+v", at)
	}
	c, err := iss.Verifier().VerifyClaims(at.Token)
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != "marquee" || c.Subject != alice.UserID || c.IssuedAt != t0.Unix() || c.NotBefore != t0.Unix() ||
		c.ExpiresAt != t0.Add(15*time.Minute).Unix() || c.ID != at.ID || c.SessionID != "fam-1" {
		t.Fatalf("claims %+v", c)
	}
	id, err := iss.Verifier().Verify(at.Token)
	if err != nil {
		t.Fatal(err)
	}
	if id.UserID != alice.UserID || !slices.Equal(id.Roles, alice.Roles) || !slices.Equal(id.TheatreIDs, alice.TheatreIDs) {
		t.Fatalf("identity %+v, want %+v", id, alice)
	}

	// The header is exactly what we promise: EdDSA, JWT, the key's kid.
	h, _ := b64.DecodeString(strings.Split(at.Token, ".")[0])
	var hdr map[string]string
	if err := json.Unmarshal(h, &hdr); err != nil || hdr["alg"] != "EdDSA" || hdr["typ"] != "JWT" || hdr["kid"] != iss.KeyID() {
		t.Fatalf("header %s", h)
	}
	// Two tokens for the same identity differ (jti).
	at2, _ := iss.Issue(alice)
	if at2.Token == at.Token || at2.ID == at.ID {
		t.Fatal("two tokens share a jti")
	}
}

func TestIssuerTTL(t *testing.T) {
	clk := clock.NewManual(t0)
	iss := newIssuer(t, newKey(t), clk).WithTTL(time.Minute)
	at, _ := iss.Issue(alice)
	if !at.ExpiresAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("expires %v", at.ExpiresAt)
	}
	if _, err := auth.NewIssuer(ed25519.PrivateKey{1, 2, 3}, clk); err == nil {
		t.Fatal("a short key was accepted")
	}
	if _, err := iss.Issue(auth.Identity{}); err == nil {
		t.Fatal("issued a token without a subject")
	}
}

// sign builds a compact JWS over arbitrary header and claims, signed by key with Ed25519.
func sign(t *testing.T, key ed25519.PrivateKey, header, claims any) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	s := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	return s + "." + b64.EncodeToString(ed25519.Sign(key, []byte(s)))
}

func goodClaims(now time.Time) map[string]any {
	return map[string]any{"iss": "marquee", "sub": "u1", "roles": []string{"admin"}, "iat": now.Unix(),
		"nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(), "jti": "j1"}
}

func with(m map[string]any, k string, v any) map[string]any {
	c := map[string]any{}
	for kk, vv := range m {
		c[kk] = vv
	}
	if v == nil {
		delete(c, k)
	} else {
		c[k] = v
	}
	return c
}

func wantUnauthenticated(t *testing.T, name string, v *auth.Verifier, token string) {
	t.Helper()
	_, err := v.Verify(token)
	if !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("%s: got %v, want unauthenticated", name, err)
		return
	}
	if len(token) > 20 && strings.Contains(err.Error(), token) {
		t.Errorf("%s: the error echoes the token", name)
	}
}

func TestVerifyRejects(t *testing.T) {
	clk := clock.NewManual(t0)
	key := newKey(t)
	iss := newIssuer(t, key, clk)
	v := iss.Verifier()
	pub := key.Public().(ed25519.PublicKey)
	good, err := iss.Issue(auth.Identity{UserID: "u1", Roles: []string{auth.RoleCustomer}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(good.Token); err != nil {
		t.Fatalf("the good token: %v", err)
	}
	parts := strings.Split(good.Token, ".")
	hdr := map[string]string{"alg": "EdDSA", "typ": "JWT", "kid": iss.KeyID()}

	// Our own key signing crafted headers and claims: only the checks other than the signature
	// can catch these.
	selfSigned := sign(t, key, hdr, goodClaims(t0))
	if _, err := v.Verify(selfSigned); err != nil {
		t.Fatalf("a well-formed hand-signed token is refused: %v", err)
	}

	// A customer who turns herself into an admin: payload changed, signature kept.
	var claims map[string]any
	pb, _ := b64.DecodeString(parts[1])
	_ = json.Unmarshal(pb, &claims)
	claims["roles"] = []string{"admin"}
	tamperedPayload, _ := json.Marshal(claims)
	tampered := parts[0] + "." + b64.EncodeToString(tamperedPayload) + "." + parts[2]

	sig, _ := b64.DecodeString(parts[2])
	sig[0] ^= 1
	badSig := parts[0] + "." + parts[1] + "." + b64.EncodeToString(sig)

	noneHeader := b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	hs256 := func(secret []byte) string {
		s := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + parts[1]
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(s))
		return s + "." + b64.EncodeToString(m.Sum(nil))
	}
	pubPEM, err := auth.MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	// An HS256 MAC padded to the length of an Ed25519 signature, in case a length check is all
	// that stands in the way.
	hs256Long := func() string {
		s := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + parts[1]
		m := hmac.New(sha256.New, pub)
		m.Write([]byte(s))
		mac := m.Sum(nil)
		return s + "." + b64.EncodeToString(append(mac, mac...))
	}()

	otherKey := newKey(t)
	otherIss := newIssuer(t, otherKey, clk)
	foreign, _ := otherIss.Issue(auth.Identity{UserID: "u1", Roles: []string{"admin"}})
	foreignNoKid := sign(t, otherKey, map[string]string{"alg": "EdDSA", "typ": "JWT"}, goodClaims(t0))
	foreignOurKid := sign(t, otherKey, hdr, goodClaims(t0))

	cases := map[string]string{
		"tampered payload":                       tampered,
		"tampered signature":                     badSig,
		"signature from another token":           parts[0] + "." + strings.Split(selfSigned, ".")[1] + "." + parts[2],
		"alg none without signature":             noneHeader + "." + parts[1] + ".",
		"alg none with the old signature":        noneHeader + "." + parts[1] + "." + parts[2],
		"alg none, two parts":                    noneHeader + "." + parts[1],
		"alg HS256 with the raw public key":      hs256(pub),
		"alg HS256 with the PEM public key":      hs256(pubPEM),
		"alg HS256 padded to 64 bytes":           hs256Long,
		"alg EdDSA lower case":                   sign(t, key, map[string]string{"alg": "eddsa"}, goodClaims(t0)),
		"alg Ed25519":                            sign(t, key, map[string]string{"alg": "Ed25519"}, goodClaims(t0)),
		"alg missing":                            sign(t, key, map[string]string{"typ": "JWT"}, goodClaims(t0)),
		"typ not JWT":                            sign(t, key, map[string]string{"alg": "EdDSA", "typ": "at+jwt+x"}, goodClaims(t0)),
		"crit header":                            sign(t, key, map[string]any{"alg": "EdDSA", "crit": []string{"exp"}}, goodClaims(t0)),
		"wrong key":                              foreign.Token,
		"wrong key, no kid":                      foreignNoKid,
		"wrong key claiming our kid":             foreignOurKid,
		"unknown kid with our signature":         sign(t, key, map[string]string{"alg": "EdDSA", "kid": "nope"}, goodClaims(t0)),
		"wrong issuer":                           sign(t, key, hdr, with(goodClaims(t0), "iss", "evil")),
		"no issuer":                              sign(t, key, hdr, with(goodClaims(t0), "iss", nil)),
		"no subject":                             sign(t, key, hdr, with(goodClaims(t0), "sub", nil)),
		"no exp":                                 sign(t, key, hdr, with(goodClaims(t0), "exp", nil)),
		"no nbf":                                 sign(t, key, hdr, with(goodClaims(t0), "nbf", nil)),
		"no iat":                                 sign(t, key, hdr, with(goodClaims(t0), "iat", nil)),
		"no jti":                                 sign(t, key, hdr, with(goodClaims(t0), "jti", nil)),
		"exp as a string":                        sign(t, key, hdr, with(goodClaims(t0), "exp", "9999999999")),
		"expired long ago":                       sign(t, key, hdr, with(goodClaims(t0), "exp", t0.Add(-time.Hour).Unix())),
		"expired just beyond the leeway":         sign(t, key, hdr, with(goodClaims(t0), "exp", t0.Add(-30*time.Second).Unix())),
		"nbf in the future":                      sign(t, key, hdr, with(goodClaims(t0), "nbf", t0.Add(time.Hour).Unix())),
		"nbf just beyond the leeway":             sign(t, key, hdr, with(goodClaims(t0), "nbf", t0.Add(31*time.Second).Unix())),
		"iat in the future":                      sign(t, key, hdr, with(goodClaims(t0), "iat", t0.Add(time.Hour).Unix())),
		"payload not JSON":                       sign(t, key, hdr, "x") + "",
		"empty":                                  "",
		"one part":                               "abc",
		"two parts":                              parts[0] + "." + parts[1],
		"four parts":                             good.Token + ".x",
		"padded base64":                          parts[0] + "=." + parts[1] + "." + parts[2],
		"standard base64 alphabet":               strings.NewReplacer("-", "+", "_", "/").Replace(parts[0]) + "+." + parts[1] + "." + parts[2],
		"header not base64":                      "!!!." + parts[1] + "." + parts[2],
		"header not JSON":                        b64.EncodeToString([]byte("hello")) + "." + parts[1] + "." + parts[2],
		"payload not base64":                     parts[0] + ".%%%." + parts[2],
		"signature not base64":                   parts[0] + "." + parts[1] + ".***",
		"short signature":                        parts[0] + "." + parts[1] + "." + b64.EncodeToString(sig[:32]),
		"leading space":                          " " + good.Token,
		"huge":                                   parts[0] + "." + strings.Repeat("A", auth.MaxTokenLen) + "." + parts[2],
		"trailing JSON after the claims":         signRaw(t, key, hdr, `{"iss":"marquee","sub":"u1","iat":1,"nbf":1,"exp":99999999999,"jti":"j"}{}`),
		"claims array":                           signRaw(t, key, hdr, `[1,2]`),
		"header is JSON null":                    b64.EncodeToString([]byte("null")) + "." + parts[1] + "." + parts[2],
		"expired token issued by a real issuer:": mustIssueAt(t, key, t0.Add(-16*time.Minute)),
	}
	for name, token := range cases {
		wantUnauthenticated(t, name, v, token)
	}

	// Expired tokens say so, for clients that then refresh.
	_, err = v.Verify(cases["expired long ago"])
	if e := errs.As(err); e.Reason != auth.ReasonTokenExpired {
		t.Errorf("expired: reason %q", e.Reason)
	}
	_, err = v.Verify(tampered)
	if e := errs.As(err); e.Reason != auth.ReasonTokenInvalid {
		t.Errorf("tampered: reason %q", e.Reason)
	}
}

func signRaw(t *testing.T, key ed25519.PrivateKey, header any, payload string) string {
	t.Helper()
	h, _ := json.Marshal(header)
	s := b64.EncodeToString(h) + "." + b64.EncodeToString([]byte(payload))
	return s + "." + b64.EncodeToString(ed25519.Sign(key, []byte(s)))
}

func mustIssueAt(t *testing.T, key ed25519.PrivateKey, at time.Time) string {
	t.Helper()
	tok, err := newIssuer(t, key, clock.NewManual(at)).Issue(auth.Identity{UserID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

// TestVerifyTimeBoundaries checks the leeway of 30 seconds on both sides, on the clock given.
func TestVerifyTimeBoundaries(t *testing.T) {
	key := newKey(t)
	issued := clock.NewManual(t0)
	tok, err := newIssuer(t, key, issued).Issue(auth.Identity{UserID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		at time.Time
		ok bool
	}{
		{t0, true},
		{t0.Add(15*time.Minute - time.Second), true},
		{t0.Add(15 * time.Minute), true}, // within the leeway
		{t0.Add(15*time.Minute + 29*time.Second), true},
		{t0.Add(15*time.Minute + 30*time.Second), false},
		{t0.Add(time.Hour), false},
		{t0.Add(-29 * time.Second), true}, // a verifier whose clock is a little behind
		{t0.Add(-31 * time.Second), false},
	}
	for _, c := range cases {
		v := auth.NewVerifier(clock.NewManual(c.at), key.Public().(ed25519.PublicKey))
		_, err := v.Verify(tok.Token)
		if c.ok && err != nil {
			t.Errorf("at issue%+v: %v, want valid", c.at.Sub(t0), err)
		}
		if !c.ok && !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("at issue%+v: %v, want unauthenticated", c.at.Sub(t0), err)
		}
	}
}

// TestVerifierWithSeveralKeys checks key rotation: tokens of the old and the new key verify.
func TestVerifierWithSeveralKeys(t *testing.T) {
	clk := clock.NewManual(t0)
	oldKey, newK := newKey(t), newKey(t)
	v := auth.NewVerifier(clk, oldKey.Public().(ed25519.PublicKey), newK.Public().(ed25519.PublicKey))
	for _, k := range []ed25519.PrivateKey{oldKey, newK} {
		tok, _ := newIssuer(t, k, clk).Issue(auth.Identity{UserID: "u1"})
		if _, err := v.Verify(tok.Token); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := auth.NewVerifier(clk).Verify(mustIssueAt(t, oldKey, t0)); !errs.Is(err, errs.Unauthenticated) {
		t.Fatalf("a verifier without keys: %v", err)
	}
}

// BenchmarkVerify measures verifying one access token, the work every authenticated call does.
func BenchmarkVerify(b *testing.B) {
	clk := clock.NewManual(t0)
	iss := newIssuer(b, newKey(b), clk)
	tok, err := iss.Issue(alice)
	if err != nil {
		b.Fatal(err)
	}
	v := iss.Verifier()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(tok.Token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIssue measures signing one access token.
func BenchmarkIssue(b *testing.B) {
	iss := newIssuer(b, newKey(b), clock.Real{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Issue(alice); err != nil {
			b.Fatal(err)
		}
	}
}
