package payment

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// SignatureHeader is the HTTP header that carries a webhook's signature:
//
//	Marquee-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=<…>]
//
// There is one v1 per signing secret, so that a secret can be rotated without dropping events:
// while both are configured, the sender signs with both and a receiver that knows either accepts.
// Other keys are ignored, for forward compatibility.
const SignatureHeader = "Marquee-Signature"

// SignatureTolerance is how far a webhook's timestamp may be from the receiver's clock, in either
// direction, before it is refused as a replay (or a sender with a broken clock).
const SignatureTolerance = 5 * time.Minute

// The errs reasons of a refused signature.
const (
	ReasonSignatureMissing   = "SIGNATURE_MISSING"
	ReasonSignatureMalformed = "SIGNATURE_MALFORMED"
	ReasonSignatureMismatch  = "SIGNATURE_MISMATCH"
	ReasonTimestampStale     = "SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE"
)

// maxSignatureHeader and maxSignatures bound the work a hostile header can cause.
const (
	maxSignatureHeader = 2048
	maxSignatures      = 8
)

// Signer signs webhook bodies with one or more secrets.
type Signer struct{ secrets [][]byte }

// NewSigner returns a signer for the secrets, each giving one v1 value. At least one non-empty
// secret is required.
func NewSigner(secrets ...string) (*Signer, error) {
	keys, err := keysOf(secrets)
	if err != nil {
		return nil, err
	}
	return &Signer{secrets: keys}, nil
}

// Header returns the SignatureHeader value for body sent at at.
func (s *Signer) Header(body []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, key := range s.secrets {
		b.WriteString(",v1=" + hex.EncodeToString(mac(key, ts, body)))
	}
	return b.String()
}

// Sign sets SignatureHeader on h for body sent at at.
func (s *Signer) Sign(h http.Header, body []byte, at time.Time) {
	h.Set(SignatureHeader, s.Header(body, at))
}

// Verifier checks webhook signatures against one or more secrets.
type Verifier struct {
	secrets   [][]byte
	tolerance time.Duration
}

// NewVerifier returns a verifier that accepts a signature made with any of the secrets, with a
// timestamp within tolerance of the receiver's clock (0: SignatureTolerance).
func NewVerifier(tolerance time.Duration, secrets ...string) (*Verifier, error) {
	keys, err := keysOf(secrets)
	if err != nil {
		return nil, err
	}
	if tolerance <= 0 {
		tolerance = SignatureTolerance
	}
	return &Verifier{secrets: keys, tolerance: tolerance}, nil
}

// Verify checks the SignatureHeader of h against body at now.
func (v *Verifier) Verify(h http.Header, body []byte, now time.Time) error {
	values := h.Values(SignatureHeader)
	if len(values) == 0 || strings.TrimSpace(values[0]) == "" {
		return errs.E(errs.Invalid, "the webhook is not signed").WithReason(ReasonSignatureMissing)
	}
	if len(values) > 1 {
		return errs.E(errs.Invalid, "the webhook has more than one signature header").WithReason(ReasonSignatureMalformed)
	}
	return v.VerifyValue(values[0], body, now)
}

// VerifyValue checks a SignatureHeader value against body at now: it is well formed, one of its
// v1 values is the HMAC of one of the secrets (compared in constant time), and its timestamp is
// within the tolerance of now, in either direction. Invalid with one of the Reason… reasons
// otherwise.
func (v *Verifier) VerifyValue(value string, body []byte, now time.Time) error {
	malformed := errs.E(errs.Invalid, "the webhook signature is malformed").WithReason(ReasonSignatureMalformed)
	if strings.TrimSpace(value) == "" {
		return errs.E(errs.Invalid, "the webhook is not signed").WithReason(ReasonSignatureMissing)
	}
	if len(value) > maxSignatureHeader {
		return malformed
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(value, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return malformed
		}
		switch k {
		case "t":
			if ts != "" || val == "" {
				return malformed
			}
			ts = val
		case "v1":
			sig, err := hex.DecodeString(val)
			if err != nil || len(sig) != sha256.Size {
				return malformed
			}
			if len(sigs) == maxSignatures {
				return malformed
			}
			sigs = append(sigs, sig)
		}
	}
	if ts == "" || len(sigs) == 0 {
		return malformed
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || unix <= 0 || ts[0] == '+' {
		return malformed
	}
	matched := false
	for _, key := range v.secrets {
		want := mac(key, ts, body)
		for _, sig := range sigs {
			// Every comparison runs, so the time taken does not tell which one matched.
			if hmac.Equal(sig, want) {
				matched = true
			}
		}
	}
	if !matched {
		return errs.E(errs.Invalid, "the webhook signature does not match").WithReason(ReasonSignatureMismatch)
	}
	sent := time.Unix(unix, 0)
	if d := now.Sub(sent); d > v.tolerance || d < -v.tolerance {
		return errs.E(errs.Invalid, "the webhook timestamp is outside the tolerance of %s", v.tolerance).WithReason(ReasonTimestampStale)
	}
	return nil
}

// PayloadHash returns the hex SHA-256 of a webhook body, for WebhookEvent.PayloadHash.
func PayloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func mac(key []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

func keysOf(secrets []string) ([][]byte, error) {
	var keys [][]byte
	for _, s := range secrets {
		if s = strings.TrimSpace(s); s != "" {
			keys = append(keys, []byte(s))
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("payment: a webhook signing secret is required")
	}
	return keys, nil
}
