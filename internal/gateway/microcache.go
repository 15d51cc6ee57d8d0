package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/marquee-cinema/marquee/internal/platform/session"
)

// The micro-cache answers identical anonymous catalogue queries from memory for a moment, so that
// a crowd looking at the same listing or seat map costs one execution per moment instead of one
// per person. Only requests that carry no identity are cached (no Authorization header, no
// session cookie): their answers cannot depend on who asks. A cached answer is at most the TTL
// old, plus the time of one execution: an expired answer is served once more while a single
// request refreshes it in the background, so that nobody waits for the refresh. Seat maps are
// kept shorter, and live changes reach open pages through seatMapChanged.
//
// What may be cached is decided per query text: a single query operation whose root fields are
// all in cacheableFields.
var cacheableFields = map[string]bool{
	"cities": true, "movies": true, "movie": true, "theatres": true, "theatre": true, "showDates": true,
	"showtimes": true, "show": true, "seatMap": true,
}

// Bounds of the micro-cache.
const (
	microCacheMaxBody    = 16 << 10         // requests larger than this are not cached
	microCacheMaxAnswer  = 1 << 20          // answers larger than this are not kept
	microCacheMaxEntries = 4096             // answers kept at most
	microCacheMaxBytes   = 64 << 20         // bytes of answers kept at most (expired answers go first, then all)
	microCacheRefresh    = 10 * time.Second // the longest a background refresh may run
	microCacheMaxQueries = 1024             // distinct query texts whose verdict is remembered
	seatMapMaxAge        = 250 * time.Millisecond
)

type microCache struct {
	ttl  time.Duration
	next http.Handler
	now  func() time.Time

	mu       sync.Mutex
	entries  map[[32]byte]cachedAnswer
	bytes    int // of the answers in entries
	maxBytes int
	inFlight map[[32]byte]*flight
	verdicts map[string]time.Duration // query text → how long its answers may be kept (0: never)
}

type cachedAnswer struct {
	body        []byte
	contentType string
	expires     time.Time
}

// flight is one execution that concurrent identical requests wait for.
type flight struct {
	done        chan struct{}
	body        []byte
	contentType string
	ok          bool
}

// newMicroCache wraps next with a cache of anonymous catalogue answers kept for ttl (0: off).
func newMicroCache(ttl time.Duration, next http.Handler) http.Handler {
	if ttl <= 0 {
		return next
	}
	return &microCache{ttl: ttl, next: next, now: time.Now, entries: map[[32]byte]cachedAnswer{}, maxBytes: microCacheMaxBytes,
		inFlight: map[[32]byte]*flight{}, verdicts: map[string]time.Duration{}}
}

type gqlRequest struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
}

func (c *microCache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Authorization") != "" || hasCookie(r, session.CookieName) ||
		r.ContentLength > microCacheMaxBody {
		c.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, microCacheMaxBody+1))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || len(body) > microCacheMaxBody {
		c.next.ServeHTTP(w, r)
		return
	}
	var req gqlRequest
	if json.Unmarshal(body, &req) != nil {
		c.next.ServeHTTP(w, r)
		return
	}
	maxAge := c.verdict(req.Query)
	if maxAge <= 0 {
		c.next.ServeHTTP(w, r)
		return
	}
	// The key has the lengths of its parts, so that no two requests share one, and the Accept
	// header, which chooses the answer's content type.
	accept := r.Header.Get("Accept")
	key := sha256.Sum256(fmt.Appendf(nil, "%d:%s%d:%s%d:%s%s", len(req.OperationName), req.OperationName,
		len(req.Query), req.Query, len(accept), accept, req.Variables))
	now := c.now()
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && now.Before(e.expires.Add(maxAge)) {
		if !now.Before(e.expires) {
			// Expired but recent: serve it and refresh it in the background, once, so that no
			// request waits for the refresh (stale-while-revalidate).
			if _, busy := c.inFlight[key]; !busy {
				f := &flight{done: make(chan struct{})}
				c.inFlight[key] = f
				ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), microCacheRefresh)
				refresh := r.Clone(ctx)
				refresh.Body = io.NopCloser(bytes.NewReader(body))
				go func() {
					defer cancel()
					c.execute(key, maxAge, f, refresh, nil)
				}()
			}
		}
		c.mu.Unlock()
		writeCached(w, e.body, e.contentType)
		return
	}
	if f, ok := c.inFlight[key]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-r.Context().Done():
			return // the client has gone
		}
		if f.ok {
			writeCached(w, f.body, f.contentType)
			return
		}
		c.next.ServeHTTP(w, r)
		return
	}
	f := &flight{done: make(chan struct{})}
	c.inFlight[key] = f
	c.mu.Unlock()
	c.execute(key, maxAge, f, r, w)
}

