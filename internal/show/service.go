package show

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// MovieInfo is what scheduling needs to know of a movie.
type MovieInfo struct {
	ID             string
	RuntimeMinutes int
	Languages      []string
	Formats        []string
}

// ScreenInfo is what scheduling needs to know of a screen.
type ScreenInfo struct {
	ID         string
	TheatreID  string
	Formats    []string
	Categories []string
	// CategoryNames are the display names of the categories, by code.
	CategoryNames map[string]string
	SellableSeats int
}

// TheatreInfo is what scheduling and discovery need to know of a theatre.
type TheatreInfo struct {
	ID                string
	CityID            string
	TimeZone          string
	Currency          string
	ChangeoverMinutes int
}

// Catalogue answers questions about movies, screens and theatres (the movie and theatre
// services). Each method returns NotFound for an unknown id.
type Catalogue interface {
	Movie(ctx context.Context, id string) (MovieInfo, error)
	Screen(ctx context.Context, id string) (ScreenInfo, error)
	Theatre(ctx context.Context, id string) (TheatreInfo, error)
}

// Authorizer decides who may change a theatre's programme.
type Authorizer interface {
	// SignedIn returns Unauthenticated when the caller has no identity.
	SignedIn(ctx context.Context) error
	// CanManageTheatre returns Unauthenticated without an identity, Forbidden for one that may
	// not manage the theatre.
	CanManageTheatre(ctx context.Context, theatreID string) error
}

// DateCache caches the dates with bookable shows per movie and city.
type DateCache interface {
	Get(ctx context.Context, key string) ([]DateSpan, bool)
	Set(ctx context.Context, key string, spans []DateSpan)
	Delete(ctx context.Context, keys ...string)
}

// DateSpan is a local date with the start of its last scheduled show.
type DateSpan struct {
	Date      string
	LastStart time.Time
}

// CancelHook is told about each cancelled show, so bookings on it can be dealt with.
type CancelHook func(ctx context.Context, s Show) error

// Service is the show service's application layer.
type Service struct {
	repo      Repository
	pricing   PricingRepository
	catalogue Catalogue
	auth      Authorizer
	occupancy Occupancy
	dates     DateCache
	clock     clock.Clock
	onCancel  []CancelHook
	audit     audit.Log
	// zones caches time zones by name: time.LoadLocation reads the zone file on every call.
	zones sync.Map // string → *time.Location
}

// Deps are the Service's collaborators. Occupancy and Dates may be nil.
type Deps struct {
	Repo      Repository
	Pricing   PricingRepository
	Catalogue Catalogue
	Auth      Authorizer
	Occupancy Occupancy
	Dates     DateCache
	Clock     clock.Clock
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	s := &Service{repo: d.Repo, pricing: d.Pricing, catalogue: d.Catalogue, auth: d.Auth, occupancy: d.Occupancy,
		dates: d.Dates, clock: d.Clock}
	if s.occupancy == nil {
		s.occupancy = NoOccupancy{}
	}
	if s.dates == nil {
		s.dates = noCache{}
	}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	s.audit = audit.Discard{}
	return s
}

// SetAudit makes the service record its writes in l.
func (s *Service) SetAudit(l audit.Log) { s.audit = l }

// SetOccupancy replaces the occupancy source (the booking service, once it runs).
func (s *Service) SetOccupancy(o Occupancy) { s.occupancy = o }

// OnCancel registers a hook run after each show is cancelled.
func (s *Service) OnCancel(h CancelHook) { s.onCancel = append(s.onCancel, h) }

// ScheduleResult is the outcome of a scheduling request: the shows created (or that would be, on
// a dry run), or every conflict that rejected the batch.
type ScheduleResult struct {
	Created   []Show
	Conflicts []Conflict
	DryRun    bool
}

