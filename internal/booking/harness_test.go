package booking_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/booking/bookingmongo"
	"github.com/marquee-cinema/marquee/internal/booking/bookingsqlite"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlockmemory"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlockredis"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub/pubsubredis"
	"github.com/marquee-cinema/marquee/internal/platform/redistest"
	"github.com/marquee-cinema/marquee/internal/platform/session"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// The hall every test show plays in: 13 rows, M at the back to A at the screen. Two recliner rows
// (blocks of 3-8-3 seats, padded to the 5-14-5 blocks of the other rows), seven prime rows and
// four classic rows of 5-14-5 seats with an aisle between blocks; a wheelchair space with its
// companion seat on the aisle side of the outer blocks of row K; G12 and G13 blocked (a pillar).
// 292 seats, 290 of them sellable.
const (
	catRecliner = "RECLINER"
	catPrime    = "PRIME"
	catClassic  = "CLASSIC"

	hallSeats    = 292
	hallSellable = 290
)

var hallBlocked = []string{"G12", "G13"}

// Prices in paise.
var defaultPrices = map[string]int64{catRecliner: 45000, catPrime: 25000, catClassic: 18000}

// hallLayout builds the hall.
func hallLayout() theatre.Layout {
	l := theatre.Layout{Categories: []theatre.SeatCategory{
		{Code: catRecliner, Name: "Recliner"},
		{Code: catPrime, Name: "Prime"},
		{Code: catClassic, Name: "Classic"},
	}}
	blocks := []int{5, 14, 5}
	recliner := []int{3, 8, 3}
	const rows = 13
	for i := range rows { // i = 0 is the back row
		label := string(rune('A' + rows - 1 - i))
		cat, seats := catClassic, blocks
		switch {
		case i < 2:
			cat, seats = catRecliner, recliner
		case i < 9:
			cat = catPrime
		}
		r := theatre.Row{Label: label}
		gap := func(n int) {
			for range n {
				r.Cells = append(r.Cells, theatre.Cell{Gap: true})
			}
		}
		number := 0
		var outer [][]int // cell indices of the first and last block
		for b, n := range seats {
			if b > 0 {
				gap(1) // the aisle
			}
			pad := blocks[b] - n
			before := pad / 2
			switch b {
			case 0:
				before = pad // keep to the aisle
			case len(seats) - 1:
				before = 0
			}
			gap(before)
			var cells []int
			for range n {
				number++
				cells = append(cells, len(r.Cells))
				r.Cells = append(r.Cells, theatre.Cell{Number: number, Category: cat})
			}
			gap(pad - before)
			if b == 0 || b == len(seats)-1 {
				outer = append(outer, cells)
			}
		}
		if i == 2 { // row K, the easy-access row behind the recliners' cross aisle
			first, last := outer[0], outer[1]
			r.Cells[first[len(first)-1]].Accessible = true
			r.Cells[first[len(first)-2]].Companion = true
			r.Cells[last[0]].Accessible = true
			r.Cells[last[1]].Companion = true
		}
		l.Rows = append(l.Rows, r)
	}
	for ri := range l.Rows {
		for ci := range l.Rows[ri].Cells {
			c := &l.Rows[ri].Cells[ci]
			if !c.Gap && slices.Contains(hallBlocked, theatre.SeatID(l.Rows[ri].Label, c.Number)) {
				c.Blocked = true
			}
		}
	}
	return l
}

// TestHallLayout checks the test hall itself: a valid layout of the size the tests assume.
func TestHallLayout(t *testing.T) {
	t.Parallel()
	l := hallLayout()
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := l.SeatCount(); n != hallSeats {
		t.Errorf("%d seats, want %d", n, hallSeats)
	}
	if n := l.SellableSeatCount(); n != hallSellable {
		t.Errorf("%d sellable seats, want %d", n, hallSellable)
	}
	perCat := map[string]int{}
	accessible := 0
	for _, s := range l.Seats() {
		perCat[s.Category]++
		if s.Accessible {
			accessible++
		}
	}
	if perCat[catRecliner] != 28 || perCat[catPrime] != 168 || perCat[catClassic] != 96 || accessible != 2 {
		t.Errorf("categories %v, %d wheelchair spaces", perCat, accessible)
	}
}

