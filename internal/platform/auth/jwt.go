package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Token facts.
const (
	// IssuerName is the "iss" of every Marquee access token.
	IssuerName = "marquee"
	// Algorithm is the only JWS algorithm Marquee signs with and accepts.
	Algorithm = "EdDSA"
	// DefaultAccessTTL is how long an access token is valid.
	DefaultAccessTTL = 15 * time.Minute
	// Leeway is the clock skew tolerated when checking exp, nbf and iat.
	Leeway = 30 * time.Second
	// MaxTokenLen bounds the tokens Verify looks at; real ones are a few hundred bytes.
	MaxTokenLen = 8 << 10
)

// Reasons on Unauthenticated errors, for programs.
const (
	ReasonNoToken      = "NO_TOKEN"
	ReasonTokenInvalid = "TOKEN_INVALID"
	ReasonTokenExpired = "TOKEN_EXPIRED"
)

// Claims is the payload of a Marquee access token. Times are seconds since the Unix epoch.
type Claims struct {
	Issuer     string   `json:"iss"`
	Subject    string   `json:"sub"`
	Roles      []string `json:"roles"`
	TheatreIDs []string `json:"tids,omitempty"`
	SessionID  string   `json:"sid,omitempty"`
	IssuedAt   int64    `json:"iat"`
	NotBefore  int64    `json:"nbf"`
	ExpiresAt  int64    `json:"exp"`
	ID         string   `json:"jti"`
}

// Identity returns the identity the claims describe.
func (c Claims) Identity() Identity {
	return Identity{UserID: c.Subject, Roles: c.Roles, TheatreIDs: c.TheatreIDs, SessionID: c.SessionID}
}

// header is the JOSE header. Crit is decoded only to refuse tokens that use it.
type header struct {
	Alg  string          `json:"alg"`
	Typ  string          `json:"typ,omitempty"`
	Kid  string          `json:"kid,omitempty"`
	Crit json.RawMessage `json:"crit,omitempty"`
}

var b64 = base64.RawURLEncoding.Strict()

// KeyID returns the key id ("kid") of a public key: the first 8 bytes of its SHA-256, base64url.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return b64.EncodeToString(sum[:8])
}

// AccessToken is a signed access token and its facts.
type AccessToken struct {
	Token     string
	ID        string // jti
	ExpiresAt time.Time
}

// Issuer signs access tokens. It is safe for concurrent use.
type Issuer struct {
	key    ed25519.PrivateKey
	kid    string
	header string // base64url of the JOSE header, the same for every token
	clock  clock.Clock
	ttl    time.Duration
}

// NewIssuer returns an Issuer signing with key, valid for DefaultAccessTTL (see WithTTL).
func NewIssuer(key ed25519.PrivateKey, clk clock.Clock) (*Issuer, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("auth: an Ed25519 private key has %d bytes, not %d", ed25519.PrivateKeySize, len(key))
	}
	pub := key.Public().(ed25519.PublicKey)
	kid := KeyID(pub)
	return &Issuer{key: key, kid: kid, header: encodeHeader(kid), clock: clk, ttl: DefaultAccessTTL}, nil
}

// encodeHeader returns the base64url JOSE header of tokens signed by the key kid.
func encodeHeader(kid string) string {
	h, _ := json.Marshal(header{Alg: Algorithm, Typ: "JWT", Kid: kid}) // cannot fail: strings only
	return b64.EncodeToString(h)
}

// WithTTL returns a copy of the issuer whose tokens live for ttl (> 0).
func (i *Issuer) WithTTL(ttl time.Duration) *Issuer {
	c := *i
	if ttl > 0 {
		c.ttl = ttl
	}
	return &c
}

// TTL returns how long the issuer's tokens live.
func (i *Issuer) TTL() time.Duration { return i.ttl }

// PublicKey returns the public half of the signing key, for verifiers elsewhere.
func (i *Issuer) PublicKey() ed25519.PublicKey { return i.key.Public().(ed25519.PublicKey) }

// KeyID returns the kid of the signing key.
func (i *Issuer) KeyID() string { return i.kid }

// Verifier returns a Verifier for this issuer's tokens, on the same clock.
func (i *Issuer) Verifier() *Verifier { return NewVerifier(i.clock, i.PublicKey()) }

// Issue signs an access token for id: iss "marquee", sub id.UserID, roles, tids, sid, iat = nbf =
// now, exp = now + TTL, a random jti.
func (i *Issuer) Issue(id Identity) (AccessToken, error) {
	if id.UserID == "" {
		return AccessToken{}, fmt.Errorf("auth: issue a token without a user id")
	}
	now := i.clock.Now()
	exp := now.Add(i.ttl)
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return AccessToken{}, fmt.Errorf("auth: random jti: %w", err)
	}
	roles := id.Roles
	if roles == nil {
		roles = []string{}
	}
	c := Claims{Issuer: IssuerName, Subject: id.UserID, Roles: roles, TheatreIDs: id.TheatreIDs,
		SessionID: id.SessionID, IssuedAt: now.Unix(), NotBefore: now.Unix(), ExpiresAt: exp.Unix(),
		ID: b64.EncodeToString(jti[:])}
	payload, err := json.Marshal(c)
	if err != nil {
		return AccessToken{}, fmt.Errorf("auth: encode claims: %w", err)
	}
	signing := i.header + "." + b64.EncodeToString(payload)
	sig := ed25519.Sign(i.key, []byte(signing))
	return AccessToken{Token: signing + "." + b64.EncodeToString(sig), ID: c.ID, ExpiresAt: time.Unix(c.ExpiresAt, 0).UTC()}, nil
}

