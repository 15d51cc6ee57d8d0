package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"testing"
)

func testRedisURL() string {
	if u := os.Getenv("MARQUEE_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

func randomRedisPrefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test:" + hex.EncodeToString(b) + ":"
}

const badLogin = `mutation { login(email: "someone@example.com", password: "not-the-password-at-all") { accessToken } }`

func TestSignInRateLimitSharedByTwoGatewaysThroughRedis(t *testing.T) {
	t.Parallel()
	redis := []string{"--redis-url=" + testRedisURL(), "--redis-prefix=" + randomRedisPrefix(), "--auth-rate-limit=3", "--auth-rate-window=1m"}
	dir := t.TempDir()
	a := start(t, append(redis, "--data-dir="+dir)...)
	b := start(t, append(redis, "--data-dir="+dir)...)
	for _, in := range []*instance{a, a, b} {
		expectCode(t, in.graphql(t, badLogin, nil), "UNAUTHENTICATED")
	}
	e := expectCode(t, b.graphql(t, badLogin, nil), "RATE_LIMITED")
	if secs, err := strconv.Atoi(e.Extensions["retryAfterSeconds"].(string)); err != nil || secs < 1 || secs > 60 {
		t.Fatalf("retryAfterSeconds = %v", e.Extensions["retryAfterSeconds"])
	}
	expectCode(t, a.graphql(t, badLogin, nil), "RATE_LIMITED")
	// Other operations have budgets of their own.
	expectCode(t, a.graphql(t, `mutation { refreshToken(refreshToken: "nope") { accessToken } }`, nil), "UNAUTHENTICATED")
}

func TestSignInRateLimitInProcess(t *testing.T) {
	t.Parallel()
	in := start(t, "--auth-rate-limit=2")
	expectCode(t, in.graphql(t, badLogin, nil), "UNAUTHENTICATED")
	expectCode(t, in.graphql(t, badLogin, nil), "UNAUTHENTICATED")
	expectCode(t, in.graphql(t, badLogin, nil), "RATE_LIMITED")
	expectCode(t, in.graphql(t, `mutation { register(input: {email: "x@example.com", password: "short", name: "X"}) { accessToken } }`, nil), "BAD_USER_INPUT")
}