// execute runs r, keeps its answer when it may be cached, wakes the requests waiting for it,
// and writes it to w (nil for a background refresh).
func (c *microCache) execute(key [32]byte, maxAge time.Duration, f *flight, r *http.Request, w http.ResponseWriter) {
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	defer func() {
		c.mu.Lock()
		delete(c.inFlight, key)
		if f.ok {
			c.keep(key, cachedAnswer{body: f.body, contentType: f.contentType, expires: c.now().Add(maxAge)})
		}
		c.mu.Unlock()
		close(f.done)
	}()
	c.next.ServeHTTP(rec, r)
	f.ok = rec.code == http.StatusOK && rec.body.Len() <= microCacheMaxAnswer && rec.header.Get("Set-Cookie") == "" &&
		!bytes.Contains(rec.body.Bytes(), []byte(`"errors"`))
	f.body, f.contentType = rec.body.Bytes(), rec.header.Get("Content-Type")
	if w == nil {
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.code)
	_, _ = w.Write(f.body)
}

// keep stores an answer within the cache's bounds: when they would be passed, answers expired
// for longer than any query's maximum age are dropped first, then all. Called with c.mu held.
func (c *microCache) keep(key [32]byte, a cachedAnswer) {
	if old, ok := c.entries[key]; ok {
		c.bytes -= len(old.body)
		delete(c.entries, key)
	}
	if len(c.entries) >= microCacheMaxEntries || c.bytes+len(a.body) > c.maxBytes {
		dead := c.now().Add(-c.ttl) // past serving even stale: an answer is served until its expiry plus its age
		for k, e := range c.entries {
			if e.expires.Before(dead) {
				c.bytes -= len(e.body)
				delete(c.entries, k)
			}
		}
	}
	if len(c.entries) >= microCacheMaxEntries || c.bytes+len(a.body) > c.maxBytes {
		clear(c.entries)
		c.bytes = 0
	}
	c.entries[key] = a
	c.bytes += len(a.body)
}

// verdict is how long answers to query may be kept: 0 unless it is one query operation whose
// root fields are all cacheable; shorter when it reads a seat map.
func (c *microCache) verdict(query string) time.Duration {
	c.mu.Lock()
	v, ok := c.verdicts[query]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = c.decide(query)
	c.mu.Lock()
	if len(c.verdicts) >= microCacheMaxQueries {
		clear(c.verdicts)
	}
	c.verdicts[query] = v
	c.mu.Unlock()
	return v
}

func (c *microCache) decide(query string) time.Duration {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil || len(doc.Operations) != 1 || doc.Operations[0].Operation != ast.Query {
		return 0
	}
	maxAge := c.ttl
	for _, sel := range doc.Operations[0].SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok || !cacheableFields[f.Name] {
			return 0
		}
		if f.Name == "seatMap" {
			maxAge = min(maxAge, seatMapMaxAge)
		}
	}
	return maxAge
}

func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

func writeCached(w http.ResponseWriter, body []byte, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Marquee-Cache", "hit")
	_, _ = w.Write(body)
}

// recorder keeps an answer so that it can be cached and written.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
