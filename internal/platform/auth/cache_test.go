package auth_test

import (
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

func TestCachingVerifier(t *testing.T) {
	clk := clock.NewManual(t0)
	iss := newIssuer(t, newKey(t), clk)
	cv := auth.NewCachingVerifier(iss.Verifier(), clk, 4)
	tok, err := iss.Issue(auth.Identity{UserID: "u1", Roles: []string{auth.RoleCustomer}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		id, err := cv.Verify(tok.Token)
		if err != nil || id.UserID != "u1" {
			t.Fatalf("verify %d: %+v %v", i, id, err)
		}
	}
	// A token altered by one character is checked, not served from the cache. The character is
	// inside the signature, not its last, whose low bits base64 decoding may ignore.
	i := len(tok.Token) - 10
	c := byte('A')
	if tok.Token[i] == c {
		c = 'B'
	}
	forged := tok.Token[:i] + string(c) + tok.Token[i+1:]
	if _, err := cv.Verify(forged); !errs.Is(err, errs.Unauthenticated) {
		t.Fatalf("forged token: %v", err)
	}
	// Once expired, a cached token is refused.
	clk.Advance(16*time.Minute + auth.Leeway)
	if _, err := cv.Verify(tok.Token); !errs.Is(err, errs.Unauthenticated) {
		t.Fatalf("expired cached token: %v", err)
	}
	// The cache stays bounded.
	clk.Set(t0)
	for i := 0; i < 20; i++ {
		tk, _ := iss.Issue(auth.Identity{UserID: "u", Roles: []string{auth.RoleCustomer}})
		if _, err := cv.Verify(tk.Token); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkCachingVerifierHit(b *testing.B) {
	clk := clock.NewManual(t0)
	iss := newIssuer(b, newKey(b), clk)
	cv := auth.NewCachingVerifier(iss.Verifier(), clk, 1000)
	tok, _ := iss.Issue(auth.Identity{UserID: "u1", Roles: []string{auth.RoleCustomer}})
	for b.Loop() {
		if _, err := cv.Verify(tok.Token); err != nil {
			b.Fatal(err)
		}
	}
}
