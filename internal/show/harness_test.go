package show_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/cache"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/show"
	"github.com/marquee-cinema/marquee/internal/show/showgrpc"
	"github.com/marquee-cinema/marquee/internal/show/showsqlite"
)

// fakeCatalogue is the movie and theatre services at the show service's edge: maps of what
// scheduling needs to know, NotFound for anything else.
type fakeCatalogue struct {
	mu       sync.Mutex
	movies   map[string]show.MovieInfo
	screens  map[string]show.ScreenInfo
	theatres map[string]show.TheatreInfo
}

var _ show.Catalogue = (*fakeCatalogue)(nil)

func (c *fakeCatalogue) Movie(_ context.Context, id string) (show.MovieInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.movies[id]
	if !ok {
		return show.MovieInfo{}, errs.NotFoundf("movie %s not found", id)
	}
	return m, nil
}

func (c *fakeCatalogue) Screen(_ context.Context, id string) (show.ScreenInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.screens[id]
	if !ok {
		return show.ScreenInfo{}, errs.NotFoundf("screen %s not found", id)
	}
	return s, nil
}

func (c *fakeCatalogue) Theatre(_ context.Context, id string) (show.TheatreInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	th, ok := c.theatres[id]
	if !ok {
		return show.TheatreInfo{}, errs.NotFoundf("theatre %s not found", id)
	}
	return th, nil
}

// fakeOccupancy is the booking service's seat counts.
type fakeOccupancy struct {
	mu     sync.Mutex
	counts map[string]show.SeatCounts
	err    error
}

func (o *fakeOccupancy) set(showID string, c show.SeatCounts) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.counts == nil {
		o.counts = map[string]show.SeatCounts{}
	}
	o.counts[showID] = c
}

func (o *fakeOccupancy) Counts(_ context.Context, showIDs []string) (map[string]show.SeatCounts, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return nil, o.err
	}
	out := map[string]show.SeatCounts{}
	for _, id := range showIDs {
		if c, ok := o.counts[id]; ok {
			out[id] = c
		}
	}
	return out, nil
}

// env is a show.Service on a fresh SQLite database, a fake catalogue, the real theatre
// authorizer, an in-memory date cache and a manual clock.
type env struct {
	svc   *show.Service
	store *showsqlite.Store
	clock *clock.Manual
	cat   *fakeCatalogue
	occ   *fakeOccupancy
}

// t0 is when most tests run: 15 March 2026, 00:00 UTC.
var t0 = time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), sqlitedb.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	store, err := showsqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{
		store: store,
		clock: clock.NewManual(t0),
		cat:   &fakeCatalogue{movies: map[string]show.MovieInfo{}, screens: map[string]show.ScreenInfo{}, theatres: map[string]show.TheatreInfo{}},
		occ:   &fakeOccupancy{},
	}
	e.svc = e.serviceOn(store.Shows)
	return e
}

// serviceOn returns another service like e.svc on repo, with its own date cache.
func (e *env) serviceOn(repo show.Repository) *show.Service {
	return show.NewService(show.Deps{Repo: repo, Pricing: e.store.Pricing, Catalogue: e.cat, Auth: showgrpc.TheatreAuthorizer{},
		Occupancy: e.occ, Dates: show.NewDateCache(cache.NewMemory(1000)), Clock: e.clock})
}

// movie adds a movie running runtime minutes in Hindi and English, 2D, 3D and IMAX 3D.
func (e *env) movie(runtime int) show.MovieInfo {
	m := show.MovieInfo{ID: ids.New(), RuntimeMinutes: runtime, Languages: []string{"Hindi", "English"}, Formats: []string{"2D", "3D", "IMAX 3D"}}
	e.cat.mu.Lock()
	defer e.cat.mu.Unlock()
	e.cat.movies[m.ID] = m
	return m
}

// venue is a theatre with one screen.
type venue struct {
	theatre show.TheatreInfo
	screen  show.ScreenInfo
}

// venue adds a theatre in city and time zone tz, with a 15-minute changeover and one screen of
// 120 seats in GOLD and SILVER showing 2D and 3D.
func (e *env) venue(city, tz string) venue {
	th := show.TheatreInfo{ID: ids.New(), CityID: city, TimeZone: tz, Currency: "INR", ChangeoverMinutes: 15}
	e.cat.mu.Lock()
	e.cat.theatres[th.ID] = th
	e.cat.mu.Unlock()
	return venue{theatre: th, screen: e.screen(th.ID)}
}

// screen adds another screen to a theatre.
func (e *env) screen(theatreID string) show.ScreenInfo {
	sc := show.ScreenInfo{ID: ids.New(), TheatreID: theatreID, Formats: []string{"2D", "3D"}, Categories: []string{"GOLD", "SILVER"}, SellableSeats: 120}
	e.cat.mu.Lock()
	defer e.cat.mu.Unlock()
	e.cat.screens[sc.ID] = sc
	return sc
}

// req asks for m on v's screen in Hindi 2D at GOLD 30000 and SILVER 20000.
func (v venue) req(m show.MovieInfo, from, to string, times ...string) show.ScheduleRequest {
	return show.ScheduleRequest{MovieID: m.ID, ScreenID: v.screen.ID, FromDate: from, ToDate: to, StartTimes: times,
		Language: "Hindi", Format: "2D", Prices: []show.CategoryPrice{{Category: "SILVER", Amount: 20000}, {Category: "GOLD", Amount: 30000}}}
}

// schedule schedules r and fails on an error or conflicts.
func (e *env) schedule(t *testing.T, ctx context.Context, r show.ScheduleRequest) []show.Show {
	t.Helper()
	res, err := e.svc.Schedule(ctx, r)
	if err != nil {
		t.Fatalf("schedule %+v: %v", r, err)
	}
	if len(res.Conflicts) > 0 {
		t.Fatalf("schedule %+v: conflicts %+v", r, res.Conflicts)
	}
	return res.Created
}

// stored returns every show in the database, cancelled ones too.
func (e *env) stored(t *testing.T) []show.Show {
	t.Helper()
	all, err := e.store.Shows.Find(context.Background(), show.Query{IncludeCancelled: true})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func adminCtx() context.Context {
	return auth.WithIdentity(context.Background(), auth.Identity{UserID: "admin-1", Roles: []string{auth.RoleAdmin}})
}

func theatreAdminCtx(theatreIDs ...string) context.Context {
	return auth.WithIdentity(context.Background(), auth.Identity{UserID: "manager-1",
		Roles: []string{auth.RoleCustomer, auth.RoleTheatreAdmin}, TheatreIDs: theatreIDs})
}

func customerCtx() context.Context {
	return auth.WithIdentity(context.Background(), auth.Identity{UserID: "customer-1", Roles: []string{auth.RoleCustomer}})
}

func idsOf(shows []show.Show) []string {
	out := make([]string, len(shows))
	for i, s := range shows {
		out[i] = s.ID
	}
	return out
}

func sortedIDs(shows []show.Show) []string {
	out := idsOf(shows)
	slices.Sort(out)
	return out
}

// istAt returns the UTC instant of a date and HH:MM in India.
func istAt(date, hhmm string) time.Time {
	tm, err := time.ParseInLocation("2006-01-02 15:04", date+" "+hhmm, ist)
	if err != nil {
		panic(err)
	}
	return tm.UTC()
}
