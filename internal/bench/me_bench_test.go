package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/marquee-cinema/marquee/internal/bench"
)

// bearer is an http.RoundTripper that signs every request with an access token.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// BenchmarkMeAuthenticatedHTTP measures issue 3's target: the authenticated `me` query over
// POST /graphql, all in one process on the embedded defaults. Every request carries the bearer
// token; the gateway and the user service both verify it (the second time from the verified-token
// cache) and the user service reads the account.
func BenchmarkMeAuthenticatedHTTP(b *testing.B) {
	url := startApp(b, b.TempDir(), true) + "/graphql"
	token := adminToken(b, url)
	body := mustBody(b, `query Me { me { id email roles theatreIds } }`, nil)
	for _, workers := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			client := &http.Client{Transport: bearer{token: token, next: bench.NewTransport(workers)}}
			cfg := bench.Config{URL: url, Body: bench.Static(body), Workers: workers, Client: client, Check: func(status int, resp []byte) error {
				if err := bench.GraphQLOK(status, resp); err != nil {
					return err
				}
				if !bytes.Contains(resp, []byte(`"admin@demo.marquee"`)) {
					return fmt.Errorf("not signed in: %s", resp)
				}
				return nil
			}}
			res, _ := runTimed(b, cfg, 4*workers)
			reportLoad(b, res)
		})
	}
}

// BenchmarkLogin measures sign-in over HTTP: argon2id (m = 19 MiB, t = 2, p = 1) dominates. An
// account allows 10 password attempts per 15 minutes, so run it with -benchtime=10x.
func BenchmarkLogin(b *testing.B) {
	url := startApp(b, b.TempDir(), true, "--auth-rate-limit=100000") + "/graphql"
	body := mustBody(b, `mutation { login(email: "admin@demo.marquee", password: "demo-admin") { accessToken } }`, nil)
	cfg := bench.Config{URL: url, Body: bench.Static(body), Workers: 4, Requests: b.N, Check: bench.GraphQLOK}
	b.ResetTimer()
	res, err := bench.Run(context.Background(), cfg)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	reportLoad(b, res)
}
