package audit_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

var (
	admin        = auth.Identity{UserID: "admin-1", Roles: []string{auth.RoleCustomer, auth.RoleAdmin}}
	theatreAdmin = auth.Identity{UserID: "tadmin-1", Roles: []string{auth.RoleCustomer, auth.RoleTheatreAdmin},
		TheatreIDs: []string{"theatre-a", "theatre-b"}}
	customer = auth.Identity{UserID: "cust-1", Roles: []string{auth.RoleCustomer}}
)

// fixture is a service over a log with entries of three theatres and of none.
type fixture struct {
	svc *audit.Service
	rec *audit.Recorder
	clk *clock.Manual
	// byTheatre counts the entries of each theatre ("" for none).
	byTheatre map[string]int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	repo := newRepo(t)
	clk := clock.NewManual(start)
	f := &fixture{svc: audit.NewService(repo), rec: audit.NewRecorder(repo, clk), clk: clk, byTheatre: map[string]int{}}
	f.record(t, as(admin), "movie.create", audit.ResourceMovie, "movie-1", "", 3)
	f.record(t, as(admin), "theatre.create", audit.ResourceTheatre, "theatre-a", "theatre-a", 1)
	f.record(t, as(theatreAdmin), "screen.update_layout", audit.ResourceScreen, "screen-a1", "theatre-a", 4)
	f.record(t, as(theatreAdmin), "screen.update_layout", audit.ResourceScreen, "screen-b1", "theatre-b", 2)
	f.record(t, as(admin), "screen.update_layout", audit.ResourceScreen, "screen-c1", "theatre-c", 5)
	f.record(t, context.Background(), "theatre_admins.assign", audit.ResourceUser, "tadmin-1", "", 1)
	return f
}

func (f *fixture) record(t *testing.T, ctx context.Context, action, resource, resourceID, theatreID string, n int) {
	t.Helper()
	for range n {
		if err := f.rec.Record(ctx, action, resource, resourceID, theatreID, "Did "+action+"."); err != nil {
			t.Fatal(err)
		}
		f.byTheatre[theatreID]++
		f.clk.Advance(time.Second)
	}
}

func theatresOf(entries []audit.Entry) map[string]int {
	out := map[string]int{}
	for _, e := range entries {
		out[e.TheatreID]++
	}
	return out
}

func sameCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

func TestListScopesByRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	total := 0
	for _, n := range f.byTheatre {
		total += n
	}
	cases := []struct {
		name   string
		ctx    context.Context
		filter audit.Filter
		want   map[string]int // entries per theatre
		code   errs.Code
	}{
		{"admin sees everything", as(admin), audit.Filter{}, f.byTheatre, ""},
		{"admin filters by any theatre", as(admin), audit.Filter{TheatreID: "theatre-c"}, map[string]int{"theatre-c": 5}, ""},
		{"admin filters by actor", as(admin), audit.Filter{ActorID: audit.SystemActor}, map[string]int{"": 1}, ""},
		{"theatre admin sees their theatres only", as(theatreAdmin), audit.Filter{},
			map[string]int{"theatre-a": 5, "theatre-b": 2}, ""},
		{"theatre admin filters by their theatre", as(theatreAdmin), audit.Filter{TheatreID: "theatre-b"},
			map[string]int{"theatre-b": 2}, ""},
		{"theatre admin filters by their theatres", as(theatreAdmin), audit.Filter{TheatreIDs: []string{"theatre-a"}},
			map[string]int{"theatre-a": 5}, ""},
		{"theatre admin filter is still forced", as(theatreAdmin), audit.Filter{Action: "screen.update_layout"},
			map[string]int{"theatre-a": 4, "theatre-b": 2}, ""},
		{"theatre admin of no theatre sees nothing", as(auth.Identity{UserID: "t2", Roles: []string{auth.RoleTheatreAdmin}}),
			audit.Filter{}, map[string]int{}, ""},
		{"theatre admin asks for another theatre", as(theatreAdmin), audit.Filter{TheatreID: "theatre-c"}, nil, errs.Forbidden},
		{"theatre admin asks for a set with another theatre", as(theatreAdmin),
			audit.Filter{TheatreIDs: []string{"theatre-a", "theatre-c"}}, nil, errs.Forbidden},
		{"customer", as(customer), audit.Filter{}, nil, errs.Forbidden},
		{"customer names a theatre", as(customer), audit.Filter{TheatreID: "theatre-a"}, nil, errs.Forbidden},
		{"no roles", as(auth.Identity{UserID: "x"}), audit.Filter{}, nil, errs.Forbidden},
		{"no identity", context.Background(), audit.Filter{}, nil, errs.Unauthenticated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			page, err := f.svc.List(c.ctx, c.filter, audit.MaxPageSize, "")
			if c.code != "" {
				if !errs.Is(err, c.code) {
					t.Fatalf("got %v, want %s", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := theatresOf(page.Entries); !sameCounts(got, c.want) {
				t.Fatalf("entries per theatre %v, want %v", got, c.want)
			}
			if page.HasNextPage {
				t.Fatal("HasNextPage on the only page")
			}
			if !slices.IsSortedFunc(page.Entries, func(a, b audit.Entry) int { return b.At.Compare(a.At) }) {
				t.Fatal("entries are not newest first")
			}
		})
	}
	if total > audit.MaxPageSize {
		t.Fatalf("fixture of %d entries does not fit a page", total)
	}
}

func TestListPagesWithCursors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, who := range []auth.Identity{admin, theatreAdmin} {
		all, err := f.svc.List(as(who), audit.Filter{}, audit.MaxPageSize, "")
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		after := ""
		for page := 0; ; page++ {
			if page > len(all.Entries) {
				t.Fatalf("%s: paging does not end", who.UserID)
			}
			p, err := f.svc.List(as(who), audit.Filter{}, 3, after)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Entries {
				seen = append(seen, e.ID)
			}
			if n := len(p.Entries); n > 0 && p.EndCursor != audit.CursorOf(p.Entries[n-1]) {
				t.Fatalf("%s: end cursor %q does not point at the last entry", who.UserID, p.EndCursor)
			}
			if !p.HasNextPage {
				break
			}
			if len(p.Entries) != 3 {
				t.Fatalf("%s: a short page (%d) claims a next page", who.UserID, len(p.Entries))
			}
			after = p.EndCursor
		}
		var want []string
		for _, e := range all.Entries {
			want = append(want, e.ID)
		}
		if !slices.Equal(seen, want) {
			t.Fatalf("%s: paged %d ids, want %d, in the same order", who.UserID, len(seen), len(want))
		}
	}

	// An empty page has no end cursor.
	p, err := f.svc.List(as(admin), audit.Filter{ActorID: "nobody"}, 10, "")
	if err != nil || len(p.Entries) != 0 || p.EndCursor != "" || p.HasNextPage {
		t.Fatalf("empty page: %+v, %v", p, err)
	}
}

