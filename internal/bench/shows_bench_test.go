package bench_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/bench"
	"github.com/marquee-cinema/marquee/internal/demo"
)

// gql posts one GraphQL request with an optional bearer token and decodes data into out; any
// GraphQL error fails the benchmark.
func gql(tb testing.TB, url, token, query string, vars map[string]any, out any) {
	tb.Helper()
	body := mustBody(tb, query, vars)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 {
		tb.Fatalf("%s: %v %s", query[:min(60, len(query))], err, raw)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			tb.Fatal(err)
		}
	}
}

func adminToken(tb testing.TB, url string) string {
	var d struct{ Login struct{ AccessToken string } }
	gql(tb, url, "", `mutation { login(email: "admin@demo.marquee", password: "demo-admin") { accessToken } }`, nil, &d)
	return d.Login.AccessToken
}

const scheduleMutation = `mutation($i: ScheduleShowsInput!) { scheduleShows(input: $i) { created { id } conflicts { message } } }`

// BenchmarkSchedule720Shows measures issue 4's scheduling target: 720 shows (6 screens × 4 a
// day × 30 days, one scheduleShows call per screen) over GraphQL on the embedded defaults,
// overlap checks included. ns/op is the time for all 720; each iteration schedules a fresh month.
func BenchmarkSchedule720Shows(b *testing.B) {
	url := startApp(b, b.TempDir(), true) + "/graphql"
	token := adminToken(b, url)
	var screens []string
	for _, th := range demo.Theatres() {
		var d struct {
			Theatre struct {
				Screens []struct {
					ID      string
					Formats []string
				}
			}
		}
		gql(b, url, "", `query($t: ID!) { theatre(id: $t) { screens { id formats } } }`, map[string]any{"t": th.ID}, &d)
		for _, s := range d.Theatre.Screens {
			for _, f := range s.Formats {
				if f == "2D" && len(screens) < 6 {
					screens = append(screens, s.ID)
				}
			}
		}
	}
	var movies struct {
		Movies struct {
			Edges []struct {
				Node struct {
					ID             string
					RuntimeMinutes int
					Formats        []string
					Languages      []string
				}
			}
		}
	}
	gql(b, url, "", `{ movies(first: 100, filter: {format: "2D"}) { edges { node { id runtimeMinutes formats languages } } } }`, nil, &movies)
	var movieID, language string
	for _, e := range movies.Movies.Edges {
		if e.Node.RuntimeMinutes <= 150 {
			movieID, language = e.Node.ID, e.Node.Languages[0]
			break
		}
	}
	prices := []map[string]any{{"category": "RECLINER", "amount": 60000}, {"category": "PRIME", "amount": 30000}, {"category": "CLASSIC", "amount": 20000}}
	created := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		from := time.Now().AddDate(0, 0, 10+31*i)
		for _, screen := range screens {
			var d struct {
				ScheduleShows struct {
					Created   []struct{ ID string }
					Conflicts []struct{ Message string }
				}
			}
			gql(b, url, token, scheduleMutation, map[string]any{"i": map[string]any{"movieId": movieID, "screenId": screen,
				"fromDate": from.Format(time.DateOnly), "toDate": from.AddDate(0, 0, 29).Format(time.DateOnly),
				"startTimes": []string{"10:00", "13:30", "17:00", "20:30"}, "language": language, "format": "2D", "prices": prices}}, &d)
			if len(d.ScheduleShows.Conflicts) > 0 {
				b.Fatalf("conflicts: %v", d.ScheduleShows.Conflicts[0].Message)
			}
			created += len(d.ScheduleShows.Created)
		}
	}
	b.StopTimer()
	if created != 720*b.N {
		b.Fatalf("created %d shows, want %d", created, 720*b.N)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/720shows")
}

