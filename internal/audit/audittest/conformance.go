// Package audittest is the conformance suite every audit.Repository adapter must pass.
package audittest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// base is the time the suite's entries are made around.
var base = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

// Sample returns a valid entry at the given time with a fresh id.
func Sample(at time.Time) audit.Entry {
	return audit.Entry{ID: ids.New(), At: at, ActorID: "user-1", ActorRoles: []string{"admin"},
		Action: "movie.create", Resource: audit.ResourceMovie, ResourceID: "movie-1", TheatreID: "",
		Summary: "Created the movie “Sample”."}
}

// Run runs the suite. newRepo returns an empty repository for each subtest.
func Run(t *testing.T, newRepo func(t *testing.T) audit.Repository) {
	ctx := context.Background()

	t.Run("append and list round-trip every field", func(t *testing.T) {
		r := newRepo(t)
		full := Sample(time.Date(2026, 11, 2, 9, 30, 15, 123456789, time.FixedZone("IST", 5*3600+1800)))
		full.ActorRoles = []string{"customer", "theatre_admin"}
		full.Action, full.Resource, full.ResourceID = "screen.update_layout", audit.ResourceScreen, "screen-9"
		full.TheatreID = "theatre-3"
		full.Summary = "Changed the layout of Screen 2 — 240 seats, ₹ pricing; \"quoted\" and 'quoted'."
		system := Sample(base)
		system.ActorID, system.ActorRoles = audit.SystemActor, nil
		mustAppend(t, r, full, system)

		got := mustList(t, r, audit.Filter{}, nil, 10)
		want := []audit.Entry{full, system}
		want[0].At = time.Date(2026, 11, 2, 4, 0, 15, 123000000, time.UTC) // UTC, whole milliseconds
		if len(got) != 2 {
			t.Fatalf("listed %d entries, want 2", len(got))
		}
		for i := range want {
			if !equal(got[i], want[i]) {
				t.Errorf("entry %d:\n got  %#v\n want %#v", i, got[i], want[i])
			}
		}
	})

	t.Run("an empty log lists nothing, and so does a limit of zero", func(t *testing.T) {
		r := newRepo(t)
		if got := mustList(t, r, audit.Filter{}, nil, 10); len(got) != 0 {
			t.Fatalf("empty log: %d entries", len(got))
		}
		mustAppend(t, r, Sample(base))
		if got := mustList(t, r, audit.Filter{}, nil, 0); len(got) != 0 {
			t.Fatalf("limit 0: %d entries", len(got))
		}
		if got := mustList(t, r, audit.Filter{}, nil, 1); len(got) != 1 {
			t.Fatalf("limit 1: %d entries", len(got))
		}
	})

	t.Run("newest first, ties by id descending", func(t *testing.T) {
		r := newRepo(t)
		all := spread(12, 3)
		shuffled := slices.Clone(all)
		rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		mustAppend(t, r, shuffled...)
		got := mustList(t, r, audit.Filter{}, nil, 100)
		if want := ordered(all); !slices.Equal(idsOf(got), idsOf(want)) {
			t.Fatalf("order\n got  %v\n want %v", describe(got), describe(want))
		}
		if got := mustList(t, r, audit.Filter{}, nil, 5); !slices.Equal(idsOf(got), idsOf(ordered(all)[:5])) {
			t.Fatalf("a limited list is not the head of the full one: %v", describe(got))
		}
	})

	t.Run("each filter field", func(t *testing.T) {
		r := newRepo(t)
		var all []audit.Entry
		add := func(n int, edit func(*audit.Entry)) {
			for range n {
				e := Sample(base.Add(time.Duration(len(all)) * time.Second))
				edit(&e)
				all = append(all, e)
			}
		}
		add(3, func(e *audit.Entry) {}) // user-1 created movie-1
		add(2, func(e *audit.Entry) {
			e.ActorID, e.Action, e.Resource, e.ResourceID, e.TheatreID = "user-2", "theatre.update", audit.ResourceTheatre, "theatre-a", "theatre-a"
		})
		add(4, func(e *audit.Entry) {
			e.ActorID, e.Action, e.Resource, e.ResourceID, e.TheatreID = "user-2", "screen.update_layout", audit.ResourceScreen, "screen-1", "theatre-a"
		})
		add(1, func(e *audit.Entry) {
			e.ActorID, e.Action, e.Resource, e.ResourceID, e.TheatreID = "user-3", "screen.update_layout", audit.ResourceScreen, "screen-2", "theatre-b"
		})
		add(2, func(e *audit.Entry) {
			e.ActorID, e.Action, e.Resource, e.ResourceID = audit.SystemActor, "theatre_admins.assign", audit.ResourceUser, "user-3"
		})
		add(1, func(e *audit.Entry) { e.Resource, e.ResourceID = audit.ResourceScreen, "movie-1" }) // same id, other resource
		mustAppend(t, r, all...)

		cases := []struct {
			name string
			f    audit.Filter
			want func(audit.Entry) bool
		}{
			{"actor", audit.Filter{ActorID: "user-2"}, func(e audit.Entry) bool { return e.ActorID == "user-2" }},
			{"system actor", audit.Filter{ActorID: audit.SystemActor}, func(e audit.Entry) bool { return e.ActorID == audit.SystemActor }},
			{"resource", audit.Filter{Resource: audit.ResourceScreen}, func(e audit.Entry) bool { return e.Resource == audit.ResourceScreen }},
			{"resource id", audit.Filter{ResourceID: "movie-1"}, func(e audit.Entry) bool { return e.ResourceID == "movie-1" }},
			{"resource and id", audit.Filter{Resource: audit.ResourceMovie, ResourceID: "movie-1"}, func(e audit.Entry) bool {
				return e.Resource == audit.ResourceMovie && e.ResourceID == "movie-1"
			}},
			{"theatre", audit.Filter{TheatreID: "theatre-a"}, func(e audit.Entry) bool { return e.TheatreID == "theatre-a" }},
			{"action", audit.Filter{Action: "screen.update_layout"}, func(e audit.Entry) bool { return e.Action == "screen.update_layout" }},
			{"theatre set", audit.Filter{TheatreIDs: []string{"theatre-b", "theatre-z"}}, func(e audit.Entry) bool { return e.TheatreID == "theatre-b" }},
			{"theatre set with theatre", audit.Filter{TheatreID: "theatre-a", TheatreIDs: []string{"theatre-a", "theatre-b"}}, func(e audit.Entry) bool {
				return e.TheatreID == "theatre-a"
			}},
			{"theatre outside the set", audit.Filter{TheatreID: "theatre-a", TheatreIDs: []string{"theatre-b"}}, func(audit.Entry) bool { return false }},
			{"empty theatre set selects none", audit.Filter{TheatreIDs: []string{}}, func(audit.Entry) bool { return false }},
			{"combined", audit.Filter{ActorID: "user-2", Action: "screen.update_layout", TheatreID: "theatre-a"}, func(e audit.Entry) bool {
				return e.ActorID == "user-2" && e.Action == "screen.update_layout"
			}},
			{"no match", audit.Filter{ActorID: "nobody"}, func(audit.Entry) bool { return false }},
			{"values are exact, not patterns", audit.Filter{Action: "screen.%"}, func(audit.Entry) bool { return false }},
		}
		for _, c := range cases {
			got := mustList(t, r, c.f, nil, 100)
			want := ordered(keep(all, c.want))
			if !slices.Equal(idsOf(got), idsOf(want)) {
				t.Errorf("%s: got %d entries %v\n want %d %v", c.name, len(got), describe(got), len(want), describe(want))
			}
		}
	})

	t.Run("since is inclusive, until exclusive", func(t *testing.T) {
		r := newRepo(t)
		var all []audit.Entry
		for i := range 6 {
			all = append(all, Sample(base.Add(time.Duration(i)*time.Minute)))
		}
		mustAppend(t, r, all...)
		at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
		cases := []struct {
			name string
			f    audit.Filter
			want []int // indexes into all
		}{
			{"since", audit.Filter{Since: at(2)}, []int{2, 3, 4, 5}},
			{"until", audit.Filter{Until: at(2)}, []int{0, 1}},
			{"both", audit.Filter{Since: at(1), Until: at(4)}, []int{1, 2, 3}},
			{"since just after an entry", audit.Filter{Since: at(2).Add(time.Nanosecond)}, []int{3, 4, 5}},
			{"until just after an entry", audit.Filter{Until: at(2).Add(time.Nanosecond)}, []int{0, 1, 2}},
			{"since another zone", audit.Filter{Since: at(4).In(time.FixedZone("PST", -8*3600))}, []int{4, 5}},
			{"before everything", audit.Filter{Until: at(0)}, nil},
			{"after everything", audit.Filter{Since: at(6)}, nil},
			{"with another filter", audit.Filter{Since: at(3), ActorID: "user-1"}, []int{3, 4, 5}},
		}
		for _, c := range cases {
			var want []audit.Entry
			for _, i := range c.want {
				want = append(want, all[i])
			}
			got := mustList(t, r, c.f, nil, 100)
			if !slices.Equal(idsOf(got), idsOf(ordered(want))) {
				t.Errorf("%s: got %v, want %v", c.name, describe(got), describe(ordered(want)))
			}
		}
	})

	t.Run("cursor pages through everything without duplicates or gaps", func(t *testing.T) {
		r := newRepo(t)
		all := spread(23, 4) // several entries per millisecond, so pages break inside ties
		for i := range all {
			if i%3 == 0 {
				all[i].TheatreID = "theatre-a"
			}
		}
		mustAppend(t, r, all...)
		for _, c := range []struct {
			f    audit.Filter
			want []audit.Entry
		}{
			{audit.Filter{}, ordered(all)},
			{audit.Filter{TheatreID: "theatre-a"}, ordered(keep(all, func(e audit.Entry) bool { return e.TheatreID == "theatre-a" }))},
		} {
			for _, size := range []int{1, 2, 3, 4, 7, 23, 50} {
				var seen []audit.Entry
				var after *audit.Position
				for page := 0; ; page++ {
					if page > len(all)+1 {
						t.Fatalf("filter %+v, page size %d: paging does not end", c.f, size)
					}
					got := mustList(t, r, c.f, after, size)
					if len(got) > size {
						t.Fatalf("page of %d entries, limit %d", len(got), size)
					}
					seen = append(seen, got...)
					if len(got) < size {
						break
					}
					p := audit.PositionOf(got[len(got)-1])
					after = &p
				}
				if !slices.Equal(idsOf(seen), idsOf(c.want)) {
					t.Fatalf("filter %+v, page size %d:\n got  %v\n want %v", c.f, size, describe(seen), describe(c.want))
				}
			}
		}

		// A position inside a tie: the rest of the tie (smaller ids), then older entries.
		want := ordered(all)
		p := audit.PositionOf(want[5])
		if got := mustList(t, r, audit.Filter{}, &p, 100); !slices.Equal(idsOf(got), idsOf(want[6:])) {
			t.Fatalf("after entry 5: got %v, want %v", describe(got), describe(want[6:]))
		}
		// A position that is not an entry's works too.
		p = audit.Position{At: want[0].At, ID: strings.Repeat("f", 36)}
		if got := mustList(t, r, audit.Filter{}, &p, 100); len(got) != len(all) {
			t.Fatalf("after a position before the newest entry: %d entries, want %d", len(got), len(all))
		}
		p = audit.Position{At: base.Add(-time.Hour), ID: want[0].ID}
		if got := mustList(t, r, audit.Filter{}, &p, 100); len(got) != 0 {
			t.Fatalf("after a position older than every entry: %d entries", len(got))
		}
	})

	t.Run("duplicate id is a conflict and keeps the first entry", func(t *testing.T) {
		r := newRepo(t)
		e := Sample(base)
		mustAppend(t, r, e)
		again := e
		again.Summary, again.At = "Something else.", base.Add(time.Hour)
		if err := r.Append(ctx, again); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second append: got %v, want conflict", err)
		}
		got := mustList(t, r, audit.Filter{}, nil, 10)
		if len(got) != 1 || !equal(got[0], e) {
			t.Fatalf("after a conflict the log holds %v", describe(got))
		}
	})

	t.Run("concurrent appends: distinct ids all land, one id lands once", func(t *testing.T) {
		r := newRepo(t)
		const writers = 8
		var wg sync.WaitGroup
		distinct := make([]error, writers)
		same := make([]error, writers)
		dup := Sample(base)
		for i := range writers {
			wg.Go(func() {
				distinct[i] = r.Append(ctx, Sample(base.Add(time.Duration(i)*time.Millisecond)))
				same[i] = r.Append(ctx, dup)
			})
		}
		wg.Wait()
		won := 0
		for i := range writers {
			if distinct[i] != nil {
				t.Fatalf("distinct append %d: %v", i, distinct[i])
			}
			switch err := same[i]; {
			case err == nil:
				won++
			case !errs.Is(err, errs.Conflict):
				t.Fatalf("duplicate append %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d appends of one id succeeded, want exactly 1", won)
		}
		if got := mustList(t, r, audit.Filter{}, nil, 100); len(got) != writers+1 {
			t.Fatalf("listed %d entries, want %d", len(got), writers+1)
		}
	})
}

