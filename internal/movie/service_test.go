package movie_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/movie/moviesqlite"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

// newService returns a movie service on a fresh SQLite database in a temp dir.
func newService(t *testing.T) *movie.Service {
	t.Helper()
	ctx := adminContext()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), sqlitedb.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	repo, err := moviesqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return movie.NewService(repo, clock.NewManual(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)))
}

// create stores a movie of each title and returns them in creation order.
func create(t *testing.T, svc *movie.Service, titles ...string) []movie.Movie {
	t.Helper()
	var out []movie.Movie
	for _, title := range titles {
		m := film()
		m.Title = title
		got, err := svc.Create(adminContext(), m)
		if err != nil {
			t.Fatalf("create %q: %v", title, err)
		}
		out = append(out, got)
	}
	return out
}

func TestListRejectsBadArguments(t *testing.T) {
	t.Parallel()
	svc := newService(t)
	tests := []struct {
		name   string
		filter movie.Filter
		first  int
		after  string
		field  string
	}{
		{"negative first", movie.Filter{}, -1, "", "first"},
		{"first over 100", movie.Filter{}, movie.MaxPageSize + 1, "", "first"},
		{"unknown status", movie.Filter{Status: "RELEASED"}, 10, "", "status"},
		{"lower-case status", movie.Filter{Status: "upcoming"}, 10, "", "status"},
		{"search over 200 characters", movie.Filter{Search: strings.Repeat("s", movie.MaxTitleLen+1)}, 10, "", "search"},
		{"cursor that is not base64", movie.Filter{}, 10, "not a cursor!", "after"},
		{"cursor that is not JSON", movie.Filter{}, 10, base64.RawURLEncoding.EncodeToString([]byte("hello")), "after"},
		{"cursor with padding", movie.Filter{}, 10, base64.URLEncoding.EncodeToString([]byte(`{"k":"a","i":"` + ids.New() + `"}`)), "after"},
		{"cursor without an id", movie.Filter{}, 10, base64.RawURLEncoding.EncodeToString([]byte(`{"k":"a"}`)), "after"},
		{"cursor with a bad id", movie.Filter{}, 10, base64.RawURLEncoding.EncodeToString([]byte(`{"k":"a","i":"42"}`)), "after"},
		{"cursor of JSON null", movie.Filter{}, 10, base64.RawURLEncoding.EncodeToString([]byte(`null`)), "after"},
		{"very long cursor", movie.Filter{}, 10, strings.Repeat("A", 5000), "after"},
		{"cursor with a key longer than any title", movie.Filter{}, 10, movie.EncodeCursor(movie.Position{
			TitleKey: strings.Repeat("k", movie.MaxTitleLen+1), ID: ids.New()}), "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := svc.List(adminContext(), tt.filter, tt.first, tt.after)
			assertInvalid(t, err, tt.field)
		})
	}
}

func TestListPageSizes(t *testing.T) {
	t.Parallel()
	svc := newService(t)
	titles := make([]string, movie.DefaultPageSize+5)
	for i := range titles {
		titles[i] = fmt.Sprintf("Film %02d", i)
	}
	create(t, svc, titles...)
	tests := []struct {
		name     string
		first    int
		wantLen  int
		wantNext bool
	}{
		{"zero means the default", 0, movie.DefaultPageSize, true},
		{"one", 1, 1, true},
		{"exactly all", len(titles), len(titles), false},
		{"the maximum", movie.MaxPageSize, len(titles), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := svc.List(adminContext(), movie.Filter{}, tt.first, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Movies) != tt.wantLen || res.HasNextPage != tt.wantNext {
				t.Fatalf("got %d movies, next page %v; want %d, %v", len(res.Movies), res.HasNextPage, tt.wantLen, tt.wantNext)
			}
		})
	}
}

