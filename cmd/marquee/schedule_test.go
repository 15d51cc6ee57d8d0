package main

import (
	"strings"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/demo"
)

func TestSchedulingOverGraphQL(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo")
	owner := in.login(t, "owner@demo.marquee", "demo-owner")
	theatreID := demo.TheatreID("Regal Talkies Ghatkopar")
	var th struct {
		Theatre struct {
			Screens []struct {
				ID      string
				Formats []string
			}
		}
	}
	in.mustQuery(t, `query($t: ID!) { theatre(id: $t) { screens { id formats } } }`, map[string]any{"t": theatreID}, &th)
	screenID := th.Theatre.Screens[0].ID
	var other struct {
		Theatre struct{ Screens []struct{ ID string } }
	}
	in.mustQuery(t, `query($t: ID!) { theatre(id: $t) { screens { id } } }`, map[string]any{"t": demo.TheatreID("Marquee Cinemas Koramangala")}, &other)
	// A movie the demo programme does not play in Mumbai's first theatre, in 2D.
	m := demo.Movies()[len(demo.Movies())-1]
	for _, candidate := range demo.Movies() {
		if candidate.Status == "NOW_SHOWING" && strings.Contains(strings.Join(candidate.Formats, ","), "2D") && candidate.RuntimeMinutes < 170 {
			m = candidate
		}
	}
	from := time.Now().AddDate(0, 0, 40).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 46).Format(time.DateOnly)
	input := func(extra map[string]any) map[string]any {
		i := map[string]any{"movieId": m.ID, "screenId": screenID, "fromDate": from, "toDate": to,
			"startTimes": []string{"10:00", "14:00", "18:00"}, "language": m.Languages[0], "format": "2D",
			"prices": []map[string]any{{"category": "RECLINER", "amount": 55000}, {"category": "PRIME", "amount": 28000}, {"category": "CLASSIC", "amount": 18000}}}
		for k, v := range extra {
			i[k] = v
		}
		return i
	}
	const schedule = `mutation($i: ScheduleShowsInput!) { scheduleShows(input: $i) { dryRun created { id localDate localTime startsAt busyUntil prices { category name price { amount } } } conflicts { date startTime reason message clashesWith { id } } } }`
	type result struct {
		ScheduleShows struct {
			DryRun  bool
			Created []struct {
				ID, LocalDate, LocalTime string
				Prices                   []struct {
					Category, Name string
					Price          struct{ Amount int }
				}
			}
			Conflicts []struct {
				Date, StartTime *string
				Reason, Message string
				ClashesWith     *struct{ ID string }
			}
		}
	}
	showDates := func() []string {
		var d struct{ ShowDates []string }
		in.mustQuery(t, `query($m: ID!, $c: ID!) { showDates(movieId: $m, cityId: $c) }`, map[string]any{"m": m.ID, "c": demo.FirstCityID()}, &d)
		return d.ShowDates
	}
	before := showDates()

	var dry result
	expectOK(t, in.graphqlAs(t, owner.AccessToken, schedule, map[string]any{"i": input(map[string]any{"dryRun": true})}), &dry)
	if !dry.ScheduleShows.DryRun || len(dry.ScheduleShows.Created) != 21 || len(dry.ScheduleShows.Conflicts) != 0 {
		t.Fatalf("dry run: %+v", dry.ScheduleShows)
	}
	if len(showDates()) != len(before) {
		t.Fatal("a dry run scheduled shows")
	}
	var real result
	expectOK(t, in.graphqlAs(t, owner.AccessToken, schedule, map[string]any{"i": input(map[string]any{"idempotencyKey": "batch-1"})}), &real)
	created := real.ScheduleShows.Created
	if len(created) != 21 || created[0].Prices[0].Name != "Recliner" || created[0].Prices[0].Price.Amount != 55000 {
		t.Fatalf("created %d shows: %+v", len(created), created[0])
	}
	if dates := showDates(); !strings.Contains(strings.Join(dates, ","), from) {
		t.Fatalf("showDates does not include the new dates at once: %v", dates)
	}
	// A retry with the same key answers the same, scheduling nothing more.
	var retry result
	expectOK(t, in.graphqlAs(t, owner.AccessToken, schedule, map[string]any{"i": input(map[string]any{"idempotencyKey": "batch-1"})}), &retry)
	if len(retry.ScheduleShows.Created) != 21 || retry.ScheduleShows.Created[0].ID != created[0].ID {
		t.Fatal("an idempotent retry did not return the first answer")
	}
	// Overlaps reject the whole batch and list every clash.
	var clash result
	expectOK(t, in.graphqlAs(t, owner.AccessToken, schedule, map[string]any{"i": input(map[string]any{
		"fromDate": to, "toDate": time.Now().AddDate(0, 0, 48).Format(time.DateOnly), "startTimes": []string{"11:00", "23:30"}})}), &clash)
	if len(clash.ScheduleShows.Created) != 0 || len(clash.ScheduleShows.Conflicts) != 1 ||
		clash.ScheduleShows.Conflicts[0].Reason != "OVERLAP" || clash.ScheduleShows.Conflicts[0].ClashesWith == nil {
		t.Fatalf("overlap: %+v", clash.ScheduleShows)
	}
	var wrong result
	expectOK(t, in.graphqlAs(t, owner.AccessToken, schedule, map[string]any{"i": input(map[string]any{
		"fromDate": time.Now().AddDate(0, 0, 60).Format(time.DateOnly), "toDate": time.Now().AddDate(0, 0, 60).Format(time.DateOnly),
		"language": "Klingon", "format": "IMAX 3D", "prices": []map[string]any{{"category": "PRIME", "amount": 1000}}})}), &wrong)
	reasons := map[string]bool{}
	for _, c := range wrong.ScheduleShows.Conflicts {
		reasons[c.Reason] = true
	}
	for _, want := range []string{"LANGUAGE_NOT_OFFERED", "FORMAT_NOT_SUPPORTED", "PRICE_MISSING"} {
		if !reasons[want] {
			t.Errorf("missing conflict %s in %v", want, reasons)
		}
	}

	for name, c := range map[string]struct {
		extra map[string]any
		code  string
		field string
	}{
		"time not HH:MM":    {map[string]any{"startTimes": []string{"9:00"}}, "BAD_USER_INPUT", "startTimes"},
		"range over 90":     {map[string]any{"toDate": time.Now().AddDate(0, 0, 140).Format(time.DateOnly)}, "BAD_USER_INPUT", "toDate"},
		"price not > 0":     {map[string]any{"prices": []map[string]any{{"category": "PRIME", "amount": 0}}}, "BAD_USER_INPUT", "prices"},
		"unknown screen":    {map[string]any{"screenId": "0193a4b2-0000-7000-8000-000000000000"}, "NOT_FOUND", ""},
		"unknown movie":     {map[string]any{"movieId": "0193a4b2-0000-7000-8000-000000000000"}, "NOT_FOUND", ""},
		"another's theatre": {map[string]any{"screenId": other.Theatre.Screens[0].ID}, "FORBIDDEN", ""},
	} {
		t.Run(name, func(t *testing.T) {
			e := expectCode(t, in.graphqlAs(t, owner.AccessToken, schedule, map[string]any{"i": input(c.extra)}), c.code)
			if c.field != "" && e.Extensions["field"] != c.field {
				t.Fatalf("field %v, want %s (%s)", e.Extensions["field"], c.field, e.Message)
			}
		})
	}
	expectCode(t, in.graphql(t, schedule, map[string]any{"i": input(nil)}), "UNAUTHENTICATED")

	// Pricing rules change the price customers see.
	expectOK(t, in.graphqlAs(t, owner.AccessToken, `mutation($t: ID!) { setPricingRules(theatreId: $t, input: {
		timeBands: [{name: "morning", from: "06:00", to: "12:00", percent: -20}], roundTo: 500}) { roundTo } }`,
		map[string]any{"t": theatreID}), nil)
	var morning struct {
		Show struct {
			LocalTime string
			Prices    []struct{ Price struct{ Amount int } }
		}
	}
	in.mustQuery(t, `query($s: ID!) { show(id: $s) { localTime prices { price { amount } } } }`, map[string]any{"s": created[0].ID}, &morning)
	if morning.Show.LocalTime != "10:00" || morning.Show.Prices[0].Price.Amount != 44000 {
		t.Fatalf("a 10:00 show with a 20%% morning discount on ₹550: %+v", morning.Show)
	}

	// Cancelling makes a show disappear from showtimes.
	var cancelled struct{ CancelShow struct{ Status string } }
	expectOK(t, in.graphqlAs(t, owner.AccessToken, `mutation($s: ID!) { cancelShow(id: $s) { status } }`, map[string]any{"s": created[0].ID}), &cancelled)
	if cancelled.CancelShow.Status != "CANCELLED" {
		t.Fatalf("status %s", cancelled.CancelShow.Status)
	}
	var st struct {
		Showtimes []struct{ Shows []struct{ ID string } }
	}
	in.mustQuery(t, `query($m: ID!, $c: ID!, $d: Date) { showtimes(filter: {movieId: $m, cityId: $c, date: $d}) { shows { id } } }`,
		map[string]any{"m": m.ID, "c": demo.FirstCityID(), "d": from}, &st)
	for _, g := range st.Showtimes {
		for _, s := range g.Shows {
			if s.ID == created[0].ID {
				t.Fatal("a cancelled show is still listed")
			}
		}
	}
}
