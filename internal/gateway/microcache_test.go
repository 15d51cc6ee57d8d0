package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingAPI answers every query with how many times it was asked, so that a cached answer
// shows as a repeated count.
func countingAPI(calls *atomic.Int64, delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		time.Sleep(delay)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(string(body), "broken") {
			_, _ = io.WriteString(w, `{"errors":[{"message":"no"}],"data":null}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"n": n}})
	})
}

func post(t *testing.T, h http.Handler, query string, vars string, edit func(*http.Request)) (string, string) {
	t.Helper()
	body := `{"query":` + mustJSON(query) + `,"variables":` + vars + `}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if edit != nil {
		edit(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d", rec.Code)
	}
	return strings.TrimSpace(rec.Body.String()), rec.Header().Get("X-Marquee-Cache")
}

func mustJSON(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestMicroCacheServesAnonymousCatalogueQueries(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	now := time.Unix(1_800_000_000, 0)
	var mu sync.Mutex
	c := newMicroCache(time.Second, countingAPI(&calls, 0)).(*microCache)
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	q := `query($m: ID!) { showtimes(filter: {movieId: $m}) { theatre { name } } }`
	first, _ := post(t, c, q, `{"m":"1"}`, nil)
	second, hit := post(t, c, q, `{"m":"1"}`, nil)
	if first != second || hit != "hit" || calls.Load() != 1 {
		t.Fatalf("a repeated anonymous query was executed again: %s / %s (%q), %d calls", first, second, hit, calls.Load())
	}
	if other, _ := post(t, c, q, `{"m":"2"}`, nil); other == first {
		t.Fatal("other variables got the cached answer")
	}
	// Expired but recent: served once more while one refresh runs in the background.
	advance(1100 * time.Millisecond)
	before := calls.Load()
	if stale, hit := post(t, c, q, `{"m":"1"}`, nil); stale != first || hit != "hit" {
		t.Fatalf("an expired answer was not served while refreshing: %s (%q)", stale, hit)
	}
	deadline := time.Now().Add(2 * time.Second)
	for calls.Load() == before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	var fresh string
	for time.Now().Before(deadline) {
		if fresh, _ = post(t, c, q, `{"m":"1"}`, nil); fresh != first {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if fresh == first || calls.Load() != before+1 {
		t.Fatalf("the refresh did not replace the answer (%s), or ran more than once (%d calls)", fresh, calls.Load()-before)
	}
	// Older than twice the TTL: executed before answering.
	advance(2100 * time.Millisecond)
	if old, hit := post(t, c, q, `{"m":"1"}`, nil); old == fresh || hit == "hit" {
		t.Fatalf("an answer older than twice the TTL was served: %s", old)
	}

	// Seat maps are kept a quarter of a second at most (half a second while refreshing).
	sm := `{ seatMap(showId: "s") { rows { label } } }`
	a, _ := post(t, c, sm, `{}`, nil)
	advance(600 * time.Millisecond)
	if b, _ := post(t, c, sm, `{}`, nil); a == b {
		t.Fatal("a seat map was kept longer than 500ms")
	}

	// Never cached: callers with an identity, mutations, other root fields, several
	// operations, errors.
	never := []struct {
		name, query string
		edit        func(*http.Request)
	}{
		{"token", q, func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }},
		{"session", q, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "marquee_session", Value: "v"}) }},
		{"mutation", `mutation { releaseHold(holdId: "h") }`, nil},
		{"me", `{ me { id } movies { edges { cursor } } }`, nil},
		{"booking", `{ booking(id: "b") { id } }`, nil},
		{"two operations", `query A { cities { id } } query B { cities { name } }`, nil},
		{"fragment at the root", `{ ...F } fragment F on Query { cities { id } }`, nil},
		{"errors", `{ cities { broken } }`, nil},
		{"not GraphQL", `{ cities `, nil},
	}
	for _, n := range never {
		before := calls.Load()
		post(t, c, n.query, `{}`, n.edit)
		post(t, c, n.query, `{}`, n.edit)
		if calls.Load()-before != 2 {
			t.Errorf("%s: answered from the cache", n.name)
		}
	}
}

func TestMicroCacheRunsConcurrentIdenticalQueriesOnce(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	c := newMicroCache(time.Second, countingAPI(&calls, 50*time.Millisecond))
	var wg sync.WaitGroup
	answers := make([]string, 20)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], _ = post(t, c, `{ cities { id } }`, `{}`, nil)
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("%d executions for 20 identical concurrent queries", calls.Load())
	}
	for _, a := range answers {
		if a != answers[0] {
			t.Fatalf("answers differ: %s vs %s", a, answers[0])
		}
	}
}

func TestMicroCacheOff(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	h := newMicroCache(0, countingAPI(&calls, 0))
	post(t, h, `{ cities { id } }`, `{}`, nil)
	post(t, h, `{ cities { id } }`, `{}`, nil)
	if calls.Load() != 2 {
		t.Fatal("a TTL of 0 still caches")
	}
}

// TestMicroCacheStaysWithinItsBytes: answers beyond the byte budget push out the expired ones
// first, and the cache never holds more than the budget.
func TestMicroCacheStaysWithinItsBytes(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	now := time.Unix(1_800_000_000, 0)
	c := newMicroCache(time.Second, countingAPI(&calls, 0)).(*microCache)
	c.now = func() time.Time { return now }
	answer, _ := post(t, c, `{ cities { id } }`, `{"v":0}`, nil)
	c.maxBytes = 10 * (len(answer) + 2)
	for i := range 100 { // distinct variables: distinct entries
		post(t, c, `{ cities { id } }`, `{"v":`+strconv.Itoa(i+1)+`}`, nil)
		if c.bytes > c.maxBytes {
			t.Fatalf("%d bytes kept, budget %d", c.bytes, c.maxBytes)
		}
	}
	now = now.Add(3 * time.Second) // everything kept is dead
	post(t, c, `{ cities { id } }`, `{"v":"fresh1"}`, nil)
	for i := range 8 {
		post(t, c, `{ cities { id } }`, `{"v":"fresh`+strconv.Itoa(i+2)+`"}`, nil)
	}
	before := calls.Load()
	if _, hit := post(t, c, `{ cities { id } }`, `{"v":"fresh1"}`, nil); hit != "hit" || calls.Load() != before {
		t.Fatal("a live answer was dropped while dead ones were kept")
	}
}

// TestMicroCacheWaiterLeavesWithItsClient: a request waiting for an identical one in progress
// returns when its own client gives up.
func TestMicroCacheWaiterLeavesWithItsClient(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release })
	c := newMicroCache(time.Second, slow)
	request := func(ctx context.Context) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ cities { id } }"}`)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/json")
		c.ServeHTTP(httptest.NewRecorder(), req)
	}
	go request(context.Background()) // runs until release
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		request(ctx)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting request outlived its client by seconds")
	}
}

// TestMicroCacheKeysOnAccept: an answer kept for one Accept header is not served for another (the
// content type differs).
func TestMicroCacheKeysOnAccept(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	c := newMicroCache(time.Second, countingAPI(&calls, 0))
	accept := func(v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set("Accept", v) } }
	post(t, c, `{ cities { id } }`, `{}`, accept("application/graphql-response+json"))
	if _, hit := post(t, c, `{ cities { id } }`, `{}`, accept("application/json")); hit == "hit" {
		t.Fatal("an answer kept for another Accept header was served")
	}
	if _, hit := post(t, c, `{ cities { id } }`, `{}`, accept("application/json")); hit != "hit" {
		t.Fatal("the same Accept header missed")
	}
}
