// Package movietest is the conformance suite every movie.Repository adapter must pass.
package movietest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Sample returns a valid movie with a fresh id.
func Sample(title string) movie.Movie {
	now := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	return movie.Movie{ID: ids.New(), Title: title, Synopsis: "A film.", RuntimeMinutes: 120,
		ReleaseDate: "2026-11-20", Certification: "UA 13+", Genres: []string{"Drama"},
		Languages: []string{"Hindi"}, Formats: []string{"2D"}, Status: movie.StatusNowShowing,
		Cast: []movie.Credit{{Name: "A. Actor", Role: "Hero"}}, Crew: []movie.Credit{{Name: "D. Irector", Role: "Director"}},
		CreatedAt: now, UpdatedAt: now}
}

// Run runs the suite. newRepo returns an empty repository for each subtest.
func Run(t *testing.T, newRepo func(t *testing.T) movie.Repository) {
	ctx := context.Background()

	t.Run("create and get round-trip every field", func(t *testing.T) {
		r := newRepo(t)
		m := Sample("Round Trip")
		m.PosterURL = "https://cdn.example/p.jpg"
		if err := r.Create(ctx, m); err != nil {
			t.Fatal(err)
		}
		got, err := r.Get(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(m) {
			t.Fatalf("got  %+v\nwant %+v", got, m)
		}
	})

	t.Run("duplicate id is a conflict", func(t *testing.T) {
		r := newRepo(t)
		m := Sample("Twice")
		if err := r.Create(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := r.Create(ctx, m); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second create: got %v, want conflict", err)
		}
	})

	t.Run("unknown id is not found", func(t *testing.T) {
		r := newRepo(t)
		if _, err := r.Get(ctx, ids.New()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("got %v, want not found", err)
		}
		if _, err := r.Update(ctx, ids.New(), func(*movie.Movie) error { return nil }); !errs.Is(err, errs.NotFound) {
			t.Fatalf("update: got %v, want not found", err)
		}
	})

	t.Run("get many skips unknown ids", func(t *testing.T) {
		r := newRepo(t)
		a, b := Sample("A"), Sample("B")
		mustCreate(t, r, a, b)
		got, err := r.GetMany(ctx, []string{a.ID, ids.New(), b.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("got %d movies, want 2", len(got))
		}
		none, err := r.GetMany(ctx, nil)
		if err != nil || len(none) != 0 {
			t.Fatalf("empty get many: %v %v", none, err)
		}
	})

	t.Run("list pages in title order with filters", func(t *testing.T) {
		r := newRepo(t)
		titles := []string{"delta", "Alpha", "charlie", "Bravo", "echo", "Foxtrot", "alpha"}
		var all []movie.Movie
		for i, title := range titles {
			m := Sample(title)
			if i%2 == 0 {
				m.Languages = []string{"Tamil", "Telugu"}
				m.Genres = []string{"Action", "Thriller"}
				m.Formats = []string{"2D", "IMAX 2D"}
			}
			if i == 4 {
				m.Status = movie.StatusUpcoming
			}
			all = append(all, m)
		}
		mustCreate(t, r, all...)

		var seen []string
		var after *movie.Position
		for page := 0; page < 10; page++ {
			got, err := r.List(ctx, movie.Filter{}, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range got {
				seen = append(seen, movie.SortKey(m.Title))
			}
			if len(got) < 3 {
				break
			}
			last := got[len(got)-1]
			after = &movie.Position{TitleKey: movie.SortKey(last.Title), ID: last.ID}
		}
		if len(seen) != len(titles) || !slices.IsSorted(seen) {
			t.Fatalf("paged listing %v: want all %d titles sorted", seen, len(titles))
		}

		cases := []struct {
			name string
			f    movie.Filter
			want int
		}{
			{"language", movie.Filter{Language: "Telugu"}, 4},
			{"genre", movie.Filter{Genre: "Drama"}, 3},
			{"format", movie.Filter{Format: "IMAX 2D"}, 4},
			{"status", movie.Filter{Status: movie.StatusUpcoming}, 1},
			{"search case-insensitive", movie.Filter{Search: "ALP"}, 2},
			{"search substring", movie.Filter{Search: "rot"}, 1},
			{"search with regex characters", movie.Filter{Search: ".*"}, 0},
			{"combined", movie.Filter{Language: "Tamil", Status: movie.StatusNowShowing}, 3},
			{"ids", movie.Filter{IDs: []string{all[0].ID, all[1].ID}}, 2},
			{"empty ids selects none", movie.Filter{IDs: []string{}}, 0},
			{"no match", movie.Filter{Language: "Klingon"}, 0},
		}
		for _, c := range cases {
			got, err := r.List(ctx, c.f, nil, 100)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if len(got) != c.want {
				t.Errorf("%s: got %d movies, want %d", c.name, len(got), c.want)
			}
		}
	})

	t.Run("update applies the function atomically", func(t *testing.T) {
		r := newRepo(t)
		m := Sample("Before")
		mustCreate(t, r, m)
		got, err := r.Update(ctx, m.ID, func(m *movie.Movie) error {
			m.Title = "After"
			m.Languages = []string{"English"}
			return nil
		})
		if err != nil || got.Title != "After" {
			t.Fatalf("update: %+v %v", got, err)
		}
		again, _ := r.Get(ctx, m.ID)
		if again.Title != "After" || again.Languages[0] != "English" {
			t.Fatalf("stored %+v", again)
		}
		listed, _ := r.List(ctx, movie.Filter{Search: "after"}, nil, 10)
		if len(listed) != 1 {
			t.Fatalf("the sort key did not follow the new title: %d", len(listed))
		}
		boom := errs.E(errs.Invalid, "no")
		if _, err := r.Update(ctx, m.ID, func(m *movie.Movie) error { m.Title = "Lost"; return boom }); err != boom {
			t.Fatalf("update error: got %v", err)
		}
		if again, _ := r.Get(ctx, m.ID); again.Title != "After" {
			t.Fatalf("a failed update changed the movie: %q", again.Title)
		}
	})

	t.Run("count", func(t *testing.T) {
		r := newRepo(t)
		mustCreate(t, r, Sample("One"), Sample("Two"))
		if n, err := r.Count(ctx); err != nil || n != 2 {
			t.Fatalf("count = %d, %v", n, err)
		}
	})
}

func mustCreate(t *testing.T, r movie.Repository, ms ...movie.Movie) {
	t.Helper()
	for _, m := range ms {
		if err := r.Create(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
}
