package showmongo_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
	"github.com/marquee-cinema/marquee/internal/show"
	"github.com/marquee-cinema/marquee/internal/show/showmongo"
	"github.com/marquee-cinema/marquee/internal/show/showtest"
)

func TestConformance(t *testing.T) {
	if mongotest.IsRealMongo() {
		t.Log("running against the MongoDB at " + mongotest.EnvURI + ", with the concurrency subtest")
	} else {
		t.Log("running against the embedded FerretDB (set " + mongotest.EnvURI + " to use a real MongoDB); " +
			"the concurrency subtest is skipped: FerretDB is not atomic under concurrent updates, and taking over an " +
			"expired screen lease is a conditional update")
	}
	showtest.Run(t, func(t *testing.T) (show.Repository, show.PricingRepository) {
		s := newStore(t, dbFor(t))
		return s.Shows, s.Pricing
	}, mongotest.IsRealMongo())
}

func dbFor(t *testing.T) *mongo.Database {
	t.Helper()
	db, _ := mongotest.Database(t)
	return db
}

func newStore(t *testing.T, db *mongo.Database) *showmongo.Store {
	t.Helper()
	s, err := showmongo.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRestart checks that starting twice on the same database (a restart) keeps the data and
// the indexes.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	first := newStore(t, db)
	screen := ids.New()
	b, shows := showtest.NewBatch("restart-key", screen, showtest.Sample(screen, showtest.At(0, 4, 0)))
	if err := first.Shows.CreateBatch(ctx, screen, shows[0].StartsAt, shows[0].EndsAt, b, shows, pass); err != nil {
		t.Fatal(err)
	}
	if err := first.Pricing.Put(ctx, "theatre", showtest.SampleRules()); err != nil {
		t.Fatal(err)
	}

	second := newStore(t, db)
	if _, err := second.Shows.Get(ctx, shows[0].ID); err != nil {
		t.Fatalf("show after restart: %v", err)
	}
	if got, err := second.Shows.BatchByKey(ctx, b.Key); err != nil || got.ID != b.ID {
		t.Fatalf("batch after restart: %+v, %v", got, err)
	}
	if _, err := second.Pricing.Get(ctx, "theatre"); err != nil {
		t.Fatalf("rules after restart: %v", err)
	}
	b2, shows2 := showtest.NewBatch(b.Key, screen, showtest.Sample(screen, showtest.At(1, 4, 0)))
	if err := second.Shows.CreateBatch(ctx, screen, shows2[0].StartsAt, shows2[0].EndsAt, b2, shows2, pass); !errs.Is(err, errs.Conflict) {
		t.Fatalf("reused key after restart: got %v, want conflict (the unique index must still hold)", err)
	}

	want := map[string][]string{
		showmongo.ShowsCollection:   {"screenId_startsAt", "movieId_cityId_localDate_startsAt", "cityId_startsAt"},
		showmongo.BatchesCollection: {"key_unique"},
	}
	for coll, names := range want {
		cur, err := db.Collection(coll).Indexes().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var specs []bson.M
		if err := cur.All(ctx, &specs); err != nil {
			t.Fatal(err)
		}
		var have []string
		for _, s := range specs {
			name, _ := s["name"].(string)
			have = append(have, name)
		}
		for _, n := range names {
			if !slices.Contains(have, n) {
				t.Errorf("%s: index %s missing; have %v", coll, n, have)
			}
		}
	}
}

func pass([]show.Show) error { return nil }

type lockDoc struct {
	ScreenID string    `bson:"_id"`
	Owner    string    `bson:"owner"`
	Until    time.Time `bson:"until"`
}