func TestListPageSize(t *testing.T) {
	t.Parallel()
	repo := newRepo(t)
	clk := clock.NewManual(start)
	rec := audit.NewRecorder(repo, clk)
	for range audit.MaxPageSize + 5 {
		if err := rec.Record(as(admin), "movie.update", audit.ResourceMovie, "movie-1", "", "Updated."); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Millisecond)
	}
	svc := audit.NewService(repo)
	for _, c := range []struct {
		first, want int
		next        bool
	}{
		{0, audit.DefaultPageSize, true},
		{1, 1, true},
		{audit.MaxPageSize, audit.MaxPageSize, true},
	} {
		p, err := svc.List(as(admin), audit.Filter{}, c.first, "")
		if err != nil || len(p.Entries) != c.want || p.HasNextPage != c.next {
			t.Errorf("first %d: %d entries, next %v, %v; want %d, %v", c.first, len(p.Entries), p.HasNextPage, err, c.want, c.next)
		}
	}
	for _, first := range []int{-1, audit.MaxPageSize + 1} {
		_, err := svc.List(as(admin), audit.Filter{}, first, "")
		if !errs.Is(err, errs.Invalid) || errs.As(err).Field != "first" {
			t.Errorf("first %d: got %v, want invalid first", first, err)
		}
	}
	// Authentication comes before argument checks.
	if _, err := svc.List(context.Background(), audit.Filter{}, -1, "junk"); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("no identity with bad arguments: got %v, want unauthenticated", err)
	}
}

func TestListRejectsBadArguments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	long := strings.Repeat("x", audit.MaxIDLen+1)
	cases := []struct {
		name   string
		filter audit.Filter
		after  string
		field  string
	}{
		{"cursor not base64", audit.Filter{}, "not a cursor!", "after"},
		{"cursor padded base64", audit.Filter{}, base64.URLEncoding.EncodeToString([]byte(`{"t":1,"i":"xy"}`)), "after"},
		{"cursor not JSON", audit.Filter{}, b64("hello"), "after"},
		{"cursor JSON null", audit.Filter{}, b64("null"), "after"},
		{"cursor without id", audit.Filter{}, b64(`{"t":1}`), "after"},
		{"cursor with a bad time", audit.Filter{}, b64(`{"t":"yesterday","i":"x"}`), "after"},
		{"cursor with a long id", audit.Filter{}, b64(`{"t":1,"i":"` + long + `"}`), "after"},
		{"cursor too long", audit.Filter{}, strings.Repeat("A", 4096), "after"},
		{"long actor", audit.Filter{ActorID: long}, "", "actorId"},
		{"long theatre", audit.Filter{TheatreID: long}, "", "theatreId"},
		{"long theatre in a set", audit.Filter{TheatreIDs: []string{long}}, "", "theatreIds"},
		{"until before since", audit.Filter{Since: start, Until: start.Add(-time.Second)}, "", "until"},
		{"until equal to since", audit.Filter{Since: start, Until: start}, "", "until"},
	}
	for _, c := range cases {
		_, err := f.svc.List(as(admin), c.filter, 10, c.after)
		if !errs.Is(err, errs.Invalid) || errs.As(err).Field != c.field {
			t.Errorf("%s: got %v, want invalid %s", c.name, err, c.field)
		}
	}
}

func TestListTimeBounds(t *testing.T) {
	t.Parallel()
	f := newFixture(t) // one entry a second from start
	p, err := f.svc.List(as(admin), audit.Filter{Since: start.Add(2 * time.Second), Until: start.Add(5 * time.Second)}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 3 || !p.Entries[0].At.Equal(start.Add(4*time.Second)) || !p.Entries[2].At.Equal(start.Add(2*time.Second)) {
		t.Fatalf("got %+v, want the entries at 4s, 3s and 2s", p.Entries)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	pos := audit.Position{At: start.Add(123 * time.Millisecond), ID: "0198a0b4-7c1e-7b1a-9c3d-1234567890ab"}
	got, err := audit.DecodeCursor(audit.EncodeCursor(pos))
	if err != nil || !got.At.Equal(pos.At) || got.At.Location() != time.UTC || got.ID != pos.ID {
		t.Fatalf("round trip of %+v: %+v, %v", pos, got, err)
	}
}
