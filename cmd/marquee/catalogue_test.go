package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/marquee-cinema/marquee/internal/demo"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

// The same catalogue assertions run against every deployment shape.

func TestCatalogueAllInOne(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo")
	checkCatalogue(t, in)
	checkBadInput(t, in)
	checkOperations(t, in, true)
}

func TestCatalogueSplitOverTCP(t *testing.T) {
	t.Parallel()
	signing, verifying := sharedKeys(t)
	services := start(t, "--target=user,movie,theatre,show,booking", "--demo", signing)
	gw := start(t, "--target=gateway", "--grpc-addr=", "--services-addr="+services.GRPC, verifying)
	if gw.GRPC != "" {
		t.Fatalf("the gateway-only process serves gRPC at %s; want none", gw.GRPC)
	}
	checkCatalogue(t, gw)
	checkBadInput(t, gw)
	checkShowDiscovery(t, gw)
	checkOperations(t, gw, false)
	checkOperations(t, services, true)
	// The services-only process has no GraphQL endpoint.
	if code, _ := services.get(t, "/graphql?query=%7Bcities%7Bid%7D%7D"); code != 404 {
		t.Fatalf("services-only process answers /graphql with %d; want 404", code)
	}
}

func TestCatalogueOnMongoWireProtocol(t *testing.T) {
	t.Parallel()
	db, uri := mongotest.Database(t)
	in := start(t, "--demo", "--mongo-uri="+strings.TrimSuffix(uri, "/")+"/"+db.Name())
	checkCatalogue(t, in)
}