// Schedule creates a batch of shows, or rejects it whole with every conflict listed.
func (s *Service) Schedule(ctx context.Context, r ScheduleRequest) (ScheduleResult, error) {
	if err := s.auth.SignedIn(ctx); err != nil {
		return ScheduleResult{}, err
	}
	if !ids.Valid(r.MovieID) {
		return ScheduleResult{}, errs.Invalidf("movieId", "%q is not a valid movie id", r.MovieID)
	}
	if !ids.Valid(r.ScreenID) {
		return ScheduleResult{}, errs.Invalidf("screenId", "%q is not a valid screen id", r.ScreenID)
	}
	if err := validateRequest(&r); err != nil {
		return ScheduleResult{}, err
	}
	screen, err := s.catalogue.Screen(ctx, r.ScreenID)
	if err != nil {
		return ScheduleResult{}, err
	}
	if err := s.auth.CanManageTheatre(ctx, screen.TheatreID); err != nil {
		return ScheduleResult{}, err
	}
	if r.IdempotencyKey != "" && !r.DryRun {
		if res, ok, err := s.replay(ctx, r.IdempotencyKey, r.ScreenID); ok || err != nil {
			return res, err
		}
	}
	movie, err := s.catalogue.Movie(ctx, r.MovieID)
	if err != nil {
		return ScheduleResult{}, err
	}
	theatre, err := s.catalogue.Theatre(ctx, screen.TheatreID)
	if err != nil {
		return ScheduleResult{}, err
	}
	loc, err := time.LoadLocation(theatre.TimeZone)
	if err != nil {
		return ScheduleResult{}, fmt.Errorf("time zone of theatre %s: %w", theatre.ID, err)
	}
	conflicts := requestConflicts(r, movie, screen)
	r.Language = spelledAs(movie.Languages, r.Language)
	r.Format = spelledAs(movie.Formats, r.Format)
	slots, timeConflicts, err := expand(r, loc)
	if err != nil {
		return ScheduleResult{}, err
	}
	conflicts = append(conflicts, timeConflicts...)

	busy := time.Duration(movie.RuntimeMinutes+theatre.ChangeoverMinutes) * time.Minute
	now := s.clock.Now()
	batch := Batch{ID: ids.New(), Key: r.IdempotencyKey, ScreenID: r.ScreenID, CreatedAt: now}
	shows := make([]Show, 0, len(slots))
	for _, sl := range slots {
		if !sl.start.After(now) {
			conflicts = append(conflicts, Conflict{Date: sl.date, StartTime: sl.time, Reason: ReasonInPast,
				Message: fmt.Sprintf("%s %s has already begun", sl.date, sl.time)})
			continue
		}
		shows = append(shows, Show{ID: ids.New(), MovieID: movie.ID, TheatreID: theatre.ID, ScreenID: screen.ID,
			CityID: theatre.CityID, StartsAt: sl.start, EndsAt: sl.start.Add(busy), RuntimeMinutes: movie.RuntimeMinutes, LocalDate: sl.date, LocalTime: sl.time,
			TimeZone: theatre.TimeZone, Language: r.Language, Format: r.Format, Currency: theatre.Currency,
			BasePrices: orderedPrices(r.Prices, screen.Categories, screen.CategoryNames), SellableSeats: screen.SellableSeats,
			Status: StatusScheduled, BatchID: batch.ID, CreatedAt: now})
	}
	conflicts = append(conflicts, overlapsWithin(shows)...)
	if len(shows) == 0 && len(conflicts) == 0 {
		return ScheduleResult{}, errs.Invalidf("daysOfWeek", "the dates and days of the week select no show")
	}
	for i := range shows {
		batch.ShowIDs = append(batch.ShowIDs, shows[i].ID)
	}
	from, to := windowOf(shows)

	if len(conflicts) > 0 {
		existing, err := s.repo.OnScreen(ctx, r.ScreenID, from, to)
		if err != nil {
			return ScheduleResult{}, fmt.Errorf("shows on screen: %w", err)
		}
		all := append(conflicts, overlapsWithExisting(shows, existing)...)
		return ScheduleResult{Conflicts: sortConflicts(all), DryRun: r.DryRun}, nil
	}
	var rejected []Conflict
	check := func(existing []Show) error {
		if rejected = overlapsWithExisting(shows, existing); len(rejected) > 0 {
			return errRejected
		}
		if r.DryRun {
			return errDryRun
		}
		return nil
	}
	err = s.repo.CreateBatch(ctx, r.ScreenID, from, to, batch, shows, check)
	switch {
	case errors.Is(err, errRejected):
		return ScheduleResult{Conflicts: sortConflicts(rejected), DryRun: r.DryRun}, nil
	case errors.Is(err, errDryRun):
		return ScheduleResult{Created: shows, DryRun: true}, nil
	case errs.Is(err, errs.Conflict) && r.IdempotencyKey != "":
		// A concurrent retry with the same key won the race.
		if res, ok, err := s.replay(ctx, r.IdempotencyKey, r.ScreenID); ok || err != nil {
			return res, err
		}
		return ScheduleResult{}, err
	case err != nil:
		return ScheduleResult{}, fmt.Errorf("schedule shows: %w", err)
	}
	s.invalidateDates(ctx, movie.ID, theatre.CityID)
	_ = s.audit.Record(ctx, "show.schedule", audit.ResourceShow, batch.ID, theatre.ID,
		fmt.Sprintf("scheduled %d shows of movie %s on screen %s from %s to %s", len(shows), movie.ID, screen.ID, r.FromDate, r.ToDate))
	return ScheduleResult{Created: shows}, nil
}

