package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/demo"
)

type showNode struct {
	ID             string
	StartsAt       time.Time
	EndsAt         time.Time
	BusyUntil      time.Time
	LocalDate      string
	LocalTime      string
	Language       string
	Format         string
	AvailableSeats int
	Status         string
	Movie          struct{ ID, Title string }
	Theatre        struct{ ID, Name string }
	Screen         struct {
		ID        string
		SeatCount int
	}
	Prices []struct {
		Category, Name string
		Price          struct {
			Amount   int
			Currency string
		}
	}
}

const showFields = `id startsAt endsAt busyUntil localDate localTime language format availableSeats status
	movie { id title } theatre { id name } screen { id seatCount } prices { category name price { amount currency } }`

// firstMovieWithShows returns a movie with bookable shows in Mumbai.
func firstMovieWithShows(t *testing.T, in *instance) string {
	t.Helper()
	var d struct {
		Movies struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	in.mustQuery(t, `query($c: ID!) { movies(filter: {cityId: $c}, first: 100) { edges { node { id } } } }`,
		map[string]any{"c": demo.FirstCityID()}, &d)
	if len(d.Movies.Edges) == 0 {
		t.Fatal("no movie has shows in Mumbai")
	}
	return d.Movies.Edges[0].Node.ID
}

func checkShowDiscovery(t *testing.T, in *instance) {
	t.Run("movies in a city are those with shows", func(t *testing.T) {
		var inCity, all struct {
			Movies struct {
				Edges []struct{ Node struct{ ID, Status string } }
			}
		}
		in.mustQuery(t, `query($c: ID!) { movies(filter: {cityId: $c}, first: 100) { edges { node { id status } } } }`,
			map[string]any{"c": demo.FirstCityID()}, &inCity)
		in.mustQuery(t, `{ movies(first: 100) { edges { node { id status } } } }`, nil, &all)
		if len(inCity.Movies.Edges) == 0 || len(inCity.Movies.Edges) >= len(all.Movies.Edges) {
			t.Fatalf("%d movies in Mumbai of %d", len(inCity.Movies.Edges), len(all.Movies.Edges))
		}
		for _, e := range inCity.Movies.Edges {
			if e.Node.Status != "NOW_SHOWING" {
				t.Fatalf("a %s movie has shows", e.Node.Status)
			}
		}
	})

	t.Run("show dates and showtimes by city", func(t *testing.T) {
		movieID := firstMovieWithShows(t, in)
		var d struct{ ShowDates []string }
		in.mustQuery(t, `query($m: ID!, $c: ID!) { showDates(movieId: $m, cityId: $c) }`,
			map[string]any{"m": movieID, "c": demo.FirstCityID()}, &d)
		if len(d.ShowDates) == 0 || len(d.ShowDates) > demo.ShowDays || !sort.StringsAreSorted(d.ShowDates) {
			t.Fatalf("show dates %v", d.ShowDates)
		}
		date := d.ShowDates[len(d.ShowDates)-1]
		var st struct {
			Showtimes []struct {
				Theatre    struct{ ID, Name string }
				DistanceKm *float64
				Shows      []showNode
			}
		}
		in.mustQuery(t, `query($m: ID!, $c: ID!, $d: Date) { showtimes(filter: {movieId: $m, cityId: $c, date: $d}) {
			theatre { id name } distanceKm shows { `+showFields+` } } }`,
			map[string]any{"m": movieID, "c": demo.FirstCityID(), "d": date}, &st)
		if len(st.Showtimes) == 0 {
			t.Fatalf("no showtimes on %s", date)
		}
		loc, _ := time.LoadLocation("Asia/Kolkata")
		for _, g := range st.Showtimes {
			if g.DistanceKm != nil || len(g.Shows) == 0 {
				t.Fatalf("group %+v", g.Theatre)
			}
			for i, s := range g.Shows {
				local := s.StartsAt.In(loc)
				if s.Movie.ID != movieID || s.LocalDate != date || local.Format("2006-01-02") != date || local.Format("15:04") != s.LocalTime {
					t.Fatalf("show %+v", s)
				}
				if s.Theatre.ID != g.Theatre.ID || s.Status != "SCHEDULED" || !s.StartsAt.After(time.Now()) {
					t.Fatalf("show %+v in group %s", s, g.Theatre.Name)
				}
				if !s.EndsAt.After(s.StartsAt) || !s.BusyUntil.After(s.EndsAt) {
					t.Fatalf("show times %v %v %v", s.StartsAt, s.EndsAt, s.BusyUntil)
				}
				if s.AvailableSeats <= 0 || s.AvailableSeats > s.Screen.SeatCount || len(s.Prices) != 3 {
					t.Fatalf("show %s: %d seats of %d, %d prices", s.ID, s.AvailableSeats, s.Screen.SeatCount, len(s.Prices))
				}
				for _, p := range s.Prices {
					if p.Price.Amount <= 0 || p.Price.Amount%500 != 0 || p.Price.Currency != "INR" || p.Name == "" {
						t.Fatalf("price %+v", p)
					}
				}
				if i > 0 && g.Shows[i-1].StartsAt.After(s.StartsAt) {
					t.Fatal("shows not by start time")
				}
			}
		}
	})

	t.Run("showtimes near a point are by distance", func(t *testing.T) {
		movieID := firstMovieWithShows(t, in)
		var st struct {
			Showtimes []struct {
				Theatre    struct{ Name string }
				DistanceKm *float64
				Shows      []struct{ ID string }
			}
		}
		in.mustQuery(t, `query($m: ID!) { showtimes(filter: {movieId: $m, near: {lat: 19.076, lng: 72.8777, radiusKm: 30}}) {
			theatre { name } distanceKm shows { id } } }`, map[string]any{"m": movieID}, &st)
		if len(st.Showtimes) == 0 {
			t.Fatal("no showtimes near central Mumbai")
		}
		for i, g := range st.Showtimes {
			if g.DistanceKm == nil || *g.DistanceKm > 30 || len(g.Shows) == 0 {
				t.Fatalf("group %+v", g)
			}
			if i > 0 && *st.Showtimes[i-1].DistanceKm > *g.DistanceKm {
				t.Fatal("not by distance")
			}
		}
	})

	t.Run("show by id and language filter", func(t *testing.T) {
		movieID := firstMovieWithShows(t, in)
		var st struct {
			Showtimes []struct{ Shows []showNode }
		}
		in.mustQuery(t, `query($m: ID!, $c: ID!) { showtimes(filter: {movieId: $m, cityId: $c}) { shows { `+showFields+` } } }`,
			map[string]any{"m": movieID, "c": demo.FirstCityID()}, &st)
		first := st.Showtimes[0].Shows[0]
		var one struct{ Show showNode }
		in.mustQuery(t, `query($id: ID!) { show(id: $id) { `+showFields+` } }`, map[string]any{"id": first.ID}, &one)
		if one.Show.ID != first.ID || one.Show.LocalTime != first.LocalTime {
			t.Fatalf("show(id) = %+v", one.Show)
		}
		var none struct {
			Showtimes []struct{ Shows []struct{ ID string } }
		}
		in.mustQuery(t, `query($m: ID!, $c: ID!) { showtimes(filter: {movieId: $m, cityId: $c, language: "Klingon"}) { shows { id } } }`,
			map[string]any{"m": movieID, "c": demo.FirstCityID()}, &none)
		if len(none.Showtimes) != 0 {
			t.Fatalf("Klingon shows: %+v", none.Showtimes)
		}
		var lang struct {
			Showtimes []struct{ Shows []struct{ Language string } }
		}
		in.mustQuery(t, `query($m: ID!, $c: ID!, $l: String) { showtimes(filter: {movieId: $m, cityId: $c, language: $l}) { shows { language } } }`,
			map[string]any{"m": movieID, "c": demo.FirstCityID(), "l": strings.ToUpper(first.Language)}, &lang)
		if len(lang.Showtimes) == 0 {
			t.Fatal("language filter is not case-insensitive")
		}
		for _, g := range lang.Showtimes {
			for _, s := range g.Shows {
				if s.Language != first.Language {
					t.Fatalf("language %s in a %s filter", s.Language, first.Language)
				}
			}
		}
	})

	t.Run("show bad input", func(t *testing.T) {
		in.mustFail(t, "NOT_FOUND", `{ show(id: "0193a4b2-0000-7000-8000-000000000000") { id } }`, nil)
		in.mustFail(t, "BAD_USER_INPUT", `{ show(id: "x") { id } }`, nil)
		in.mustFail(t, "BAD_USER_INPUT", `{ showtimes(filter: {movieId: "0193a4b2-0000-7000-8000-000000000000"}) { shows { id } } }`, nil)
		in.mustFail(t, "BAD_USER_INPUT", `{ showDates(movieId: "x", cityId: "y") }`, nil)
		in.mustFail(t, "BAD_USER_INPUT", `{ showtimes(filter: {movieId: "0193a4b2-0000-7000-8000-000000000000", cityId: "0193a4b2-0000-7000-8000-000000000000", date: "2026-13-40"}) { shows { id } } }`, nil)
		in.mustFail(t, "UNAUTHENTICATED", `mutation { cancelShow(id: "0193a4b2-0000-7000-8000-000000000000") { id } }`, nil)
	})
}

func TestShowDiscoveryAllInOne(t *testing.T) {
	t.Parallel()
	checkShowDiscovery(t, start(t, "--demo"))
}

func TestShowDiscoveryThreeProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seedInto(t, dir)
	// Catalogue and show services in separate processes over one SQLite store, and a gateway.
	catalogue := start(t, "--target=user,movie,theatre", "--data-dir="+dir)
	shows := start(t, "--target=show,booking", "--data-dir="+dir, "--services-addr="+catalogue.GRPC)
	gw := start(t, "--target=gateway", "--grpc-addr=", "--data-dir="+dir, "--services-addr="+catalogue.GRPC, "--show-addr="+shows.GRPC, "--booking-addr="+shows.GRPC)
	checkShowDiscovery(t, gw)
}

