package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Query().Get("fail"), "1") {
			_, _ = w.Write([]byte(`{"errors":[{"message":"nope"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"movies":{"edges":[]}}}`))
	}))
	t.Cleanup(srv.Close)

	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-workers", "2", "-requests", "50", "-warmup", "5",
		"-variables", `{"first": 20}`}, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"requests  50 (2 workers", "errors    0", "req/s", "p99"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	err = run(context.Background(), []string{"-url", srv.URL + "?fail=1", "-requests", "3", "-warmup", "0"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "3 of 3 requests failed") {
		t.Errorf("run against a failing server: %v, want 3 of 3 failed", err)
	}
	if err := run(context.Background(), []string{"-variables", "{"}, &out, &errOut); err == nil {
		t.Error("bad -variables accepted")
	}
}