var (
	errRejected = errors.New("batch rejected")
	errDryRun   = errors.New("dry run")
)

// replay returns the answer of an earlier request with the same idempotency key.
func (s *Service) replay(ctx context.Context, key, screenID string) (ScheduleResult, bool, error) {
	b, err := s.repo.BatchByKey(ctx, key)
	if errs.Is(err, errs.NotFound) {
		return ScheduleResult{}, false, nil
	}
	if err != nil {
		return ScheduleResult{}, false, fmt.Errorf("look up idempotency key: %w", err)
	}
	if b.ScreenID != screenID {
		return ScheduleResult{}, false, errs.E(errs.Conflict, "idempotencyKey was already used for another screen")
	}
	shows, err := s.repo.GetMany(ctx, b.ShowIDs)
	if err != nil {
		return ScheduleResult{}, false, err
	}
	sortShows(shows)
	return ScheduleResult{Created: shows}, true, nil
}

// requestConflicts are the problems of the request as a whole.
func requestConflicts(r ScheduleRequest, m MovieInfo, sc ScreenInfo) []Conflict {
	var out []Conflict
	if !containsFold(m.Languages, r.Language) {
		out = append(out, Conflict{Reason: ReasonLanguageNotOffered,
			Message: fmt.Sprintf("the movie is not available in %s (it has %s)", r.Language, strings.Join(m.Languages, ", "))})
	}
	if !containsFold(m.Formats, r.Format) {
		out = append(out, Conflict{Reason: ReasonFormatNotOffered,
			Message: fmt.Sprintf("the movie is not available in %s (it has %s)", r.Format, strings.Join(m.Formats, ", "))})
	}
	if !containsFold(sc.Formats, r.Format) {
		out = append(out, Conflict{Reason: ReasonFormatNotSupported,
			Message: fmt.Sprintf("the screen cannot show %s (it shows %s)", r.Format, strings.Join(sc.Formats, ", "))})
	}
	priced := map[string]bool{}
	for _, p := range r.Prices {
		priced[p.Category] = true
		if !slices.Contains(sc.Categories, p.Category) {
			out = append(out, Conflict{Reason: ReasonUnknownCategory,
				Message: fmt.Sprintf("the screen has no seat category %s (it has %s)", p.Category, strings.Join(sc.Categories, ", "))})
		}
	}
	for _, c := range sc.Categories {
		if !priced[c] {
			out = append(out, Conflict{Reason: ReasonPriceMissing, Message: fmt.Sprintf("no price for seat category %s", c)})
		}
	}
	return out
}

// spelledAs returns the list's spelling of v, or v when the list lacks it.
func spelledAs(list []string, v string) string {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return x
		}
	}
	return v
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// orderedPrices lists the prices in the layout's category order.
func orderedPrices(prices []CategoryPrice, categories []string, names map[string]string) []CategoryPrice {
	out := make([]CategoryPrice, 0, len(prices))
	for _, c := range categories {
		for _, p := range prices {
			if p.Category == c {
				p.Name = names[c]
				out = append(out, p)
			}
		}
	}
	return out
}