func TestListPagesWithCursors(t *testing.T) {
	t.Parallel()
	ctx := adminContext()
	svc := newService(t)
	// Equal sort keys ("beta", "Beta") are ordered by id; a cursor must not skip or repeat them.
	all := create(t, svc, "Gamma", "beta", "Alpha", "Beta", "delta", "alpha", "Épsilon", "zeta", "Beta")
	byKey := slices.Clone(all)
	slices.SortFunc(byKey, func(a, b movie.Movie) int {
		if c := strings.Compare(movie.SortKey(a.Title), movie.SortKey(b.Title)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, size := range []int{1, 2, 3, 4, len(all) - 1, len(all)} {
		t.Run(fmt.Sprintf("pages of %d", size), func(t *testing.T) {
			t.Parallel()
			var got []movie.Movie
			after := ""
			for page := 0; ; page++ {
				if page > len(all) {
					t.Fatal("paging does not end")
				}
				res, err := svc.List(ctx, movie.Filter{}, size, after)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, res.Movies...)
				if !res.HasNextPage {
					break
				}
				if len(res.Movies) != size {
					t.Fatalf("page %d has %d movies and a next page", page, len(res.Movies))
				}
				after = movie.CursorOf(res.Movies[len(res.Movies)-1])
			}
			if idsOf(got) != idsOf(byKey) {
				t.Fatalf("paged listing\n%s\nwant\n%s", titlesOf(got), titlesOf(byKey))
			}
		})
	}
	t.Run("filtered", func(t *testing.T) {
		t.Parallel()
		res, err := svc.List(ctx, movie.Filter{Search: "BETA"}, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []movie.Movie
		for {
			got = append(got, res.Movies...)
			if !res.HasNextPage {
				break
			}
			if res, err = svc.List(ctx, movie.Filter{Search: "BETA"}, 1, movie.CursorOf(got[len(got)-1])); err != nil {
				t.Fatal(err)
			}
		}
		if len(got) != 3 {
			t.Fatalf("got %s, want the three Betas", titlesOf(got))
		}
	})
}

func idsOf(ms []movie.Movie) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.ID)
	}
	return strings.Join(s, ",")
}

func titlesOf(ms []movie.Movie) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Title)
	}
	return strings.Join(s, ", ")
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	id := ids.New()
	tests := []struct {
		name string
		pos  movie.Position
	}{
		{"plain", movie.Position{TitleKey: "lagaan", ID: id}},
		{"empty key", movie.Position{TitleKey: "", ID: id}},
		{"quotes and escapes", movie.Position{TitleKey: `"a"\b/<c>&d` + "\n\t\u2028", ID: id}},
		{"Devanagari", movie.Position{TitleKey: "शोले", ID: id}},
		{"upper-case id", movie.Position{TitleKey: "x", ID: strings.ToUpper(id)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := movie.EncodeCursor(tt.pos)
			if strings.ContainsAny(c, "+/=") {
				t.Errorf("cursor %q is not URL-safe", c)
			}
			got, err := movie.DecodeCursor(c)
			if err != nil {
				t.Fatalf("DecodeCursor(%q): %v", c, err)
			}
			if got != tt.pos {
				t.Fatalf("got %+v, want %+v", got, tt.pos)
			}
		})
	}
}

func TestCursorOfEveryValidTitleDecodes(t *testing.T) {
	t.Parallel()
	// The longest titles Validate accepts, made of the characters JSON and UTF-8 make longest.
	tests := []struct {
		name  string
		title string
	}{
		{"ASCII", strings.Repeat("t", movie.MaxTitleLen)},
		{"emoji", strings.Repeat("🎬", movie.MaxTitleLen)},
		{"ampersands", strings.Repeat("&", movie.MaxTitleLen)},
		{"angle brackets", "<" + strings.Repeat(">", movie.MaxTitleLen-1)},
		{"line separators", "x" + strings.Repeat("\u2028", movie.MaxTitleLen-2) + "x"},
		{"control characters", "x" + strings.Repeat("\x01", movie.MaxTitleLen-2) + "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := film()
			m.Title = tt.title
			m.Normalize()
			if err := m.Validate(); err != nil {
				t.Fatalf("the title is not valid: %v", err)
			}
			m.ID = ids.New()
			p, err := movie.DecodeCursor(movie.CursorOf(m))
			if err != nil {
				t.Fatalf("the cursor of a valid movie does not decode: %v", err)
			}
			if p.ID != m.ID || p.TitleKey != movie.SortKey(m.Title) {
				t.Fatalf("got %+v", p)
			}
		})
	}
}