// BenchmarkShowtimesCity50Theatres measures issue 4's discovery target: showtimes of one movie
// in a city of 50 theatres with 5 screens each, on one date, over POST /graphql. The city is built
// through the admin API first (outside the timer), with two dates:
//
//   - listing: what a multiplex listing looks like. In each theatre the movie plays on 1 or 2 of
//     the 5 screens (alternately), 4 or 5 times a day each; the other screens play four other
//     movies 5 times each. The answer carries 50 theatres and 337 shows (112 KiB).
//   - everyScreen: the worst case, the next day. Every one of the 250 screens plays the movie 5
//     times: 1,250 shows, a 401 KiB answer.
func BenchmarkShowtimesCity50Theatres(b *testing.B) {
	url := startApp(b, b.TempDir(), true) + "/graphql"
	token := adminToken(b, url)
	var city struct{ CreateCity struct{ ID string } }
	gql(b, url, token, `mutation { createCity(input: {name: "Benchpur", state: "Test", country: "IN", timeZone: "Asia/Kolkata",
		location: {lat: 21.0, lng: 79.0}}) { id } }`, nil, &city)
	movies := demo.Movies()
	m := movies[0]
	// Other movies for the other screens: short enough for five 2D shows a day, 3 h 15 min apart.
	others := []int{1, 3, 6, 7}
	day := time.Now().AddDate(0, 0, 20)
	listingDate, everyDate := day.Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly)
	times := []string{"09:00", "12:15", "15:30", "18:45", "22:00"}
	layoutRows := []map[string]any{}
	for r := 0; r < 12; r++ {
		cells := []map[string]any{}
		for n := 1; n <= 20; n++ {
			cat := "CLASSIC"
			if r < 4 {
				cat = "PRIME"
			}
			cells = append(cells, map[string]any{"number": n, "category": cat})
		}
		layoutRows = append(layoutRows, map[string]any{"label": string(rune('L' - r)), "cells": cells})
	}
	layout := map[string]any{"categories": []map[string]any{{"code": "PRIME", "name": "Prime"}, {"code": "CLASSIC", "name": "Classic"}}, "rows": layoutRows}
	prices := []map[string]any{{"category": "PRIME", "amount": 30000}, {"category": "CLASSIC", "amount": 20000}}
	schedule := func(screen string, mv int, date string, startTimes []string) {
		var d struct {
			ScheduleShows struct {
				Created   []struct{ ID string }
				Conflicts []struct{ Message string }
			}
		}
		gql(b, url, token, scheduleMutation, map[string]any{"i": map[string]any{"movieId": movies[mv].ID, "screenId": screen,
			"fromDate": date, "toDate": date, "startTimes": startTimes, "language": movies[mv].Languages[0], "format": "2D",
			"prices": prices}}, &d)
		if len(d.ScheduleShows.Conflicts) > 0 || len(d.ScheduleShows.Created) != len(startTimes) {
			b.Fatalf("scheduling %s on %s: %d created, conflicts %v", movies[mv].Title, date, len(d.ScheduleShows.Created), d.ScheduleShows.Conflicts)
		}
	}
	listingShows := 0
	for t := 0; t < 50; t++ {
		var th struct{ CreateTheatre struct{ ID string } }
		gql(b, url, token, `mutation($i: TheatreInput!) { createTheatre(input: $i) { id } }`, map[string]any{"i": map[string]any{
			"name": fmt.Sprintf("Bench Theatre %02d", t), "cityId": city.CreateCity.ID, "address": "1 Bench Road",
			"location": map[string]any{"lat": 21.0 + float64(t%10)*0.01, "lng": 79.0 + float64(t/10)*0.01}}}, &th)
		playing := 1 + t%2 // screens showing the movie on the listing date
		for s := 0; s < 5; s++ {
			var sc struct{ AddScreen struct{ ID string } }
			gql(b, url, token, `mutation($t: ID!, $i: ScreenInput!) { addScreen(theatreId: $t, input: $i) { id } }`, map[string]any{
				"t": th.CreateTheatre.ID, "i": map[string]any{"name": fmt.Sprintf("Audi %d", s+1), "formats": m.Formats, "layout": layout}}, &sc)
			if s < playing {
				n := 4 + (t/2+s)%2 // 4 or 5 shows
				schedule(sc.AddScreen.ID, 0, listingDate, times[:n])
				listingShows += n
			} else {
				schedule(sc.AddScreen.ID, others[(t+s)%len(others)], listingDate, times)
			}
			schedule(sc.AddScreen.ID, 0, everyDate, times)
		}
	}
	query := `query Showtimes($m: ID!, $c: ID!, $d: Date) { showtimes(filter: {movieId: $m, cityId: $c, date: $d}) {
		theatre { id name } shows { id startsAt localTime language format availableSeats prices { category name price { amount currency } } } } }`
	scenarios := []struct {
		name  string
		date  string
		shows int
	}{{"listing", listingDate, listingShows}, {"everyScreen", everyDate, 250 * 5}}
	if out := os.Getenv("BENCH_EXTERNAL_LOAD"); out != "" {
		// Hand the set-up server to an outside load generator (e.g. wrk): write its URL and the
		// listing's request body to files named by the variable, then serve for a minute.
		body := mustBody(b, query, map[string]any{"m": m.ID, "c": city.CreateCity.ID, "d": listingDate})
		if err := os.WriteFile(out+".url", []byte(url), 0o600); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(out+".body", body, 0o600); err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Minute)
		b.SkipNow()
	}
	for _, sc := range scenarios {
		body := mustBody(b, query, map[string]any{"m": m.ID, "c": city.CreateCity.ID, "d": sc.date})
		var respBytes atomic.Int64 // of the last answer checked
		check := func(status int, resp []byte) error {
			respBytes.Store(int64(len(resp)))
			if err := bench.GraphQLOK(status, resp); err != nil {
				return err
			}
			var r struct {
				Data struct {
					Showtimes []struct{ Shows []json.RawMessage }
				}
			}
			_ = json.Unmarshal(resp, &r)
			n := 0
			for _, g := range r.Data.Showtimes {
				n += len(g.Shows)
			}
			if len(r.Data.Showtimes) != 50 || n != sc.shows {
				return fmt.Errorf("%d theatres, %d shows; want 50 and %d", len(r.Data.Showtimes), n, sc.shows)
			}
			return nil
		}
		b.Run(sc.name, func(b *testing.B) {
			for _, workers := range []int{1, 16, 64} {
				b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
					client := bench.NewClient(workers)
					defer client.CloseIdleConnections()
					cfg := bench.Config{URL: url, Body: bench.Static(body), Workers: workers, Client: client, Check: check}
					res, cpu := runTimed(b, cfg, 2*workers)
					// This process's CPU time per request: server and load generator together.
					if res.Requests > 0 {
						b.ReportMetric((sampleCPU().self-cpu.self)*1e3/float64(res.Requests), "cpu_ms/req")
					}
					reportCPU(b, cpu)
					reportLoad(b, res)
					b.ReportMetric(float64(respBytes.Load())/1024, "resp_KiB")
				})
			}
		})
	}
}