func overlapsWithin(shows []Show) []Conflict {
	var out []Conflict
	for i := range shows {
		for j := 0; j < i; j++ {
			if Overlaps(shows[i].StartsAt, shows[i].EndsAt, shows[j].StartsAt, shows[j].EndsAt) {
				other := shows[j]
				out = append(out, Conflict{Date: shows[i].LocalDate, StartTime: shows[i].LocalTime, Reason: ReasonOverlapInBatch,
					Message: fmt.Sprintf("%s %s overlaps %s %s of the same request", shows[i].LocalDate, shows[i].LocalTime,
						other.LocalDate, other.LocalTime)})
				break
			}
		}
	}
	return out
}

func overlapsWithExisting(shows, existing []Show) []Conflict {
	var out []Conflict
	for _, sh := range shows {
		for i := range existing {
			ex := existing[i]
			if Overlaps(sh.StartsAt, sh.EndsAt, ex.StartsAt, ex.EndsAt) {
				out = append(out, Conflict{Date: sh.LocalDate, StartTime: sh.LocalTime, Reason: ReasonOverlap, ClashesWith: &ex,
					Message: fmt.Sprintf("%s %s overlaps the show at %s %s (screen busy until %s)", sh.LocalDate, sh.LocalTime,
						ex.LocalDate, ex.LocalTime, localClock(ex.EndsAt, ex.TimeZone))})
				break
			}
		}
	}
	return out
}

func localClock(t time.Time, tz string) string {
	if loc, err := time.LoadLocation(tz); err == nil {
		t = t.In(loc)
	}
	return t.Format("15:04")
}

func windowOf(shows []Show) (from, to time.Time) {
	for i, sh := range shows {
		if i == 0 || sh.StartsAt.Before(from) {
			from = sh.StartsAt
		}
		if i == 0 || sh.EndsAt.After(to) {
			to = sh.EndsAt
		}
	}
	return from, to
}

func sortConflicts(cs []Conflict) []Conflict {
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].Date != cs[j].Date {
			return cs[i].Date < cs[j].Date
		}
		return cs[i].StartTime < cs[j].StartTime
	})
	return cs
}

func sortShows(shows []Show) {
	sort.Slice(shows, func(i, j int) bool {
		if !shows[i].StartsAt.Equal(shows[j].StartsAt) {
			return shows[i].StartsAt.Before(shows[j].StartsAt)
		}
		return shows[i].ID < shows[j].ID
	})
}

// Cancel cancels a show and runs the cancel hooks. Cancelling a cancelled show is a no-op.
func (s *Service) Cancel(ctx context.Context, id string) (Show, error) {
	if err := s.auth.SignedIn(ctx); err != nil {
		return Show{}, err
	}
	sh, err := s.Get(ctx, id)
	if err != nil {
		return Show{}, err
	}
	if err := s.auth.CanManageTheatre(ctx, sh.TheatreID); err != nil {
		return Show{}, err
	}
	if sh.Status == StatusCancelled {
		return sh, nil
	}
	sh, cancelled, err := s.repo.Cancel(ctx, id, s.clock.Now())
	if err != nil {
		return Show{}, err
	}
	if !cancelled {
		return sh, nil // a concurrent call cancelled it and runs the hooks
	}
	s.invalidateDates(ctx, sh.MovieID, sh.CityID)
	_ = s.audit.Record(ctx, "show.cancel", audit.ResourceShow, sh.ID, sh.TheatreID,
		fmt.Sprintf("cancelled the show of %s %s on screen %s", sh.LocalDate, sh.LocalTime, sh.ScreenID))
	for _, h := range s.onCancel {
		if err := h(ctx, sh); err != nil {
			return sh, fmt.Errorf("after cancelling show %s: %w", sh.ID, err)
		}
	}
	return sh, nil
}

// Get returns a show.
func (s *Service) Get(ctx context.Context, id string) (Show, error) {
	if !ids.Valid(id) {
		return Show{}, errs.Invalidf("id", "%q is not a valid show id", id)
	}
	return s.repo.Get(ctx, id)
}