// TestStaleLeaseIsTakenOver checks that a lease left behind by a holder that died (its until is
// past) does not block the screen, and that the lease is released afterwards.
func TestStaleLeaseIsTakenOver(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	s := newStore(t, db)
	showmongo.SetLockWait(s.Shows, 300*time.Millisecond)
	screen := ids.New()
	locks := db.Collection(showmongo.LocksCollection)
	if _, err := locks.InsertOne(ctx, lockDoc{ScreenID: screen, Owner: "crashed", Until: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	b, shows := showtest.NewBatch("", screen, showtest.Sample(screen, showtest.At(0, 4, 0)))
	// With a short wait, a CreateBatch that waited for the stale lease would fail as busy.
	if err := s.Shows.CreateBatch(ctx, screen, shows[0].StartsAt, shows[0].EndsAt, b, shows, pass); err != nil {
		t.Fatalf("with a stale lease: %v", err)
	}
	if n, err := locks.CountDocuments(ctx, bson.D{{Key: "_id", Value: screen}}); err != nil || n != 0 {
		t.Errorf("%d leases left on the screen (%v), want none: the lease was not released", n, err)
	}
}

// TestLiveLeaseMakesTheScreenBusy checks that a lease someone else holds keeps CreateBatch out
// (Unavailable, nothing stored, check never run), that other screens are not affected, and that
// the screen is free again once the lease is released.
func TestLiveLeaseMakesTheScreenBusy(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	s := newStore(t, db)
	showmongo.SetLockWait(s.Shows, 200*time.Millisecond)
	screen, other := ids.New(), ids.New()
	locks := db.Collection(showmongo.LocksCollection)
	if _, err := locks.InsertOne(ctx, lockDoc{ScreenID: screen, Owner: "someone", Until: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	b, shows := showtest.NewBatch("busy-key", screen, showtest.Sample(screen, showtest.At(0, 4, 0)))
	checked := false
	err := s.Shows.CreateBatch(ctx, screen, shows[0].StartsAt, shows[0].EndsAt, b, shows, func([]show.Show) error {
		checked = true
		return nil
	})
	if !errs.Is(err, errs.Unavailable) {
		t.Fatalf("with a live lease: got %v, want unavailable", err)
	}
	if checked {
		t.Error("check ran without the lease")
	}
	if _, err := s.Shows.Get(ctx, shows[0].ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("show stored without the lease: %v", err)
	}
	if _, err := s.Shows.BatchByKey(ctx, b.Key); !errs.Is(err, errs.NotFound) {
		t.Errorf("batch stored without the lease: %v", err)
	}

	ob, oshows := showtest.NewBatch("", other, showtest.Sample(other, showtest.At(0, 4, 0)))
	if err := s.Shows.CreateBatch(ctx, other, oshows[0].StartsAt, oshows[0].EndsAt, ob, oshows, pass); err != nil {
		t.Fatalf("another screen: %v", err)
	}

	if _, err := locks.DeleteOne(ctx, bson.D{{Key: "_id", Value: screen}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Shows.CreateBatch(ctx, screen, shows[0].StartsAt, shows[0].EndsAt, b, shows, pass); err != nil {
		t.Fatalf("after the lease was released: %v", err)
	}
}

// TestFailedBatchReleasesTheLease checks that a rejected check, a reused key and a failed insert
// (with its compensation) each leave the screen unlocked.
func TestFailedBatchReleasesTheLease(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	s := newStore(t, db)
	showmongo.SetLockWait(s.Shows, 200*time.Millisecond)
	screen := ids.New()
	locks := db.Collection(showmongo.LocksCollection)
	noLease := func(what string) {
		t.Helper()
		if n, err := locks.CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
			t.Errorf("after %s: %d leases left (%v)", what, n, err)
		}
	}

	existing := showtest.Sample(screen, showtest.At(0, 4, 0))
	b, shows := showtest.NewBatch("key", screen, existing)
	if err := s.Shows.CreateBatch(ctx, screen, existing.StartsAt, existing.EndsAt, b, shows, pass); err != nil {
		t.Fatal(err)
	}
	noLease("a stored batch")

	boom := errors.New("rejected")
	b2, shows2 := showtest.NewBatch("", screen, showtest.Sample(screen, showtest.At(1, 4, 0)))
	if err := s.Shows.CreateBatch(ctx, screen, showtest.Day, showtest.At(2, 0, 0), b2, shows2, func([]show.Show) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("rejected: %v", err)
	}
	noLease("a rejected check")

	b3, shows3 := showtest.NewBatch("key", screen, showtest.Sample(screen, showtest.At(2, 4, 0)))
	if err := s.Shows.CreateBatch(ctx, screen, showtest.Day, showtest.At(3, 0, 0), b3, shows3, pass); !errs.Is(err, errs.Conflict) {
		t.Fatalf("reused key: %v", err)
	}
	noLease("a reused key")

	clash := showtest.Sample(screen, showtest.At(3, 4, 0))
	clash.ID = shows[0].ID
	b4, shows4 := showtest.NewBatch("key4", screen, showtest.Sample(screen, showtest.At(2, 4, 0)), clash)
	if err := s.Shows.CreateBatch(ctx, screen, showtest.Day, showtest.At(4, 0, 0), b4, shows4, pass); !errs.Is(err, errs.Conflict) {
		t.Fatalf("clashing show id: %v", err)
	}
	noLease("a failed insert")
	if _, err := s.Shows.BatchByKey(ctx, "key4"); !errs.Is(err, errs.NotFound) {
		t.Errorf("the batch record of a failed insert was not removed: %v", err)
	}
	if _, err := s.Shows.Get(ctx, shows4[0].ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("a show of a failed insert was not removed: %v", err)
	}
	if got, err := s.Shows.Get(ctx, existing.ID); err != nil || !got.StartsAt.Equal(existing.StartsAt) {
		t.Errorf("the show whose id clashed was changed: %+v, %v", got, err)
	}
	// The key of the failed batch is free again.
	b5, shows5 := showtest.NewBatch("key4", screen, showtest.Sample(screen, showtest.At(2, 4, 0)))
	if err := s.Shows.CreateBatch(ctx, screen, showtest.Day, showtest.At(4, 0, 0), b5, shows5, pass); err != nil {
		t.Fatalf("retry after a failed insert: %v", err)
	}
}

// TestTimesAreStoredAsDates checks that times are BSON dates (so that range queries compare
// instants) and that nanoseconds are cut to milliseconds consistently.
func TestTimesAreStoredAsDates(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	s := newStore(t, db)
	screen := ids.New()
	start := time.Date(2026, 12, 1, 4, 0, 0, 123_456_789, time.UTC)
	sh := showtest.Span(showtest.Sample(screen, start), start, start.Add(2*time.Hour))
	b, shows := showtest.NewBatch("", screen, sh)
	if err := s.Shows.CreateBatch(ctx, screen, start, start.Add(2*time.Hour), b, shows, pass); err != nil {
		t.Fatal(err)
	}
	var raw bson.Raw
	if err := db.Collection(showmongo.ShowsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: sh.ID}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"startsAt", "endsAt", "createdAt"} {
		if typ := raw.Lookup(field).Type; typ != bson.TypeDateTime {
			t.Errorf("%s is stored as %v, want a date", field, typ)
		}
	}
	if _, err := raw.LookupErr("cancelledAt"); err == nil {
		t.Error("a scheduled show has a cancelledAt")
	}
	got, err := s.Shows.Get(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Truncate(time.Millisecond); !got.StartsAt.Equal(want) {
		t.Errorf("startsAt %v, want %v", got.StartsAt, want)
	}
	// Ranges compare on the stored instants: a show ending exactly at from is not on the screen.
	end := got.EndsAt
	if on, err := s.Shows.OnScreen(ctx, screen, end, end.Add(time.Hour)); err != nil || len(on) != 0 {
		t.Errorf("OnScreen from the end: %d shows, %v", len(on), err)
	}
	if on, err := s.Shows.OnScreen(ctx, screen, end.Add(-time.Millisecond), end.Add(time.Hour)); err != nil || len(on) != 1 {
		t.Errorf("OnScreen from a millisecond before the end: %d shows, %v", len(on), err)
	}
}