// fakeCatalogue is the show and theatre services as the booking service sees them: the edge of
// these tests. It hands out copies, so that a test may change a show while the service reads it.
type fakeCatalogue struct {
	mu       sync.Mutex
	shows    map[string]booking.ShowInfo
	screens  map[string]booking.ScreenInfo
	theatres map[string]booking.TheatreInfo
}

var _ booking.Catalogue = (*fakeCatalogue)(nil)

// The fake's theatres: one applies the orphan-seat rule, the other allows orphan seats. Both
// have the same screen.
const (
	theatreStrict  = "theatre-strict"
	theatreLenient = "theatre-lenient"
	screenHall     = "screen-hall"
)

func newFakeCatalogue() *fakeCatalogue {
	return &fakeCatalogue{
		shows: map[string]booking.ShowInfo{},
		screens: map[string]booking.ScreenInfo{
			screenHall: {ID: screenHall, TheatreID: theatreStrict, Layout: hallLayout()},
		},
		theatres: map[string]booking.TheatreInfo{
			theatreStrict:  {ID: theatreStrict, AllowOrphanSeats: false},
			theatreLenient: {ID: theatreLenient, AllowOrphanSeats: true},
		},
	}
}

func (c *fakeCatalogue) Show(_ context.Context, id string) (booking.ShowInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.shows[id]
	if !ok {
		return booking.ShowInfo{}, errs.NotFoundf("show %s not found", id)
	}
	s.Prices = maps.Clone(s.Prices)
	return s, nil
}

func (c *fakeCatalogue) Screen(_ context.Context, id string) (booking.ScreenInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.screens[id]
	if !ok {
		return booking.ScreenInfo{}, errs.NotFoundf("screen %s not found", id)
	}
	return s, nil // the layout is never changed by the tests
}

func (c *fakeCatalogue) Theatre(_ context.Context, id string) (booking.TheatreInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	th, ok := c.theatres[id]
	if !ok {
		return booking.TheatreInfo{}, errs.NotFoundf("theatre %s not found", id)
	}
	return th, nil
}

// updateShow changes a show, as the show service would (a new price, a cancellation).
func (c *fakeCatalogue) updateShow(id string, change func(*booking.ShowInfo)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.shows[id]
	s.Prices = maps.Clone(s.Prices)
	change(&s)
	c.shows[id] = s
}

// adapters names a locker and a seat store.
type adapters struct{ locker, store string }

func (a adapters) String() string { return a.locker + "+" + a.store }

// allAdapters is every combination the service runs with.
var allAdapters = []adapters{
	{"memory", "sqlite"},
	{"memory", "mongo"},
	{"redis", "sqlite"},
	{"redis", "mongo"},
}

// eachAdapters runs f once per combination of adapters, in parallel subtests.
func eachAdapters(t *testing.T, f func(t *testing.T, a adapters)) {
	t.Helper()
	for _, a := range allAdapters {
		t.Run(a.String(), func(t *testing.T) {
			t.Parallel()
			f(t, a)
		})
	}
}

// envConfig tunes newEnv.
type envConfig struct {
	// realClock uses clock.Real instead of a clock.Manual.
	realClock bool
	opts      booking.Options
	// redisPool is the Redis client's pool size (default 32).
	redisPool int
}

// env is a booking service on real adapters with a fake catalogue.
type env struct {
	t        *testing.T
	adapters adapters
	cat      *fakeCatalogue
	clk      clock.Clock
	manual   *clock.Manual // nil with the real clock
	locker   seatlock.Locker
	store    booking.SeatStore
	bus      pubsub.Bus
	opts     booking.Options
	svc      *booking.Service

	redis    redis.UniversalClient // when the locker is Redis
	sqliteDB *sql.DB               // when the store is SQLite
	mongoDB  *mongo.Database       // when the store is Mongo
}