// TokenVerifier turns a raw access token into the identity it proves.
type TokenVerifier interface {
	// Verify checks the token and returns its identity. Unauthenticated for any token that is
	// not a valid, current Marquee access token.
	Verify(token string) (Identity, error)
}

// Verifier checks access tokens against one or more public keys (more than one while a key is
// being rotated). It is safe for concurrent use.
type Verifier struct {
	keys    []verifyKey
	headers map[string]int // the encoded header Issue writes for keys[i] → i
	clock   clock.Clock
}

// checkHeader decodes and checks a JOSE header and returns its kid.
func checkHeader(h64 string) (string, error) {
	hb, err := b64.DecodeString(h64)
	if err != nil {
		return "", invalid("malformed header")
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return "", invalid("malformed header")
	}
	if h.Alg != Algorithm {
		return "", invalid("unsupported algorithm")
	}
	if (h.Typ != "" && !strings.EqualFold(h.Typ, "JWT")) || len(h.Crit) > 0 {
		return "", invalid("unsupported header")
	}
	return h.Kid, nil
}

type verifyKey struct {
	kid string
	pub ed25519.PublicKey
}

var _ TokenVerifier = (*Verifier)(nil)

// NewVerifier returns a Verifier accepting tokens signed by any of keys, checking times on clk.
func NewVerifier(clk clock.Clock, keys ...ed25519.PublicKey) *Verifier {
	v := &Verifier{clock: clk, headers: map[string]int{}}
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize {
			kid := KeyID(k)
			v.headers[encodeHeader(kid)] = len(v.keys)
			v.keys = append(v.keys, verifyKey{kid: kid, pub: slices.Clone(k)})
		}
	}
	return v
}

// Verify checks the token and returns its identity. See VerifyClaims.
func (v *Verifier) Verify(token string) (Identity, error) {
	c, err := v.VerifyClaims(token)
	if err != nil {
		return Identity{}, err
	}
	return c.Identity(), nil
}

func invalid(what string) error {
	return errs.E(errs.Unauthenticated, "invalid access token: %s", what).WithReason(ReasonTokenInvalid)
}

// VerifyClaims checks that token is a compact JWS with header alg "EdDSA" (and typ "JWT" or
// none, no crit), signed by one of the verifier's keys, whose claims have iss "marquee", a
// subject, a jti, and iat/nbf/exp such that the token is valid now (with Leeway for clock skew).
// Every failure is Unauthenticated, with reason TOKEN_EXPIRED for expired tokens and
// TOKEN_INVALID for the rest; the message never echoes the token.
func (v *Verifier) VerifyClaims(token string) (Claims, error) {
	if token == "" || len(token) > MaxTokenLen {
		return Claims{}, invalid("malformed")
	}
	h64, rest, ok := strings.Cut(token, ".")
	if !ok {
		return Claims{}, invalid("malformed")
	}
	p64, s64, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(s64, ".") {
		return Claims{}, invalid("malformed")
	}

	// The header Issue writes is the same for every token of a key: recognise it without
	// decoding; any other header is decoded and checked.
	keys := v.keys
	if i, ok := v.headers[h64]; ok {
		keys = v.keys[i : i+1]
	} else {
		kid, err := checkHeader(h64)
		if err != nil {
			return Claims{}, err
		}
		if kid != "" {
			keys = nil
			for i := range v.keys {
				if v.keys[i].kid == kid {
					keys = v.keys[i : i+1]
				}
			}
		}
	}

	sig, err := b64.DecodeString(s64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Claims{}, invalid("malformed signature")
	}
	signed := []byte(token[:len(h64)+1+len(p64)])
	verified := false
	for _, k := range keys {
		if ed25519.Verify(k.pub, signed, sig) {
			verified = true
			break
		}
	}
	if !verified {
		return Claims{}, invalid("bad signature")
	}

	pb, err := b64.DecodeString(p64)
	if err != nil {
		return Claims{}, invalid("malformed claims")
	}
	var c Claims
	if err := json.Unmarshal(pb, &c); err != nil { // also refuses trailing data
		return Claims{}, invalid("malformed claims")
	}
	if c.Issuer != IssuerName {
		return Claims{}, invalid("wrong issuer")
	}
	if c.Subject == "" || c.ID == "" || c.ExpiresAt == 0 || c.IssuedAt == 0 || c.NotBefore == 0 {
		return Claims{}, invalid("missing claims")
	}
	now := v.clock.Now()
	leeway := int64(Leeway / time.Second)
	switch sec := now.Unix(); {
	case sec >= c.ExpiresAt+leeway:
		return Claims{}, errs.E(errs.Unauthenticated, "access token expired; refresh it").WithReason(ReasonTokenExpired)
	case sec+leeway < c.NotBefore:
		return Claims{}, invalid("not valid yet")
	case sec+leeway < c.IssuedAt:
		return Claims{}, invalid("issued in the future")
	}
	return c, nil
}