func TestServiceGetChecksIDs(t *testing.T) {
	t.Parallel()
	ctx := adminContext()
	svc := newService(t)
	m := create(t, svc, "Lagaan")[0]
	if _, err := svc.Get(ctx, "lagaan"); !errs.Is(err, errs.Invalid) {
		t.Errorf("malformed id: %v", err)
	}
	if _, err := svc.Get(ctx, ids.New()); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown id: %v", err)
	}
	got, err := svc.Get(ctx, m.ID)
	if err != nil || got.Title != "Lagaan" || strings.Join(got.Languages, ",") != "Hindi" || got.CreatedAt.IsZero() {
		t.Errorf("Get: %+v, %v", got, err)
	}
	_, err = svc.GetMany(ctx, make([]string, movie.MaxBatchGet+1))
	assertInvalid(t, err, "ids")
	_, err = svc.GetMany(ctx, []string{m.ID, "nope"})
	assertInvalid(t, err, "ids")
	_, err = svc.Update(ctx, m.ID, func(m *movie.Movie) error { m.RuntimeMinutes = 0; return nil })
	assertInvalid(t, err, "runtimeMinutes")
	if again, _ := svc.Get(ctx, m.ID); again.RuntimeMinutes != m.RuntimeMinutes {
		t.Errorf("a refused update changed the runtime to %d", again.RuntimeMinutes)
	}
}

// checkCursor fails unless cursor is refused with Invalid on field "after", or decodes to a
// position whose own cursor decodes to the same position.
func checkCursor(t *testing.T, cursor string) {
	t.Helper()
	p, err := movie.DecodeCursor(cursor)
	if err != nil {
		e := errs.As(err)
		if e.Code != errs.Invalid || e.Field != "after" {
			t.Fatalf("DecodeCursor(%q) = %v, want an Invalid error on after", cursor, err)
		}
		return
	}
	if !ids.Valid(p.ID) {
		t.Fatalf("DecodeCursor(%q) accepted id %q", cursor, p.ID)
	}
	again, err := movie.DecodeCursor(movie.EncodeCursor(p))
	if err != nil {
		t.Fatalf("DecodeCursor(%q) = %+v, whose own cursor does not decode: %v", cursor, p, err)
	}
	if again != p {
		t.Fatalf("DecodeCursor(%q) = %+v, re-encoded and decoded %+v", cursor, p, again)
	}
}

func FuzzDecodeCursor(f *testing.F) {
	id := "019a7b3c-1d2e-7f00-8a9b-0c1d2e3f4a5b"
	f.Add("")
	f.Add(movie.EncodeCursor(movie.Position{TitleKey: "lagaan", ID: id}))
	f.Add(`{"k":"lagaan","i":"` + id + `"}`)
	f.Add(`{"k":"<&>\u2028","i":"` + id + `","x":1}`)
	f.Add(`{"K":"dup","k":"dup2","i":"` + id + `"}`)
	f.Add(`{"k":"\ud800","i":"` + strings.ToUpper(id) + `"}`)
	f.Add("null")
	f.Add("e30")
	f.Fuzz(func(t *testing.T, s string) {
		// The input as a cursor, and the input as the JSON inside one, so that the fuzzer can
		// reach the payload checks without having to discover base64.
		checkCursor(t, s)
		checkCursor(t, base64.RawURLEncoding.EncodeToString([]byte(s)))
	})
}

// adminContext acts as an admin, who may write the catalogue.
func adminContext() context.Context {
	return auth.WithIdentity(context.Background(), auth.Identity{UserID: "test-admin", Roles: []string{auth.RoleAdmin}})
}