// start is when the manual clock starts.
var start = time.Date(2030, 3, 14, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, a adapters, cfg envConfig) *env {
	t.Helper()
	e := &env{t: t, adapters: a, cat: newFakeCatalogue(), opts: cfg.opts}
	if cfg.realClock {
		e.clk = clock.Real{}
	} else {
		e.manual = clock.NewManual(start)
		e.clk = e.manual
	}
	ctx := context.Background()
	switch a.store {
	case "sqlite":
		db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "booking.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		s, err := bookingsqlite.NewSeatStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		e.sqliteDB, e.store = db, s
	case "mongo":
		db := mongoDatabase(t)
		s, err := bookingmongo.NewSeatStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		e.mongoDB, e.store = db, s
	default:
		t.Fatalf("unknown store %q", a.store)
	}
	switch a.locker {
	case "memory":
		e.locker = seatlockmemory.New()
		e.bus = pubsub.NewMemory(nil)
	case "redis":
		pool := cfg.redisPool
		if pool == 0 {
			pool = 32
		}
		e.redis = redistest.Client(t, pool)
		e.locker = newRedisLocker(t, e.redis)
		bus := pubsubredis.New(e.redis, testPrefix("bus"), nil)
		t.Cleanup(func() { _ = bus.Close() })
		e.bus = bus
	default:
		t.Fatalf("unknown locker %q", a.locker)
	}
	e.svc = booking.NewService(e.locker, e.store, e.cat, e.bus, e.clk, e.opts)
	return e
}

// freshLocker returns a new, empty locker of the env's kind: what the service finds after Redis
// restarted and lost every hold and booked mark (or the process restarted, for the memory locker).
func (e *env) freshLocker() seatlock.Locker {
	if e.adapters.locker == "redis" {
		return newRedisLocker(e.t, e.redis)
	}
	return seatlockmemory.New()
}

// withLocker returns a second service on the same store, catalogue, bus and clock but another
// locker.
func (e *env) withLocker(l seatlock.Locker) *booking.Service {
	return booking.NewService(l, e.store, e.cat, e.bus, e.clk, e.opts)
}

// newShow adds a bookable show two days from now in the strict theatre; change adjusts it.
func (e *env) newShow(change ...func(*booking.ShowInfo)) string {
	now := e.clk.Now()
	s := booking.ShowInfo{
		ID: ids.New(), TheatreID: theatreStrict, ScreenID: screenHall, Currency: "INR",
		StartsAt: now.Add(48 * time.Hour), BusyUntil: now.Add(51 * time.Hour), Scheduled: true,
		Prices: maps.Clone(defaultPrices),
	}
	for _, f := range change {
		f(&s)
	}
	e.cat.mu.Lock()
	e.cat.shows[s.ID] = s
	e.cat.mu.Unlock()
	return s.ID
}

// lenient puts a show in the theatre that allows orphan seats.
func lenient(s *booking.ShowInfo) { s.TheatreID = theatreLenient }

// advance moves the manual clock.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	if e.manual == nil {
		e.t.Fatal("advance needs the manual clock")
	}
	e.manual.Advance(d)
}

