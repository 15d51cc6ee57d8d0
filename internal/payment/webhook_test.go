package payment_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

const (
	secret    = "whsec_test_secret_0123456789abcdef0123456789"
	oldSecret = "whsec_old_secret_0123456789abcdef0123456789"
)

// sig is HMAC-SHA256(key, "<t>.<body>") in hex, computed here independently of the package.
func sig(key string, t int64, body string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(strconv.FormatInt(t, 10) + "." + body))
	return hex.EncodeToString(m.Sum(nil))
}

func TestSignatureVerification(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ts := now.Unix()
	body := `{"id":"evt_1","type":"payment.succeeded","amount":100620}`
	v, err := payment.NewVerifier(0, secret)
	if err != nil {
		t.Fatal(err)
	}
	rotating, err := payment.NewVerifier(0, oldSecret, secret)
	if err != nil {
		t.Fatal(err)
	}
	header := func(value string) http.Header {
		h := http.Header{}
		if value != "" {
			h.Set(payment.SignatureHeader, value)
		}
		return h
	}
	valid := "t=" + strconv.FormatInt(ts, 10) + ",v1=" + sig(secret, ts, body)
	at := func(t int64, key string) string { return "t=" + strconv.FormatInt(t, 10) + ",v1=" + sig(key, t, body) }
	cases := []struct {
		name   string
		v      *payment.Verifier
		header http.Header
		body   string
		reason string // "" means accepted
	}{
		{"valid", v, header(valid), body, ""},
		{"tampered body", v, header(valid), strings.Replace(body, "100620", "100", 1), payment.ReasonSignatureMismatch},
		{"wrong secret", v, header(at(ts, "whsec_someone_else_0123456789abcdef")), body, payment.ReasonSignatureMismatch},
		{"signature of another timestamp", v, header("t=" + strconv.FormatInt(ts+1, 10) + ",v1=" + sig(secret, ts, body)), body, payment.ReasonSignatureMismatch},
		{"exactly 5 minutes old", v, header(at(ts-300, secret)), body, ""},
		{"stale: 5 minutes and a second old", v, header(at(ts-301, secret)), body, payment.ReasonTimestampStale},
		{"stale: a day old", v, header(at(ts-86400, secret)), body, payment.ReasonTimestampStale},
		{"exactly 5 minutes ahead", v, header(at(ts+300, secret)), body, ""},
		{"future: beyond 5 minutes", v, header(at(ts+301, secret)), body, payment.ReasonTimestampStale},
		{"missing header", v, header(""), body, payment.ReasonSignatureMissing},
		{"blank header", v, http.Header{payment.SignatureHeader: {"  "}}, body, payment.ReasonSignatureMissing},
		{"two headers", v, http.Header{payment.SignatureHeader: {valid, valid}}, body, payment.ReasonSignatureMalformed},
		{"no timestamp", v, header("v1=" + sig(secret, ts, body)), body, payment.ReasonSignatureMalformed},
		{"no signature", v, header("t=" + strconv.FormatInt(ts, 10)), body, payment.ReasonSignatureMalformed},
		{"only another scheme", v, header("t=" + strconv.FormatInt(ts, 10) + ",v0=" + sig(secret, ts, body)), body, payment.ReasonSignatureMalformed},
		{"two timestamps", v, header(valid + ",t=" + strconv.FormatInt(ts, 10)), body, payment.ReasonSignatureMalformed},
		{"timestamp not a number", v, header("t=soon,v1=" + sig(secret, ts, body)), body, payment.ReasonSignatureMalformed},
		{"signature not hex", v, header("t=" + strconv.FormatInt(ts, 10) + ",v1=zz"), body, payment.ReasonSignatureMalformed},
		{"signature too short", v, header("t=" + strconv.FormatInt(ts, 10) + ",v1=" + sig(secret, ts, body)[:32]), body, payment.ReasonSignatureMalformed},
		{"garbage", v, header("Bearer abc"), body, payment.ReasonSignatureMalformed},
		{"huge header", v, header(valid + strings.Repeat(",x=y", 1000)), body, payment.ReasonSignatureMalformed},
		{"unknown keys are ignored", v, header(valid + ",v2=abc,x=1"), body, ""},
		{"rotation: old and new v1, receiver knows the new", v, header(at(ts, oldSecret) + ",v1=" + sig(secret, ts, body)), body, ""},
		{"rotation: new and old v1, receiver knows the new", v, header(valid + ",v1=" + sig(oldSecret, ts, body)), body, ""},
		{"rotation: receiver knows both, sender signs with the old", rotating, header(at(ts, oldSecret)), body, ""},
		{"rotation: two wrong v1", v, header(at(ts, oldSecret) + ",v1=" + sig("whsec_third_0123456789abcdef0123", ts, body)), body, payment.ReasonSignatureMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Verify(tc.header, []byte(tc.body), now)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if e := errs.As(err); e.Code != errs.Invalid || e.Reason != tc.reason {
				t.Fatalf("got %v, want invalid with reason %s", err, tc.reason)
			}
		})
	}
}

func TestSignerProducesWhatTheVerifierAccepts(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"evt_1"}`)
	s, err := payment.NewSigner(secret, oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	s.Sign(h, body, now)
	want := "t=" + strconv.FormatInt(now.Unix(), 10) + ",v1=" + sig(secret, now.Unix(), string(body)) + ",v1=" + sig(oldSecret, now.Unix(), string(body))
	if got := h.Get(payment.SignatureHeader); got != want {
		t.Fatalf("header %q, want %q", got, want)
	}
	for _, key := range []string{secret, oldSecret} {
		v, _ := payment.NewVerifier(0, key)
		if err := v.Verify(h, body, now.Add(4*time.Minute)); err != nil {
			t.Errorf("a verifier with one of the secrets refused: %v", err)
		}
	}
	if _, err := payment.NewSigner(" ", ""); err == nil {
		t.Error("a signer without a secret was made")
	}
	if _, err := payment.NewVerifier(0); err == nil {
		t.Error("a verifier without a secret was made")
	}
}

func TestLoadOrCreateSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const n = 8
	got := make([]string, n)
	errsOut := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errsOut[i] = payment.LoadOrCreateSecret(dir)
		}()
	}
	wg.Wait()
	for i := range n {
		if errsOut[i] != nil {
			t.Fatalf("start %d: %v", i, errsOut[i])
		}
		if got[i] != got[0] {
			t.Fatalf("concurrent starts disagree: %q vs %q", got[i], got[0])
		}
	}
	if !strings.HasPrefix(got[0], "whsec_") || len(got[0]) < 40 {
		t.Errorf("secret %q", got[0])
	}
	fi, err := os.Stat(filepath.Join(dir, payment.SecretFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("secret file mode %o, want 600", perm)
	}
	again, err := payment.LoadOrCreateSecret(dir)
	if err != nil || again != got[0] {
		t.Errorf("a restart read %q, %v; want the same secret", again, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the data directory holds %d files, want only the secret", len(entries))
	}
	if err := os.WriteFile(filepath.Join(dir, payment.SecretFile), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := payment.LoadOrCreateSecret(dir); err == nil {
		t.Error("a malformed secret file was accepted")
	}
}
