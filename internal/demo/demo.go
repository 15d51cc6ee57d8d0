// Package demo builds Marquee's deterministic demo data set — Indian cities, theatres with
// realistic screen layouts, and a catalogue of fictional movies — and loads it through the
// domain services.
//
// Every value is pure and deterministic: each call returns the same data, and every id is a
// name-based (version 5) UUID derived from a fixed namespace, so tests and fixtures can refer to
// demo records by id (see CityID, TheatreID, ScreenID and MovieID). Load only writes into an
// empty store; it refuses with ErrNotEmpty otherwise.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// namespace is the fixed UUID namespace every demo id is derived from. Changing it changes
// every demo id.
var namespace = uuid.MustParse("7c2a3f0e-5b1d-4e8a-9f6c-2d4b8e1a6c30")

func nameID(kind, name string) string {
	return uuid.NewSHA1(namespace, []byte(kind+":"+name)).String()
}

// CityID is the id of the demo city with the given name, e.g. CityID("Mumbai").
func CityID(name string) string { return nameID("city", name) }

// TheatreID is the id of the demo theatre with the given name.
func TheatreID(name string) string { return nameID("theatre", name) }

// ScreenID is the id of the named screen of the named demo theatre.
func ScreenID(theatreName, screenName string) string {
	return nameID("screen", theatreName+"/"+screenName)
}

// MovieID is the id of the demo movie with the given title.
func MovieID(title string) string { return nameID("movie", title) }

// FirstCityID is the id of the first demo city, Mumbai.
func FirstCityID() string { return CityID(cities[0].name) }

// ErrNotEmpty is the cause of Load's refusal to write into a store that already has cities or
// movies. The returned error carries the errs.Conflict code and wraps ErrNotEmpty.
var ErrNotEmpty = errors.New("demo data is loaded only into an empty store")

// Summary counts what Load created.
type Summary struct {
	Cities   int
	Theatres int
	Screens  int
	Seats    int // seats over every screen, blocked ones included
	Movies   int
	Shows    int // scheduled by LoadShows
}

// IsEmpty reports whether the store has neither cities (and therefore no theatres or screens)
// nor movies.
func IsEmpty(ctx context.Context, movies *movie.Service, theatres *theatre.Service) (bool, error) {
	cs, err := theatres.Cities(ctx)
	if err != nil {
		return false, fmt.Errorf("list cities: %w", err)
	}
	if len(cs) > 0 {
		return false, nil
	}
	page, err := movies.List(ctx, movie.Filter{}, 1, "")
	if err != nil {
		return false, fmt.Errorf("list movies: %w", err)
	}
	return len(page.Movies) == 0, nil
}

// Load creates the demo cities, theatres, screens and movies through the services, in that
// order. It refuses (errs.Conflict wrapping ErrNotEmpty) unless IsEmpty reports an empty store.
// On failure it returns what it created so far and an error naming the item that failed.
func Load(ctx context.Context, movies *movie.Service, theatres *theatre.Service) (Summary, error) {
	ctx = asLoader(ctx)
	var sum Summary
	empty, err := IsEmpty(ctx, movies, theatres)
	if err != nil {
		return sum, fmt.Errorf("demo: check the store is empty: %w", err)
	}
	if !empty {
		return sum, fmt.Errorf("demo: %w", &errs.Error{Code: errs.Conflict,
			Message: "the store already has cities or movies; demo data is loaded only into an empty store",
			Err:     ErrNotEmpty})
	}
	for _, c := range Cities() {
		if _, err := theatres.CreateCity(ctx, c); err != nil {
			return sum, fmt.Errorf("demo: create city %q: %w", c.Name, err)
		}
		sum.Cities++
	}
	for _, t := range Theatres() {
		if _, err := theatres.CreateTheatre(ctx, t); err != nil {
			return sum, fmt.Errorf("demo: create theatre %q: %w", t.Name, err)
		}
		sum.Theatres++
	}
	for _, s := range Screens() {
		created, err := theatres.AddScreen(ctx, s)
		if err != nil {
			return sum, fmt.Errorf("demo: add screen %q (%s) of theatre %s: %w", s.Name, s.ID, s.TheatreID, err)
		}
		sum.Screens++
		sum.Seats += created.SeatCount()
	}
	for _, m := range Movies() {
		if _, err := movies.Create(ctx, m); err != nil {
			return sum, fmt.Errorf("demo: create movie %q: %w", m.Title, err)
		}
		sum.Movies++
	}
	return sum, nil
}

// Account is a demo account.
type Account struct {
	Email, Password, Name, Role string
	TheatreIDs                  []string
}

// Accounts are the two demo accounts of API.md: an admin, and the theatre_admin of the demo
// theatres of the first city. They exist only with --demo; their passwords are public.
func Accounts() []Account {
	var firstCity []string
	for _, t := range Theatres() {
		if t.CityID == FirstCityID() {
			firstCity = append(firstCity, t.ID)
		}
	}
	return []Account{
		{Email: "admin@demo.marquee", Password: "demo-admin", Name: "Demo Admin", Role: "admin"},
		{Email: "owner@demo.marquee", Password: "demo-owner", Name: "Demo Owner", Role: "theatre_admin", TheatreIDs: firstCity},
	}
}

// asLoader returns ctx acting as the demo loader, an admin.
func asLoader(ctx context.Context) context.Context {
	return auth.WithIdentity(ctx, auth.Identity{UserID: "demo-loader", Roles: []string{auth.RoleAdmin}})
}
