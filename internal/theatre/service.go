package theatre

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Search limits.
const (
	DefaultRadiusKm = 10
	MaxRadiusKm     = 100
	MaxBatchGet     = 500
)

// Service is the theatre catalogue's application layer.
type Service struct {
	cities   CityRepository
	theatres TheatreRepository
	screens  ScreenRepository
	clock    clock.Clock
	audit    audit.Log
}

// NewService returns a Service over the repositories.
func NewService(cities CityRepository, theatres TheatreRepository, screens ScreenRepository, clk clock.Clock) *Service {
	return &Service{cities: cities, theatres: theatres, screens: screens, clock: clk, audit: audit.Discard{}}
}

// SetAudit makes the service record its writes in l.
func (s *Service) SetAudit(l audit.Log) { s.audit = l }

// CreateCity validates and stores a city.
func (s *Service) CreateCity(ctx context.Context, c City) (City, error) {
	if _, err := auth.RequireAdmin(ctx); err != nil {
		return City{}, err
	}
	if err := c.Validate(); err != nil {
		return City{}, err
	}
	if c.ID == "" {
		c.ID = ids.New()
	}
	if err := s.cities.Create(ctx, c); err != nil {
		return City{}, fmt.Errorf("create city: %w", err)
	}
	_ = s.audit.Record(ctx, "city.create", audit.ResourceCity, c.ID, "", fmt.Sprintf("created city %q", c.Name))
	return c, nil
}

// Cities lists every city by name.
func (s *Service) Cities(ctx context.Context) ([]City, error) { return s.cities.List(ctx) }

// City returns one city.
func (s *Service) City(ctx context.Context, id string) (City, error) {
	if !ids.Valid(id) {
		return City{}, errs.Invalidf("cityId", "%q is not a valid city id", id)
	}
	return s.cities.Get(ctx, id)
}

// CreateTheatre validates and stores a theatre in an existing city. The time zone defaults to
// the city's.
func (s *Service) CreateTheatre(ctx context.Context, t Theatre) (Theatre, error) {
	if _, err := auth.RequireAdmin(ctx); err != nil {
		return Theatre{}, err
	}
	city, err := s.City(ctx, t.CityID)
	if err != nil {
		return Theatre{}, err
	}
	if t.TimeZone == "" {
		t.TimeZone = city.TimeZone
	}
	if err := t.Validate(); err != nil {
		return Theatre{}, err
	}
	if t.ID == "" {
		t.ID = ids.New()
	}
	t.CreatedAt = s.clock.Now()
	if err := s.theatres.Create(ctx, t); err != nil {
		return Theatre{}, fmt.Errorf("create theatre: %w", err)
	}
	_ = s.audit.Record(ctx, "theatre.create", audit.ResourceTheatre, t.ID, t.ID, fmt.Sprintf("created theatre %q", t.Name))
	return t, nil
}

// Theatre returns one theatre.
func (s *Service) Theatre(ctx context.Context, id string) (Theatre, error) {
	if !ids.Valid(id) {
		return Theatre{}, errs.Invalidf("id", "%q is not a valid theatre id", id)
	}
	return s.theatres.Get(ctx, id)
}

// TheatresByIDs returns the theatres among ids that exist.
func (s *Service) TheatresByIDs(ctx context.Context, theatreIDs []string) ([]Theatre, error) {
	if err := validIDs("ids", theatreIDs); err != nil {
		return nil, err
	}
	return s.theatres.GetMany(ctx, theatreIDs)
}

// TheatresInCity lists a city's theatres by name. NotFound for an unknown city.
func (s *Service) TheatresInCity(ctx context.Context, cityID string) ([]Theatre, error) {
	if _, err := s.City(ctx, cityID); err != nil {
		return nil, err
	}
	return s.theatres.ListByCity(ctx, cityID)
}

// NearbyTheatre is a theatre with its distance from the search point.
type NearbyTheatre struct {
	Theatre    Theatre
	DistanceKm float64
}

