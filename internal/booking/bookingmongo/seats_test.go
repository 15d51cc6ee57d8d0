package bookingmongo_test

import (
	"context"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/booking/bookingmongo"
	"github.com/marquee-cinema/marquee/internal/booking/bookingtest"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

func TestSeatStoreConformance(t *testing.T) {
	if mongotest.IsRealMongo() {
		t.Log("running against the MongoDB at " + mongotest.EnvURI)
	} else {
		t.Log("running against the embedded FerretDB (set " + mongotest.EnvURI + " to use a real MongoDB); " +
			"the concurrency subtests run too: Book rests only on unique-index inserts and deletes by _id, which FerretDB does atomically")
	}
	bookingtest.RunSeatStore(t, func(t *testing.T) booking.SeatStore {
		return newSeatStore(t, dbFor(t))
	}, true)
}

func dbFor(t *testing.T) *mongo.Database {
	t.Helper()
	db, _ := mongotest.Database(t)
	return db
}

func newSeatStore(t *testing.T, db *mongo.Database) *bookingmongo.SeatStore {
	t.Helper()
	s, err := bookingmongo.NewSeatStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSeatStoreRestart checks that starting twice on the same database (a restart) keeps the
// seats and the unique index.
func TestSeatStoreRestart(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	first := newSeatStore(t, db)
	if err := first.Book(ctx, "show", "booking", []string{"A1", "A2"}, bookingtest.BookedAt); err != nil {
		t.Fatal(err)
	}
	second := newSeatStore(t, db)
	seats, err := second.Seats(ctx, "show")
	if err != nil {
		t.Fatal(err)
	}
	if len(seats) != 2 || seats["A1"] != "booking" {
		t.Fatalf("seats after restart: %v", seats)
	}
	if err := second.Book(ctx, "show", "other", []string{"A2", "A3"}, bookingtest.BookedAt); !errs.Is(err, errs.SeatUnavailable) {
		t.Fatalf("booking a booked seat after restart: got %v, want seat unavailable", err)
	}

	cur, err := db.Collection(bookingmongo.SeatsCollection).Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var specs []bson.M
	if err := cur.All(ctx, &specs); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range specs {
		name, _ := s["name"].(string)
		names = append(names, name)
		if name == bookingmongo.SeatsIndex && s["unique"] != true {
			t.Errorf("index %s is not unique: %v", name, s)
		}
	}
	if !slices.Contains(names, bookingmongo.SeatsIndex) {
		t.Errorf("index %s missing; have %v", bookingmongo.SeatsIndex, names)
	}
}

// TestSeatStoreCompensation checks that a refused Book deletes the documents it inserted, and
// only those: a record of the same seat, show and booking written by another call (say, an
// earlier attempt) stays.
func TestSeatStoreCompensation(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	s := newSeatStore(t, db)
	if err := s.Book(ctx, "show", "first", []string{"A5"}, bookingtest.BookedAt); err != nil {
		t.Fatal(err)
	}
	if err := s.Book(ctx, "show", "second", []string{"A1"}, bookingtest.BookedAt); err != nil {
		t.Fatal(err)
	}
	// The second booking retries with more seats, one of which is taken: the new ones are inserted
	// and then deleted again, its earlier A1 stays.
	err := s.Book(ctx, "show", "second", []string{"A1", "A2", "A3", "A4", "A5"}, bookingtest.BookedAt)
	if !errs.Is(err, errs.SeatUnavailable) || errs.As(err).Details["seats"] != "A5" {
		t.Fatalf("got %v, want seat A5 unavailable", err)
	}
	n, err := db.Collection(bookingmongo.SeatsCollection).CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d seat documents, want 2", n)
	}
	seats, err := s.Seats(ctx, "show")
	if err != nil {
		t.Fatal(err)
	}
	if len(seats) != 2 || seats["A1"] != "second" || seats["A5"] != "first" {
		t.Errorf("seats %v, want A1 of second and A5 of first", seats)
	}
}