// TestMicroCacheOnTheRealServer: identical anonymous listings are answered from memory for the
// configured moment; a signed-in caller always gets a fresh answer.
func TestMicroCacheOnTheRealServer(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo", "--graphql-cache-ttl=5s")
	movie := firstMovieWithShows(t, in)
	query := map[string]any{"query": `query($m: ID!, $c: ID!) { showtimes(filter: {movieId: $m, cityId: $c}) { theatre { name } shows { id availableSeats } } }`,
		"variables": map[string]any{"m": movie, "c": demo.FirstCityID()}}
	ask := func(token string) (string, string) {
		body, _ := json.Marshal(query)
		req, _ := http.NewRequest(http.MethodPost, in.HTTP+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"showtimes"`) {
			t.Fatalf("HTTP %d: %s", resp.StatusCode, raw)
		}
		return string(raw), resp.Header.Get("X-Marquee-Cache")
	}
	first, _ := ask("")
	second, hit := ask("")
	if hit != "hit" || second != first {
		t.Fatalf("the second identical anonymous listing was not served from memory (%q)", hit)
	}
	admin := in.login(t, "admin@demo.marquee", "demo-admin")
	if _, hit := ask(admin.AccessToken); hit != "" {
		t.Fatal("a signed-in caller got a cached answer")
	}
}