// TheatresNear lists the theatres within radiusKm of p, nearest first (ties by name).
func (s *Service) TheatresNear(ctx context.Context, p GeoPoint, radiusKm float64) ([]NearbyTheatre, error) {
	if err := p.Validate("near"); err != nil {
		return nil, err
	}
	if radiusKm != radiusKm || radiusKm <= 0 || radiusKm > MaxRadiusKm {
		return nil, errs.Invalidf("near.radiusKm", "radiusKm must be greater than 0 and at most %d", MaxRadiusKm)
	}
	var found []NearbyTheatre
	for _, box := range BoxesAround(p, radiusKm) {
		ts, err := s.theatres.ListInBox(ctx, box)
		if err != nil {
			return nil, fmt.Errorf("theatres near: %w", err)
		}
		for _, t := range ts {
			if d := DistanceKm(p, t.Location); d <= radiusKm {
				found = append(found, NearbyTheatre{Theatre: t, DistanceKm: d})
			}
		}
	}
	slices.SortFunc(found, func(a, b NearbyTheatre) int {
		if a.DistanceKm != b.DistanceKm {
			if a.DistanceKm < b.DistanceKm {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Theatre.Name, b.Theatre.Name)
	})
	return found, nil
}

// AddScreen validates and stores a new screen of an existing theatre.
func (s *Service) AddScreen(ctx context.Context, sc Screen) (Screen, error) {
	if _, err := auth.Require(ctx); err != nil {
		return Screen{}, err
	}
	if _, err := s.Theatre(ctx, sc.TheatreID); err != nil {
		return Screen{}, err
	}
	if _, err := auth.RequireTheatreAdmin(ctx, sc.TheatreID); err != nil {
		return Screen{}, err
	}
	if err := normalizeScreen(&sc); err != nil {
		return Screen{}, err
	}
	if sc.ID == "" {
		sc.ID = ids.New()
	}
	sc.CreatedAt = s.clock.Now()
	if err := s.screens.Create(ctx, sc); err != nil {
		return Screen{}, fmt.Errorf("add screen: %w", err)
	}
	_ = s.audit.Record(ctx, "screen.create", audit.ResourceScreen, sc.ID, sc.TheatreID,
		fmt.Sprintf("added screen %q with %d seats", sc.Name, sc.SeatCount()))
	return sc, nil
}

// UpdateScreen applies fn to a screen and validates the result before storing it.
func (s *Service) UpdateScreen(ctx context.Context, id string, fn func(*Screen) error) (Screen, error) {
	if _, err := auth.Require(ctx); err != nil {
		return Screen{}, err
	}
	if !ids.Valid(id) {
		return Screen{}, errs.Invalidf("id", "%q is not a valid screen id", id)
	}
	sc, err := s.screens.Update(ctx, id, func(sc *Screen) error {
		if _, err := auth.RequireTheatreAdmin(ctx, sc.TheatreID); err != nil {
			return err
		}
		theatreID := sc.TheatreID
		if err := fn(sc); err != nil {
			return err
		}
		sc.TheatreID = theatreID // a screen never moves to another theatre
		return normalizeScreen(sc)
	})
	if err != nil {
		return Screen{}, err
	}
	_ = s.audit.Record(ctx, "screen.update", audit.ResourceScreen, sc.ID, sc.TheatreID,
		fmt.Sprintf("updated screen %q: %d seats, formats %s", sc.Name, sc.SeatCount(), strings.Join(sc.Formats, ", ")))
	return sc, nil
}

func normalizeScreen(sc *Screen) error {
	sc.Name = strings.TrimSpace(sc.Name)
	if sc.Name == "" || len(sc.Name) > 60 {
		return errs.Invalidf("name", "screen name is required and at most 60 characters")
	}
	formats := make([]string, 0, len(sc.Formats))
	for _, f := range sc.Formats {
		f = strings.ToUpper(strings.Join(strings.Fields(f), " "))
		if f != "" && !slices.Contains(formats, f) {
			formats = append(formats, f)
		}
	}
	if len(formats) == 0 || len(formats) > 20 {
		return errs.Invalidf("formats", "a screen supports between 1 and 20 formats")
	}
	sc.Formats = formats
	sc.Layout.Normalize()
	if err := sc.BestView.Validate(); err != nil {
		return err
	}
	return sc.Layout.Validate()
}

// Screen returns one screen.
func (s *Service) Screen(ctx context.Context, id string) (Screen, error) {
	if !ids.Valid(id) {
		return Screen{}, errs.Invalidf("id", "%q is not a valid screen id", id)
	}
	return s.screens.Get(ctx, id)
}

// ScreensOf returns the screens of the given theatres, by theatre then name.
func (s *Service) ScreensOf(ctx context.Context, theatreIDs []string) ([]Screen, error) {
	if err := validIDs("theatreIds", theatreIDs); err != nil {
		return nil, err
	}
	return s.screens.ListByTheatres(ctx, theatreIDs)
}

func validIDs(field string, list []string) error {
	if len(list) > MaxBatchGet {
		return errs.Invalidf(field, "at most %d ids at once", MaxBatchGet)
	}
	for _, id := range list {
		if !ids.Valid(id) {
			return errs.Invalidf(field, "%q is not a valid id", id)
		}
	}
	return nil
}
