package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var bigJS = strings.Repeat("console.log('marquee');\n", 200)

func testHandler(t *testing.T) *Handler {
	t.Helper()
	h, err := NewFS(fstest.MapFS{
		"index.html":              {Data: []byte("<!doctype html><title>Marquee</title>" + strings.Repeat("<!-- pad -->", 100))},
		"assets/index-abc123.js":  {Data: []byte(bigJS)},
		"assets/index-abc123.css": {Data: []byte("body{}")},
		"favicon.svg":             {Data: []byte("<svg/>")},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerRoutes(t *testing.T) {
	t.Parallel()
	h := testHandler(t)
	tests := []struct {
		name, method, path string
		status             int
		cache              string
		bodyHas            string
	}{
		{"root is the index", "GET", "/", 200, CacheNoCache, "<title>Marquee</title>"},
		{"index by name", "GET", "/index.html", 200, CacheNoCache, "<title>Marquee</title>"},
		{"app route falls back to the index", "GET", "/movies/01HX/shows", 200, CacheNoCache, "<title>Marquee</title>"},
		{"console route falls back", "GET", "/console/screens/new", 200, CacheNoCache, "<title>Marquee</title>"},
		{"hashed asset is immutable", "GET", "/assets/index-abc123.js", 200, CacheImmutable, "console.log"},
		{"other file cached briefly", "GET", "/favicon.svg", 200, CacheShort, "<svg/>"},
		{"missing asset is 404", "GET", "/assets/index-gone.js", 404, "", ""},
		{"missing file with extension is 404", "GET", "/robots.txt", 404, "", ""},
		{"graphql is not shadowed", "GET", "/graphql", 404, "", ""},
		{"graphql subpath is not shadowed", "GET", "/graphql/x", 404, "", ""},
		{"sandbox is not shadowed", "GET", "/sandbox/pay/abc", 404, "", ""},
		{"webhooks are not shadowed", "GET", "/webhooks/payments/sandbox", 404, "", ""},
		{"metrics are not shadowed", "GET", "/metrics", 404, "", ""},
		{"POST is refused", "POST", "/", 405, "", ""},
		{"HEAD works", "HEAD", "/", 200, CacheNoCache, ""},
		{"path traversal stays inside", "GET", "/../../etc/passwd", 200, CacheNoCache, "<title>Marquee</title>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := get(t, h, tt.method, tt.path, nil)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("Cache-Control"); tt.cache != "" && got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			if tt.bodyHas != "" && !strings.Contains(rec.Body.String(), tt.bodyHas) {
				t.Errorf("body %q lacks %q", rec.Body.String(), tt.bodyHas)
			}
			if tt.method == "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("HEAD wrote a body")
			}
		})
	}
}

func TestHandlerContentTypes(t *testing.T) {
	t.Parallel()
	h := testHandler(t)
	for p, want := range map[string]string{
		"/":                        "text/html; charset=utf-8",
		"/assets/index-abc123.js":  "text/javascript; charset=utf-8",
		"/assets/index-abc123.css": "text/css; charset=utf-8",
		"/favicon.svg":             "image/svg+xml",
	} {
		if got := get(t, h, "GET", p, nil).Header().Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type = %q, want %q", p, got, want)
		}
	}
}

func TestHandlerGzip(t *testing.T) {
	t.Parallel()
	h := testHandler(t)
	rec := get(t, h, "GET", "/assets/index-abc123.js", map[string]string{"Accept-Encoding": "br, gzip"})
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", rec.Header().Get("Content-Encoding"))
	}
	if rec.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("Vary = %q", rec.Header().Get("Vary"))
	}
	if rec.Body.Len() >= len(bigJS) {
		t.Errorf("gzipped body is %d bytes, plain %d", rec.Body.Len(), len(bigJS))
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || string(plain) != bigJS {
		t.Fatalf("gunzipped body differs (err %v)", err)
	}

	for _, ae := range []string{"", "identity", "gzip;q=0"} {
		rec = get(t, h, "GET", "/assets/index-abc123.js", map[string]string{"Accept-Encoding": ae})
		if rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != bigJS {
			t.Errorf("Accept-Encoding %q: got an encoded body", ae)
		}
	}
	// Tiny files are not worth compressing.
	rec = get(t, h, "GET", "/favicon.svg", map[string]string{"Accept-Encoding": "gzip"})
	if rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("tiny file was gzipped")
	}
}

func TestHandlerETag(t *testing.T) {
	t.Parallel()
	h := testHandler(t)
	etag := get(t, h, "GET", "/", nil).Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if rec := get(t, h, "GET", "/", map[string]string{"If-None-Match": etag}); rec.Code != http.StatusNotModified {
		t.Fatalf("revalidation status = %d, want 304", rec.Code)
	}
}

// TestMuxDoesNotShadowRoutes mounts the handler as the server does, beside API routes.
func TestMuxDoesNotShadowRoutes(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "graphql") }))
	mux.HandleFunc("GET /sandbox/pay/{id}", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "sandbox") })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.Handle("/", testHandler(t))
	for p, want := range map[string]string{"/graphql": "graphql", "/sandbox/pay/s1": "sandbox", "/healthz": "ok", "/movies/m1": "<title>Marquee</title>"} {
		rec := get(t, mux, "GET", p, nil)
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s = %q, want %q", p, rec.Body.String(), want)
		}
	}
	if rec := get(t, mux, "POST", "/graphql", nil); rec.Body.String() != "graphql" {
		t.Errorf("POST /graphql reached the front end")
	}
}

// TestEmbedded checks the embedded files: a real build or the committed placeholder.
func TestEmbedded(t *testing.T) {
	t.Parallel()
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	rec := get(t, h, "GET", "/", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Marquee") {
		t.Fatalf("index: %d %q", rec.Code, rec.Body.String())
	}
	t.Logf("front end built: %v", h.Built())
}