func TestServeRestartKeepsDataAndDoesNotReseed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := start(t, "--demo", "--data-dir="+dir)
	var before struct {
		Movies struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	first.mustQuery(t, `{ movies(first: 100) { edges { node { id } } } }`, nil, &before)
	// A second process on the same store (SQLite WAL allows it) sees the same catalogue and
	// leaves it alone although --demo is given again.
	second := start(t, "--demo", "--data-dir="+dir)
	var after struct {
		Movies struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	second.mustQuery(t, `{ movies(first: 100) { edges { node { id } } } }`, nil, &after)
	if len(before.Movies.Edges) == 0 || len(before.Movies.Edges) != len(after.Movies.Edges) {
		t.Fatalf("movies before %d, after %d", len(before.Movies.Edges), len(after.Movies.Edges))
	}
}

type movieNode struct {
	ID             string
	Title          string
	Languages      []string
	Genres         []string
	Formats        []string
	Status         string
	RuntimeMinutes int
	Certification  string
	Cast           []struct{ Name, Role string }
}

type moviesPage struct {
	Movies struct {
		Edges []struct {
			Cursor string
			Node   movieNode
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

const moviesQuery = `query Movies($filter: MovieFilter, $first: Int, $after: String) {
  movies(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id title languages genres formats status runtimeMinutes certification cast { name role } } }
    pageInfo { hasNextPage endCursor }
  }
}`

// allMovies pages through the movies matching filter, pageSize at a time.
func allMovies(t *testing.T, in *instance, filter map[string]any, pageSize int) []movieNode {
	t.Helper()
	var out []movieNode
	var after any
	for page := 0; page < 50; page++ {
		var p moviesPage
		in.mustQuery(t, moviesQuery, map[string]any{"filter": filter, "first": pageSize, "after": after}, &p)
		for _, e := range p.Movies.Edges {
			out = append(out, e.Node)
		}
		if !p.Movies.PageInfo.HasNextPage {
			return out
		}
		after = *p.Movies.PageInfo.EndCursor
	}
	t.Fatal("paging did not end")
	return nil
}

func checkCatalogue(t *testing.T, in *instance) {
	t.Run("cities", func(t *testing.T) {
		var d struct {
			Cities []struct {
				ID, Name, TimeZone string
				Location           struct{ Lat, Lng float64 }
			}
		}
		in.mustQuery(t, `{ cities { id name timeZone location { lat lng } } }`, nil, &d)
		if len(d.Cities) < 4 {
			t.Fatalf("%d cities, want at least 4", len(d.Cities))
		}
		found := false
		for _, c := range d.Cities {
			if c.ID == demo.FirstCityID() && c.Name == "Mumbai" && c.TimeZone == "Asia/Kolkata" && c.Location.Lat > 18.8 && c.Location.Lat < 19.3 {
				found = true
			}
		}
		if !found {
			t.Fatalf("Mumbai missing or wrong: %+v", d.Cities)
		}
	})

	t.Run("movies page through everything in title order", func(t *testing.T) {
		all := allMovies(t, in, nil, 100)
		if len(all) < 10 {
			t.Fatalf("%d movies, want at least 10", len(all))
		}
		paged := allMovies(t, in, nil, 3)
		if len(paged) != len(all) {
			t.Fatalf("paging by 3 gave %d movies, one page gave %d", len(paged), len(all))
		}
		seen := map[string]bool{}
		var titles []string
		for i, m := range paged {
			if seen[m.ID] {
				t.Fatalf("movie %s listed twice", m.Title)
			}
			seen[m.ID] = true
			titles = append(titles, strings.ToLower(m.Title))
			if m.ID != all[i].ID {
				t.Fatalf("paged order differs from one page at %d", i)
			}
		}
		if !sort.StringsAreSorted(titles) {
			t.Fatalf("not in title order: %v", titles)
		}
	})

	t.Run("movie filters", func(t *testing.T) {
		all := allMovies(t, in, nil, 100)
		count := func(pred func(movieNode) bool) int {
			n := 0
			for _, m := range all {
				if pred(m) {
					n++
				}
			}
			return n
		}
		has := func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		}
		cases := []struct {
			name   string
			filter map[string]any
			pred   func(movieNode) bool
		}{
			{"language", map[string]any{"language": "Tamil"}, func(m movieNode) bool { return has(m.Languages, "Tamil") }},
			{"language any case", map[string]any{"language": "hINDI"}, func(m movieNode) bool { return has(m.Languages, "Hindi") }},
			{"genre", map[string]any{"genre": "Drama"}, func(m movieNode) bool { return has(m.Genres, "Drama") }},
			{"format", map[string]any{"format": "imax 2d"}, func(m movieNode) bool { return has(m.Formats, "IMAX 2D") }},
			{"status", map[string]any{"status": "UPCOMING"}, func(m movieNode) bool { return m.Status == "UPCOMING" }},
			{"search", map[string]any{"search": strings.ToUpper(all[0].Title[:3])}, func(m movieNode) bool {
				return strings.Contains(strings.ToLower(m.Title), strings.ToLower(all[0].Title[:3]))
			}},
		}
		for _, c := range cases {
			got := allMovies(t, in, c.filter, 100)
			want := count(c.pred)
			if want == 0 || len(got) != want {
				t.Errorf("%s %v: %d movies, want %d (>0)", c.name, c.filter, len(got), want)
			}
			for _, m := range got {
				if !c.pred(m) {
					t.Errorf("%s: %q does not match", c.name, m.Title)
				}
			}
		}
	})

	t.Run("movie by id", func(t *testing.T) {
		all := allMovies(t, in, nil, 1)
		var d struct{ Movie movieNode }
		in.mustQuery(t, `query($id: ID!) { movie(id: $id) { id title cast { name role } } }`, map[string]any{"id": all[0].ID}, &d)
		if d.Movie.Title != all[0].Title || len(d.Movie.Cast) == 0 {
			t.Fatalf("movie(id) = %+v", d.Movie)
		}
	})

	t.Run("theatres by city and near", func(t *testing.T) {
		var byCity struct {
			Theatres []struct {
				ID, Name string
				City     struct{ Name string }
				Screens  []struct {
					Name      string
					SeatCount int
					Formats   []string
				}
			}
		}
		in.mustQuery(t, `query($c: ID!) { theatres(filter: {cityId: $c}) { id name city { name } screens { name seatCount formats } } }`,
			map[string]any{"c": demo.FirstCityID()}, &byCity)
		if len(byCity.Theatres) < 2 {
			t.Fatalf("%d theatres in Mumbai", len(byCity.Theatres))
		}
		for i, th := range byCity.Theatres {
			if th.City.Name != "Mumbai" || len(th.Screens) < 2 || len(th.Screens) > 5 {
				t.Fatalf("theatre %+v", th)
			}
			if i > 0 && strings.ToLower(byCity.Theatres[i-1].Name) > strings.ToLower(th.Name) {
				t.Fatalf("city theatres not by name")
			}
			for _, s := range th.Screens {
				if s.SeatCount < 150 || s.SeatCount > 450 || len(s.Formats) == 0 {
					t.Fatalf("screen %+v", s)
				}
			}
		}
		var near struct {
			Theatres []struct {
				Name       string
				DistanceKm *float64
			}
		}
		in.mustQuery(t, `{ theatres(filter: {near: {lat: 19.076, lng: 72.8777, radiusKm: 25}}) { name distanceKm } }`, nil, &near)
		if len(near.Theatres) == 0 {
			t.Fatal("no theatres near central Mumbai")
		}
		for i, th := range near.Theatres {
			if th.DistanceKm == nil || *th.DistanceKm > 25 {
				t.Fatalf("%s distance %v", th.Name, th.DistanceKm)
			}
			if i > 0 && *near.Theatres[i-1].DistanceKm > *th.DistanceKm {
				t.Fatalf("not sorted by distance: %+v", near.Theatres)
			}
		}
		var far struct{ Theatres []struct{ Name string } }
		in.mustQuery(t, `{ theatres(filter: {near: {lat: 0, lng: 0, radiusKm: 100}}) { name } }`, nil, &far)
		if len(far.Theatres) != 0 {
			t.Fatalf("theatres in the Gulf of Guinea: %+v", far.Theatres)
		}
	})

	t.Run("theatre with screen layouts", func(t *testing.T) {
		var d struct {
			Theatre struct {
				Name    string
				Screens []struct {
					ID        string
					SeatCount int
					Layout    struct {
						Categories []struct{ Code, Name string }
						Rows       []struct {
							Label string
							Cells []struct {
								Column int
								Seat   *struct {
									ID, Category string
									Accessible   bool
								}
							}
						}
					}
				}
			}
		}
		in.mustQuery(t, `query($id: ID!) { theatre(id: $id) { name screens { id seatCount layout { categories { code name }
			rows { label cells { column seat { id category accessible } } } } } } }`,
			map[string]any{"id": demo.TheatreID("Marquee Cinemas Andheri")}, &d)
		if d.Theatre.Name != "Marquee Cinemas Andheri" || len(d.Theatre.Screens) == 0 {
			t.Fatalf("theatre %+v", d.Theatre.Name)
		}
		for _, s := range d.Theatre.Screens {
			seats, gaps, accessible := 0, 0, 0
			cats := map[string]bool{}
			for _, r := range s.Layout.Rows {
				for i, c := range r.Cells {
					if c.Column != i {
						t.Fatalf("row %s cell %d has column %d", r.Label, i, c.Column)
					}
					if c.Seat == nil {
						gaps++
						continue
					}
					seats++
					cats[c.Seat.Category] = true
					if !strings.HasPrefix(c.Seat.ID, r.Label) {
						t.Fatalf("seat %s in row %s", c.Seat.ID, r.Label)
					}
					if c.Seat.Accessible {
						accessible++
					}
				}
			}
			if seats != s.SeatCount || gaps == 0 || len(cats) != 3 || len(s.Layout.Categories) != 3 || accessible == 0 {
				t.Fatalf("screen %s: %d seats (count %d), %d gaps, categories %v, %d accessible", s.ID, seats, s.SeatCount, gaps, cats, accessible)
			}
		}
	})
}

func checkBadInput(t *testing.T, in *instance) {
	cases := []struct {
		name, code, query string
		vars              map[string]any
		mention           string
	}{
		{"unknown movie", "NOT_FOUND", `query($id: ID!) { movie(id: $id) { id } }`, map[string]any{"id": "0193a4b2-0000-7000-8000-000000000000"}, "not found"},
		{"malformed movie id", "BAD_USER_INPUT", `{ movie(id: "42") { id } }`, nil, "42"},
		{"unknown theatre", "NOT_FOUND", `{ theatre(id: "0193a4b2-0000-7000-8000-000000000000") { id } }`, nil, ""},
		{"unknown city filter", "NOT_FOUND", `{ theatres(filter: {cityId: "0193a4b2-0000-7000-8000-000000000000"}) { id } }`, nil, ""},
		{"malformed cursor", "BAD_USER_INPUT", `{ movies(after: "not-a-cursor") { edges { cursor } } }`, nil, "cursor"},
		{"forged cursor", "BAD_USER_INPUT", `{ movies(after: "eyJrIjoiYSJ9") { edges { cursor } } }`, nil, "cursor"},
		{"first too big", "BAD_USER_INPUT", `{ movies(first: 101) { edges { cursor } } }`, nil, "first"},
		{"first negative", "BAD_USER_INPUT", `{ movies(first: -1) { edges { cursor } } }`, nil, "first"},
		{"radius zero", "BAD_USER_INPUT", `{ theatres(filter: {near: {lat: 19, lng: 72, radiusKm: 0}}) { id } }`, nil, "radiusKm"},
		{"radius too big", "BAD_USER_INPUT", `{ theatres(filter: {near: {lat: 19, lng: 72, radiusKm: 100.5}}) { id } }`, nil, "radiusKm"},
		{"latitude out of range", "BAD_USER_INPUT", `{ theatres(filter: {near: {lat: 91, lng: 72}}) { id } }`, nil, "latitude"},
		{"longitude out of range", "BAD_USER_INPUT", `{ theatres(filter: {near: {lat: 19, lng: -181}}) { id } }`, nil, "longitude"},
		{"no theatre filter", "BAD_USER_INPUT", `{ theatres { id } }`, nil, "cityId"},
		{"both theatre filters", "BAD_USER_INPUT", fmt.Sprintf(`{ theatres(filter: {cityId: %q, near: {lat: 19, lng: 72}}) { id } }`, demo.FirstCityID()), nil, "either"},
		{"bad status", "BAD_USER_INPUT", `{ movies(filter: {status: SHOWING}) { edges { cursor } } }`, nil, ""},
		{"syntax error", "BAD_USER_INPUT", `{ movies(first: ) }`, nil, ""},
		{"unknown field", "BAD_USER_INPUT", `{ movies { edges { node { budget } } } }`, nil, "budget"},
		{"too complex", "BAD_USER_INPUT", `{ theatres(filter: {near: {lat: 19, lng: 72, radiusKm: 100}}) { screens { layout { rows { cells { seat { id category accessible blocked companion number } } } } } } }`, nil, "complexity"},
		{"search too long", "BAD_USER_INPUT", `query($s: String) { movies(filter: {search: $s}) { edges { cursor } } }`, map[string]any{"s": strings.Repeat("x", 300)}, "search"},
	}
	for _, c := range cases {
		t.Run("bad input/"+c.name, func(t *testing.T) {
			e := in.mustFail(t, c.code, c.query, c.vars)
			if c.mention != "" && !strings.Contains(strings.ToLower(e.Message), strings.ToLower(c.mention)) {
				t.Errorf("message %q does not mention %q", e.Message, c.mention)
			}
		})
	}
}

func checkOperations(t *testing.T, in *instance, servesGRPC bool) {
	t.Run("health, readiness, metrics", func(t *testing.T) {
		if code, _ := in.get(t, "/healthz"); code != 200 {
			t.Fatalf("/healthz %d", code)
		}
		code, body := in.get(t, "/readyz")
		if code != 200 || !strings.Contains(body, `"ready":true`) {
			t.Fatalf("/readyz %d %s", code, body)
		}
		code, body = in.get(t, "/metrics")
		if code != 200 || !strings.Contains(body, "marquee_module_running") || !strings.Contains(body, "go_goroutines") {
			t.Fatalf("/metrics %d", code)
		}
		if servesGRPC {
			if !strings.Contains(body, "marquee_grpc_server_handling_seconds") {
				t.Fatalf("/metrics lacks gRPC method metrics")
			}
			checkGRPCHealth(t, in.GRPC)
		} else {
			if !strings.Contains(body, `marquee_graphql_operation_seconds_count{operation="Movies",result="ok"}`) {
				t.Fatalf("/metrics lacks GraphQL operation metrics:\n%s", grepLines(body, "graphql"))
			}
		}
	})
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