// GetMany returns the shows among ids that exist.
func (s *Service) GetMany(ctx context.Context, showIDs []string) ([]Show, error) {
	if len(showIDs) > 1000 {
		return nil, errs.Invalidf("ids", "at most 1000 ids at once")
	}
	for _, id := range showIDs {
		if !ids.Valid(id) {
			return nil, errs.Invalidf("ids", "%q is not a valid show id", id)
		}
	}
	return s.repo.GetMany(ctx, showIDs)
}

// ShowtimesQuery selects the shows of a movie for discovery.
type ShowtimesQuery struct {
	MovieID    string
	CityID     string
	TheatreIDs []string // from a "near" search; nil to use CityID alone
	Date       string   // local date; empty: every date
	Language   string
	Format     string
}

// Showtimes returns the future, scheduled shows matching q, by start time.
func (s *Service) Showtimes(ctx context.Context, q ShowtimesQuery) ([]Show, error) {
	if !ids.Valid(q.MovieID) {
		return nil, errs.Invalidf("movieId", "%q is not a valid movie id", q.MovieID)
	}
	if q.CityID != "" && !ids.Valid(q.CityID) {
		return nil, errs.Invalidf("cityId", "%q is not a valid city id", q.CityID)
	}
	if q.Date != "" {
		if _, err := time.Parse(time.DateOnly, q.Date); err != nil {
			return nil, errs.Invalidf("date", "date %q is not a date in YYYY-MM-DD form", q.Date)
		}
	}
	if q.TheatreIDs != nil && len(q.TheatreIDs) == 0 {
		return nil, nil
	}
	return s.repo.Find(ctx, Query{MovieID: q.MovieID, CityID: q.CityID, TheatreIDs: q.TheatreIDs, LocalDate: q.Date,
		Language: q.Language, Format: strings.ToUpper(q.Format), StartsAfter: s.clock.Now()})
}

// ShowDates returns the local dates with bookable shows of a movie in a city, cached.
func (s *Service) ShowDates(ctx context.Context, movieID, cityID string) ([]string, error) {
	if !ids.Valid(movieID) {
		return nil, errs.Invalidf("movieId", "%q is not a valid movie id", movieID)
	}
	if !ids.Valid(cityID) {
		return nil, errs.Invalidf("cityId", "%q is not a valid city id", cityID)
	}
	key := dateKey(movieID, cityID)
	spans, ok := s.dates.Get(ctx, key)
	if !ok {
		var err error
		if spans, err = s.repo.LocalDates(ctx, movieID, cityID, s.clock.Now()); err != nil {
			return nil, fmt.Errorf("show dates: %w", err)
		}
		s.dates.Set(ctx, key, spans)
	}
	now := s.clock.Now()
	out := []string{}
	for _, sp := range spans {
		if sp.LastStart.After(now) {
			out = append(out, sp.Date)
		}
	}
	return out, nil
}

func dateKey(movieID, cityID string) string { return "showdates:" + movieID + ":" + cityID }

func (s *Service) invalidateDates(ctx context.Context, movieID, cityID string) {
	s.dates.Delete(ctx, dateKey(movieID, cityID))
}

// MoviesInCity returns the movies with bookable shows in a city.
func (s *Service) MoviesInCity(ctx context.Context, cityID string) ([]string, error) {
	if !ids.Valid(cityID) {
		return nil, errs.Invalidf("cityId", "%q is not a valid city id", cityID)
	}
	return s.repo.MovieIDs(ctx, cityID, s.clock.Now())
}

// Priced is a show with its current prices and free seats.
type Priced struct {
	Show
	Prices         []CategoryPrice
	AvailableSeats int
}

