package movie_test

import (
	"testing"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/movie/movietest"
)

func TestListedPagesFollowWrites(t *testing.T) {
	svc := newService(t)
	ctx := adminContext()
	list := func() []string {
		res, err := svc.List(ctx, movie.Filter{}, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, m := range res.Movies {
			titles = append(titles, m.Title)
		}
		return titles
	}
	a := movietest.Sample("Alpha")
	a.ID = ""
	created, err := svc.Create(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 1 {
		t.Fatalf("listed %v", got)
	}
	b := movietest.Sample("Bravo")
	b.ID = ""
	if _, err := svc.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 2 {
		t.Fatalf("a cached page hid a new movie: %v", got)
	}
	if _, err := svc.Update(ctx, created.ID, func(m *movie.Movie) error { m.Title = "Zulu"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := list(); got[1] != "Zulu" {
		t.Fatalf("a cached page kept an old title: %v", got)
	}
}