// rawBooked counts the seat records of a show in the store itself, bypassing the adapter's
// Seats (a map, which would hide a seat recorded twice). It knows the adapters' schemas.
func (e *env) rawBooked(showID string) int {
	e.t.Helper()
	ctx := context.Background()
	switch {
	case e.sqliteDB != nil:
		var n int
		if err := e.sqliteDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM booked_seats WHERE show_id = ?`, showID).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		return n
	case e.mongoDB != nil:
		n, err := e.mongoDB.Collection(bookingmongo.SeatsCollection).CountDocuments(ctx, bson.D{{Key: "showId", Value: showID}})
		if err != nil {
			e.t.Fatal(err)
		}
		return int(n)
	}
	e.t.Fatal("no store")
	return 0
}

// booked returns the store's seat → booking map of a show.
func (e *env) booked(showID string) map[string]string {
	e.t.Helper()
	m, err := e.store.Seats(context.Background(), showID)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// seatMap returns the seat map as ctx's caller sees it.
func (e *env) seatMap(ctx context.Context, showID string) booking.SeatMap {
	e.t.Helper()
	m, err := e.svc.SeatMap(ctx, showID)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// wantStatus checks the status of seats on the seat map ctx's caller sees.
func (e *env) wantStatus(ctx context.Context, showID string, want booking.SeatStatus, seats ...string) {
	e.t.Helper()
	m := e.seatMap(ctx, showID)
	for _, s := range seats {
		if got := m.Status[s]; got != want {
			e.t.Errorf("seat %s is %s, want %s", s, got, want)
		}
	}
}

// hold holds seats for ctx's caller and fails the test when it cannot.
func (e *env) hold(ctx context.Context, showID string, seats ...string) booking.Hold {
	e.t.Helper()
	h, err := e.svc.HoldSeats(ctx, showID, seats)
	if err != nil {
		e.t.Fatalf("hold %v: %v", seats, err)
	}
	return h
}

// confirm confirms a booking of a hold's seats and fails the test when it cannot.
func (e *env) confirm(h booking.Hold, bookingID string) {
	e.t.Helper()
	err := e.svc.ConfirmBooking(context.Background(), booking.ConfirmRequest{BookingID: bookingID, ShowID: h.ShowID,
		SeatIDs: h.SeatIDs, HoldID: h.ID})
	if err != nil {
		e.t.Fatalf("confirm %s: %v", bookingID, err)
	}
}

// Callers.

// user is a signed-in customer.
func user(id string) context.Context {
	return auth.WithIdentity(context.Background(), auth.Identity{UserID: id, Roles: []string{auth.RoleCustomer}})
}

// guest is an anonymous browser session.
func guest(id string) context.Context { return session.WithID(context.Background(), id) }

// Errors.

// wantCode fails the test unless err has the code.
func wantCode(t *testing.T, err error, code errs.Code) *errs.Error {
	t.Helper()
	if !errs.Is(err, code) {
		t.Fatalf("got error %v, want code %s", err, code)
	}
	return errs.As(err)
}

// wantSeatsDetail checks that err names exactly seats in Details["seats"] (in any order).
func wantSeatsDetail(t *testing.T, err error, seats ...string) {
	t.Helper()
	e := wantCode(t, err, errs.SeatUnavailable)
	got := strings.Split(e.Details["seats"], ",")
	sort.Strings(got)
	want := slices.Clone(seats)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("the error names seats %v, want exactly %v (%v)", got, want, err)
	}
}

// mongoDatabase returns a fresh database on the test server (mongotest.URI: a real MongoDB when
// MARQUEE_TEST_MONGO_URI is set, else the embedded FerretDB), dropped when the test ends.
//
// Unlike mongotest.Database, its client's pool has room for every goroutine of these tests: on
// FerretDB, more concurrent multi-batch queries (Seats of a show with over 101 booked seats) than
// the pool has connections deadlock until they time out, since each open cursor holds the
// server's resources while its getMore waits for a pooled connection. MongoDB has no such limit.
func mongoDatabase(t *testing.T) *mongo.Database {
	t.Helper()
	uri := mongotest.URI(t)
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetMaxPoolSize(1024).
		SetServerSelectionTimeout(30 * time.Second))
	if err != nil {
		t.Fatalf("connect to %s: %v", uri, err)
	}
	name := make([]byte, 8)
	_, _ = rand.Read(name)
	db := client.Database("t_booking_" + hex.EncodeToString(name))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Errorf("drop database %s: %v", db.Name(), err)
		}
		_ = client.Disconnect(ctx)
	})
	return db
}

// Redis.

// testPrefix is a random key prefix, so that tests share the Redis without seeing each other.
func testPrefix(what string) string { return redistest.Prefix("booking:" + what) }

// newRedisLocker returns a Redis locker under a fresh prefix whose keys are deleted when the
// test ends (they would expire by themselves, later). Never FLUSH: other tests share the Redis.
func newRedisLocker(tb testing.TB, c redis.UniversalClient) *seatlockredis.Locker {
	prefix := testPrefix("locker")
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			_ = c.Unlink(ctx, iter.Val()).Err()
		}
	})
	return seatlockredis.New(c, prefix)
}

// hallRows returns the sellable seat ids of the hall, row by row from the back, left to right.
func hallRows() [][]string {
	l := hallLayout()
	rows := make([][]string, len(l.Rows))
	for _, s := range l.Seats() {
		if !s.Blocked {
			rows[s.Row] = append(rows[s.Row], s.ID)
		}
	}
	return rows
}