// Price returns the shows with their current prices and available seats.
func (s *Service) Price(ctx context.Context, shows []Show) ([]Priced, error) {
	showIDs := make([]string, len(shows))
	for i, sh := range shows {
		showIDs[i] = sh.ID
	}
	counts, err := s.occupancy.Counts(ctx, showIDs)
	if err != nil {
		return nil, fmt.Errorf("seat counts: %w", err)
	}
	rules, err := s.rulesOfShows(ctx, shows)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := make([]Priced, len(shows))
	prices := make([]CategoryPrice, 0, len(shows)*2)
	for i, sh := range shows {
		r, ok := rules[sh.TheatreID]
		if !ok {
			r = DefaultRules()
		}
		c := counts[sh.ID]
		taken := c.Held + c.Booked
		occ := 0.0
		if sh.SellableSeats > 0 {
			occ = float64(taken) / float64(sh.SellableSeats)
		}
		local := sh.StartsAt
		if loc, err := s.location(sh.TimeZone); err == nil {
			local = local.In(loc)
		}
		// The prices of all shows share one block, cut into each show's full slice.
		n := len(sh.BasePrices)
		if cap(prices)-len(prices) < n {
			prices = make([]CategoryPrice, 0, max(n, (len(shows)-i)*2))
		}
		p := Priced{Show: sh, AvailableSeats: max(0, sh.SellableSeats-taken), Prices: prices[len(prices) : len(prices)+n : len(prices)+n]}
		prices = prices[:len(prices)+n]
		for j, bp := range sh.BasePrices {
			p.Prices[j] = CategoryPrice{Category: bp.Category, Name: bp.Name, Amount: r.Price(PriceInput{Base: bp.Amount, Category: bp.Category,
				LocalStart: local, Now: now, Occupancy: occ})}
		}
		out[i] = p
	}
	return out, nil
}

// rulesOfShows returns the pricing rules of the shows' theatres that have rules, read in one
// query per 1000 theatres; theatres missing from the map use DefaultRules.
func (s *Service) rulesOfShows(ctx context.Context, shows []Show) (map[string]Rules, error) {
	seen := make(map[string]bool)
	var theatreIDs []string
	for _, sh := range shows {
		if !seen[sh.TheatreID] {
			seen[sh.TheatreID] = true
			theatreIDs = append(theatreIDs, sh.TheatreID)
		}
	}
	out := make(map[string]Rules, len(theatreIDs))
	for chunk := range slices.Chunk(theatreIDs, 1000) {
		rules, err := s.pricing.GetMany(ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("pricing rules: %w", err)
		}
		for id, r := range rules {
			out[id] = r
		}
	}
	return out, nil
}

// location returns the named time zone, loading it once per service.
func (s *Service) location(name string) (*time.Location, error) {
	if loc, ok := s.zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	s.zones.Store(name, loc)
	return loc, nil
}

// RulesOf returns a theatre's pricing rules, or the defaults.
func (s *Service) RulesOf(ctx context.Context, theatreID string) (Rules, error) {
	r, err := s.pricing.Get(ctx, theatreID)
	if errs.Is(err, errs.NotFound) {
		return DefaultRules(), nil
	}
	if err != nil {
		return Rules{}, fmt.Errorf("pricing rules of %s: %w", theatreID, err)
	}
	return r, nil
}

// SetRules replaces a theatre's pricing rules.
func (s *Service) SetRules(ctx context.Context, theatreID string, r Rules) (Rules, error) {
	if err := s.auth.SignedIn(ctx); err != nil {
		return Rules{}, err
	}
	if !ids.Valid(theatreID) {
		return Rules{}, errs.Invalidf("theatreId", "%q is not a valid theatre id", theatreID)
	}
	if _, err := s.catalogue.Theatre(ctx, theatreID); err != nil {
		return Rules{}, err
	}
	if err := s.auth.CanManageTheatre(ctx, theatreID); err != nil {
		return Rules{}, err
	}
	if err := r.Validate(); err != nil {
		return Rules{}, err
	}
	if err := s.pricing.Put(ctx, theatreID, r); err != nil {
		return Rules{}, fmt.Errorf("store pricing rules: %w", err)
	}
	_ = s.audit.Record(ctx, "pricing.update", audit.ResourceTheatre, theatreID, theatreID, "replaced the pricing rules")
	return r, nil
}

type noCache struct{}

func (noCache) Get(context.Context, string) ([]DateSpan, bool) { return nil, false }
func (noCache) Set(context.Context, string, []DateSpan)        {}
func (noCache) Delete(context.Context, ...string)              {}
