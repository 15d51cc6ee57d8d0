// Package web serves Marquee's web front end, the production build of web/ embedded in the binary.
//
// The Vite build writes into dist/app (ignored by git). When it is absent, as on a fresh clone
// before npm has run, the handler serves the committed dist/placeholder page instead, so the Go
// build and tests never depend on Node.js.
//
// Hashed assets under /assets/ are cached for a year as immutable; index.html must be revalidated
// on every load. Unknown paths that look like pages fall back to index.html, so the single-page
// app's routes survive a reload; API paths and missing files are answered 404.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Cache-Control values.
const (
	CacheImmutable = "public, max-age=31536000, immutable"
	CacheNoCache   = "no-cache"
	CacheShort     = "public, max-age=3600"
)

// apiPrefixes are paths owned by the server, never by the front end: an unmatched request under
// one of them is a 404, not the app's index.html.
var apiPrefixes = []string{"/graphql", "/playground", "/sandbox/", "/webhooks/", "/metrics", "/healthz", "/readyz", "/api/"}

type file struct {
	body    []byte
	gzipped []byte // nil when compression does not pay
	ctype   string
	etag    string
}

// Handler serves the front end from files.
type Handler struct {
	files map[string]*file // by clean path without the leading slash, e.g. "assets/index-abc.js"
	built bool
	start time.Time
}

// New returns the handler for the embedded build, or the placeholder page when the front end
// was not built.
func New() (*Handler, error) {
	sub, err := fs.Sub(dist, "dist/app")
	if err == nil {
		if _, statErr := fs.Stat(sub, "index.html"); statErr == nil {
			return NewFS(sub, true)
		}
	}
	sub, err = fs.Sub(dist, "dist/placeholder")
	if err != nil {
		return nil, err
	}
	return NewFS(sub, false)
}

// NewFS returns a handler for the files of fsys, which must hold index.html. Files are read and
// compressed once, here.
func NewFS(fsys fs.FS, built bool) (*Handler, error) {
	h := &Handler{files: map[string]*file{}, built: built, start: time.Now()}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &file{body: body, ctype: contentType(p), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		if compressible(f.ctype) && len(body) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(body)
			_ = zw.Close()
			if buf.Len() < len(body)*9/10 {
				f.gzipped = buf.Bytes()
			}
		}
		h.files[p] = f
		return nil
	})
	if err != nil {
		return nil, err
	}
	if h.files["index.html"] == nil {
		return nil, fs.ErrNotExist
	}
	return h, nil
}

// Built reports whether the handler serves a real build rather than the placeholder page.
func (h *Handler) Built() bool { return h.built }

// ServeHTTP serves a file, the index page for app routes, or 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	for _, prefix := range apiPrefixes {
		if p == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(p, prefix) {
			http.NotFound(w, r)
			return
		}
	}
	name := strings.TrimPrefix(p, "/")
	f := h.files[name]
	cache := CacheShort
	switch {
	case name == "" || name == "index.html":
		f, cache = h.files["index.html"], CacheNoCache
	case f != nil && strings.HasPrefix(name, "assets/"):
		cache = CacheImmutable
	case f == nil && (strings.HasPrefix(name, "assets/") || path.Ext(name) != ""):
		// A missing file, not a page: answering index.html would hand a script HTML.
		http.NotFound(w, r)
		return
	case f == nil:
		f, cache = h.files["index.html"], CacheNoCache
	}
	hdr := w.Header()
	hdr.Set("Content-Type", f.ctype)
	hdr.Set("Cache-Control", cache)
	hdr.Set("ETag", f.etag)
	hdr.Set("X-Content-Type-Options", "nosniff")
	if f.gzipped != nil {
		hdr.Add("Vary", "Accept-Encoding")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gzipped != nil && acceptsGzip(r) {
		hdr.Set("Content-Encoding", "gzip")
		body = f.gzipped
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") || strings.TrimSpace(enc) == "*" {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json", ".map":
		return "application/json"
	case ".webmanifest":
		return "application/manifest+json"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "json") || strings.Contains(ctype, "svg") ||
		strings.Contains(ctype, "javascript")
}