// spread returns n entries, perTie of them in each millisecond, in no particular order of ids.
func spread(n, perTie int) []audit.Entry {
	out := make([]audit.Entry, n)
	for i := range out {
		out[i] = Sample(base.Add(time.Duration(i/perTie) * time.Millisecond))
	}
	return out
}

// ordered returns entries in listing order: At descending, then ID descending.
func ordered(entries []audit.Entry) []audit.Entry {
	out := slices.Clone(entries)
	slices.SortFunc(out, func(a, b audit.Entry) int {
		if c := audit.StoredTime(b.At).Compare(audit.StoredTime(a.At)); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

func keep(entries []audit.Entry, fn func(audit.Entry) bool) []audit.Entry {
	var out []audit.Entry
	for _, e := range entries {
		if fn(e) {
			out = append(out, e)
		}
	}
	return out
}

func idsOf(entries []audit.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

func describe(entries []audit.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = fmt.Sprintf("%s/%s", e.At.Format("15:04:05.000"), e.ID[len(e.ID)-4:])
	}
	return out
}

// equal reports whether got is want as stored: At in UTC to the millisecond, the rest unchanged
// (no roles and an empty list of roles are the same).
func equal(got, want audit.Entry) bool {
	if !got.At.Equal(audit.StoredTime(want.At)) || got.At.Location() != time.UTC {
		return false
	}
	if len(got.ActorRoles) == 0 && len(want.ActorRoles) == 0 {
		got.ActorRoles, want.ActorRoles = nil, nil
	}
	got.At, want.At = time.Time{}, time.Time{}
	return reflect.DeepEqual(got, want)
}

func mustAppend(t *testing.T, r audit.Repository, entries ...audit.Entry) {
	t.Helper()
	for _, e := range entries {
		if err := r.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func mustList(t *testing.T, r audit.Repository, f audit.Filter, after *audit.Position, limit int) []audit.Entry {
	t.Helper()
	got, err := r.List(context.Background(), f, after, limit)
	if err != nil {
		t.Fatalf("list %+v after %+v: %v", f, after, err)
	}
	return got
}
