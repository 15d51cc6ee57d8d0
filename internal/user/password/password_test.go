package password_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/user/password"
)

var ctx = context.Background()

func newHasher(t testing.TB, p password.Params) *password.Hasher {
	t.Helper()
	h, err := password.NewHasher(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// cheap are small parameters for tests that do not measure cost.
var cheap = password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestDefaultParamsMeetOWASP(t *testing.T) {
	p := password.DefaultParams
	// OWASP: argon2id with at least m=19 MiB, t=2, p=1 (or an equivalent trade of more memory
	// for fewer passes).
	if p.Memory < 19*1024 || p.Time < 2 || p.Threads < 1 || p.SaltLen < 16 || p.KeyLen < 32 {
		t.Fatalf("default parameters %+v are below OWASP's minimum", p)
	}
	h := newHasher(t, password.Params{}) // zero means the defaults
	if h.Params() != p {
		t.Fatalf("zero params gave %+v", h.Params())
	}
}

func TestHashFormatAndVerify(t *testing.T) {
	h := newHasher(t, password.DefaultParams)
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(enc) {
		t.Fatalf("hash %q is not the PHC argon2id format with the default parameters", enc)
	}
	ok, rehash, err := h.Verify(ctx, "correct horse battery staple", enc)
	if err != nil || !ok || rehash {
		t.Fatalf("right password: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	for _, wrong := range []string{"correct horse battery stapl", "Correct horse battery staple", "", "correct horse battery staple "} {
		ok, _, err := h.Verify(ctx, wrong, enc)
		if err != nil || ok {
			t.Fatalf("wrong password %q: ok=%v err=%v", wrong, ok, err)
		}
	}
	again, _ := h.Hash(ctx, "correct horse battery staple")
	if again == enc {
		t.Fatal("two hashes of one password are equal: no random salt")
	}
	// A tampered hash does not verify. The altered character is not the last, whose low bits
	// base64 decoding may ignore.
	i := len(enc) - 5
	c := byte('A')
	if enc[i] == c {
		c = 'B'
	}
	tampered := enc[:i] + string(c) + enc[i+1:]
	if ok, _, _ := h.Verify(ctx, "correct horse battery staple", tampered); ok {
		t.Fatal("a tampered hash verified")
	}
}

func TestRehashDetection(t *testing.T) {
	old := newHasher(t, cheap)
	enc, err := old.Hash(ctx, "an old password of mine")
	if err != nil {
		t.Fatal(err)
	}
	if old.NeedsRehash(enc) {
		t.Fatal("a hash with the hasher's own parameters needs rehashing")
	}
	stronger := newHasher(t, password.Params{Memory: 2048, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32})
	// The stronger hasher still verifies the old hash, with the parameters in it, and says so.
	ok, rehash, err := stronger.Verify(ctx, "an old password of mine", enc)
	if err != nil || !ok || !rehash {
		t.Fatalf("old hash under new parameters: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if !stronger.NeedsRehash(enc) {
		t.Fatal("NeedsRehash missed the old parameters")
	}
	// A wrong password never asks for a rehash.
	if ok, rehash, _ := stronger.Verify(ctx, "not it at all", enc); ok || rehash {
		t.Fatalf("wrong password: ok=%v rehash=%v", ok, rehash)
	}
	for name, p := range map[string]password.Params{
		"longer key":  {Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 64},
		"more thread": {Memory: 1024, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32},
		"longer salt": {Memory: 1024, Time: 1, Threads: 1, SaltLen: 32, KeyLen: 32},
	} {
		if !newHasher(t, p).NeedsRehash(enc) {
			t.Errorf("%s: no rehash", name)
		}
	}
}

func TestMalformedHashes(t *testing.T) {
	h := newHasher(t, cheap)
	good, _ := h.Hash(ctx, "some password here")
	parts := strings.Split(good, "$")
	join := func(p ...string) string { return strings.Join(p, "$") }
	for name, enc := range map[string]string{
		"empty":             "",
		"bcrypt":            "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":           join("", "argon2i", parts[2], parts[3], parts[4], parts[5]),
		"argon2d":           join("", "argon2d", parts[2], parts[3], parts[4], parts[5]),
		"old version":       join("", "argon2id", "v=16", parts[3], parts[4], parts[5]),
		"no version":        join("", "argon2id", parts[3], parts[4], parts[5]),
		"params reordered":  join("", "argon2id", parts[2], "t=1,m=1024,p=1", parts[4], parts[5]),
		"params missing":    join("", "argon2id", parts[2], "m=1024,t=1", parts[4], parts[5]),
		"params not number": join("", "argon2id", parts[2], "m=x,t=1,p=1", parts[4], parts[5]),
		"4 GiB memory":      join("", "argon2id", parts[2], "m=4194304,t=1,p=1", parts[4], parts[5]),
		"10000 passes":      join("", "argon2id", parts[2], "m=1024,t=10000,p=1", parts[4], parts[5]),
		"zero threads":      join("", "argon2id", parts[2], "m=1024,t=1,p=0", parts[4], parts[5]),
		"300 threads":       join("", "argon2id", parts[2], "m=1024,t=1,p=300", parts[4], parts[5]),
		"short salt":        join("", "argon2id", parts[2], parts[3], "c2FsdA", parts[5]),
		"short hash":        join("", "argon2id", parts[2], parts[3], parts[4], "aGFzaA"),
		"padded base64":     join("", "argon2id", parts[2], parts[3], parts[4]+"==", parts[5]),
		"bad base64":        join("", "argon2id", parts[2], parts[3], "!!!!", parts[5]),
		"extra field":       good + "$x",
		"plain text":        "some password here",
	} {
		ok, _, err := h.Verify(ctx, "some password here", enc)
		if ok || !errors.Is(err, password.ErrMalformedHash) {
			t.Errorf("%s: ok=%v err=%v, want ErrMalformedHash", name, ok, err)
		}
		if !h.NeedsRehash(enc) {
			t.Errorf("%s: NeedsRehash = false", name)
		}
	}
	for _, p := range []password.Params{{Memory: 1 << 30, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 1024, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}, {Memory: 1024, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}} {
		if _, err := password.NewHasher(p, 1); err == nil {
			t.Errorf("NewHasher accepted %+v", p)
		}
	}
}

// TestVerifyDummyCostsLikeVerify checks that checking a password against no account takes about
// as long as against a real hash (so that response times do not tell which e-mails exist).
func TestVerifyDummyCostsLikeVerify(t *testing.T) {
	h := newHasher(t, password.DefaultParams)
	enc, _ := h.Hash(ctx, "the real password")
	// Interleaved, so that load on the machine hits both alike; the fastest run of each is the
	// cost without noise. Without the dummy the difference would be a thousandfold.
	real, dummy := time.Duration(1<<62), time.Duration(1<<62)
	for range 7 {
		start := time.Now()
		_, _, _ = h.Verify(ctx, "a wrong password", enc)
		real = min(real, time.Since(start))
		start = time.Now()
		if err := h.VerifyDummy(ctx, "a wrong password"); err != nil {
			t.Fatal(err)
		}
		dummy = min(dummy, time.Since(start))
	}
	t.Logf("verify %v, dummy verify %v", real, dummy)
	if dummy < real/4 || dummy > real*4 {
		t.Fatalf("dummy verification %v is not comparable to a real one %v", dummy, real)
	}
}

func TestCanceledContextGivesUp(t *testing.T) {
	h, err := password.NewHasher(password.DefaultParams, 1)
	if err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.Hash(canceled, "some password here"); !errors.Is(err, context.Canceled) {
		t.Fatalf("hash: %v", err)
	}
	if _, _, err := h.Verify(canceled, "x", h.Dummy()); !errors.Is(err, context.Canceled) {
		t.Fatalf("verify: %v", err)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		pw     string
		ok     bool
		reason string
	}{
		{"short1!", false, ""},
		{"nine char", false, ""},
		{"ten chars!", true, ""},
		{"Tr0ub4dor&3", true, ""},
		{"correct horse battery staple", true, ""},
		{strings.Repeat("x", 127) + "y", true, ""},
		{strings.Repeat("x", 128) + "y", false, ""},
		{strings.Repeat("é", 10), true, ""},        // 10 runes, 20 bytes
		{strings.Repeat("🎬", 9), false, ""},        // 9 runes, 36 bytes
		{strings.Repeat("🎬", 128), true, ""},       // 128 runes, 512 bytes
		{"          ", false, ""},                  // only spaces
		{"bad\xffutf8 password", false, ""},        // not UTF-8
		{"password123", false, "COMMON_PASSWORD"},  // the obvious ones
		{"PASSWORD123", false, "COMMON_PASSWORD"},  // any case
		{"Password@123", false, "COMMON_PASSWORD"}, // the classic "strong" one
		{"qwertyuiop", false, "COMMON_PASSWORD"},   // keyboard walks
		{"QwErTyUiOp", false, "COMMON_PASSWORD"},   //
		{"1qaz2wsx3edc", false, "COMMON_PASSWORD"}, //
		{"1234567890", false, "COMMON_PASSWORD"},   // digit runs
		{"0987654321", false, "COMMON_PASSWORD"},   //
		{"1111111111", false, "COMMON_PASSWORD"},   //
		{"iloveyou123", false, "COMMON_PASSWORD"},  //
		{"welcome@123", false, "COMMON_PASSWORD"},  //
		{"India@1234", false, "COMMON_PASSWORD"},   //
		{"football2024", false, "COMMON_PASSWORD"}, // word and year
		{"sunshine1990", false, "COMMON_PASSWORD"}, //
		{"p@ssw0rd123", false, "COMMON_PASSWORD"},  // substitutions
		{"letmein123", false, "COMMON_PASSWORD"},   //
		{"changeme123", false, "COMMON_PASSWORD"},  //
		{"popcorn123", false, "COMMON_PASSWORD"},   // this site's words
		{"marquee123", false, "COMMON_PASSWORD"},   //
		{"bookmyshow", false, "COMMON_PASSWORD"},   //
		{"demo-admin", true, ""},                   // the demo accounts' passwords (API.md) pass
		{"demo-owner", true, ""},                   //
		{"asha.rao@example.com", false, "PERSONAL_PASSWORD"},
		{"ASHA.RAO@EXAMPLE.COM", false, "PERSONAL_PASSWORD"},
		{"asha.rao.1", true, ""},
		{"Asha Rao Kumar", false, "PERSONAL_PASSWORD"},
		{"ashwini.raokumar", false, "PERSONAL_PASSWORD"}, // the local part of the second e-mail
	}
	for _, c := range cases {
		err := password.Validate(c.pw, "asha.rao@example.com", "Asha Rao Kumar", "Ashwini.RaoKumar@example.org")
		if c.ok != (err == nil) {
			t.Errorf("%q: %v, want ok=%v", c.pw, err, c.ok)
			continue
		}
		if err == nil {
			continue
		}
		e := errs.As(err)
		if e.Code != errs.Invalid || e.Field != "password" || (c.reason != "" && e.Reason != c.reason) {
			t.Errorf("%q: %+v, want invalid password with reason %q", c.pw, e, c.reason)
		}
		if len(c.pw) >= 10 && strings.Contains(err.Error(), c.pw) {
			t.Errorf("%q: the error repeats the password", c.pw)
		}
	}
}

func TestCommonList(t *testing.T) {
	if n := password.CommonCount(); n < 5000 {
		t.Fatalf("the bundled list has %d passwords, want thousands", n)
	}
	if password.IsCommon("a-very-unusual Phrase 4 Marquee") {
		t.Fatal("a unusual phrase is listed")
	}
}

func BenchmarkHash(b *testing.B) {
	h := newHasher(b, password.DefaultParams)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := newHasher(b, password.DefaultParams)
	enc, _ := h.Hash(ctx, "correct horse battery staple")
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, "correct horse battery staple", enc); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
