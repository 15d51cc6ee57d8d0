package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
)

// instance is a marquee process started by run() inside the test, on free ports.
type instance struct {
	HTTP string // base URL, e.g. http://127.0.0.1:41234
	GRPC string // host:port, or "" when gRPC is off
	logs *syncBuffer
	// stop stops the program and waits for it (at most once; the test's cleanup calls it too).
	stop func()
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

// start runs `marquee serve args...` with free ports and a fresh data directory unless args
// give them, waits until it is ready, and stops it when the test ends.
func start(t testing.TB, args ...string) *instance {
	t.Helper()
	return startWithEnv(t, nil, args...)
}

// startWithEnv is start with environment variables (MARQUEE_*) visible to the program.
func startWithEnv(t testing.TB, env map[string]string, args ...string) *instance {
	t.Helper()
	joined := strings.Join(args, " ")
	if !strings.Contains(joined, "--http-addr") {
		args = append(args, "--http-addr=127.0.0.1:0")
	}
	if !strings.Contains(joined, "--grpc-addr") {
		args = append(args, "--grpc-addr=127.0.0.1:0")
	}
	if !strings.Contains(joined, "--data-dir") {
		args = append(args, "--data-dir="+t.TempDir())
	}
	if !strings.Contains(joined, "--graphql-cache-ttl") {
		// Tests read what they just changed, anonymously; the micro-cache has its own tests.
		args = append(args, "--graphql-cache-ttl=0")
	}
	args = append([]string{"serve", "--log-format=json", "--log-level=warn"}, args...)

	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, strings.NewReader(""), outW, logs, func(k string) string { return env[k] })
		_ = outW.CloseWithError(io.EOF)
		done <- err
	}()
	inst := &instance{logs: logs}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			switch {
			case strings.HasPrefix(line, "http:"):
				inst.HTTP = strings.TrimSpace(strings.TrimPrefix(line, "http:"))
			case strings.HasPrefix(line, "grpc:"):
				inst.GRPC = strings.TrimSpace(strings.TrimPrefix(line, "grpc:"))
			case strings.HasPrefix(line, "Press Ctrl+C"):
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("marquee %s exited before it was ready: %v\nlogs:\n%s", strings.Join(args, " "), err, logs.String())
	case <-time.After(120 * time.Second):
		cancel()
		t.Fatalf("marquee %s was not ready within 120s\nlogs:\n%s", strings.Join(args, " "), logs.String())
	}
	var once sync.Once
	inst.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("marquee stopped with an error: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("marquee did not stop within 30s")
			}
		})
	}
	t.Cleanup(inst.stop)
	return inst
}

// gqlError is one GraphQL error of a response.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	Status int             `json:"-"`
}

// graphql posts a query without identity (no token, no cookies) and decodes the response.
func (in *instance) graphql(t testing.TB, query string, vars map[string]any) gqlResponse {
	t.Helper()
	return in.graphqlAs(t, "", query, vars)
}

// graphqlAs posts a query with a bearer token (none when empty) and no cookies.
func (in *instance) graphqlAs(t testing.TB, token, query string, vars map[string]any) gqlResponse {
	t.Helper()
	c := &client{in: in, http: http.DefaultClient, token: token}
	return c.do(t, query, vars)
}

// mustQuery runs a query that must succeed and decodes its data into out.
func (in *instance) mustQuery(t testing.TB, query string, vars map[string]any, out any) {
	t.Helper()
	r := in.graphql(t, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("query failed: %+v\nquery: %s", r.Errors, query)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decode data: %v\n%s", err, r.Data)
	}
}

// mustFail runs a query that must fail with code, and returns the first error.
func (in *instance) mustFail(t testing.TB, code, query string, vars map[string]any) gqlError {
	t.Helper()
	r := in.graphql(t, query, vars)
	if len(r.Errors) == 0 {
		t.Fatalf("query succeeded, want %s: %s\ndata: %s", code, query, r.Data)
	}
	if got := r.Errors[0].Code(); got != code {
		t.Fatalf("error code %q (%s), want %s\nquery: %s", got, r.Errors[0].Message, code, query)
	}
	return r.Errors[0]
}

func (in *instance) get(t testing.TB, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(in.HTTP + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sharedKeys returns a fresh signing key and its public key, as flags, for processes of one
// split deployment.
func sharedKeys(t testing.TB) (signing, verifying string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := auth.MarshalKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := auth.MarshalPublicKey(priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return "--jwt-key=" + string(k), "--jwt-public-key=" + string(p)
}
