package bookingmongo_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/booking/bookingmongo"
	"github.com/marquee-cinema/marquee/internal/booking/bookingtest"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

func TestBookingRepositoryConformance(t *testing.T) {
	if mongotest.IsRealMongo() {
		t.Log("running against the MongoDB at " + mongotest.EnvURI + ", with the concurrency subtests")
	} else {
		t.Log("running against the embedded FerretDB (set " + mongotest.EnvURI + " to use a real MongoDB); " +
			"the subtest racing Updates of one booking is skipped: FerretDB is not atomic under concurrent replaces " +
			"(concurrent Creates of one hold, which rest on a unique index, still run)")
	}
	bookingtest.RunRepository(t, func(t *testing.T) booking.Repository {
		return newBookingRepository(t, dbFor(t))
	}, mongotest.IsRealMongo())
}

func newBookingRepository(t *testing.T, db *mongo.Database) *bookingmongo.BookingRepository {
	t.Helper()
	r, err := bookingmongo.NewBookingRepository(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestBookingRepositoryRestart checks that starting twice on the same database (a restart) keeps
// the bookings and the unique indexes.
func TestBookingRepositoryRestart(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	first := newBookingRepository(t, db)
	b := bookingtest.SampleBooking()
	if err := first.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	second := newBookingRepository(t, db)
	got, err := second.GetByReference(ctx, b.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != b.ID || got.HoldID != b.HoldID || got.Quote.Total != b.Quote.Total {
		t.Fatalf("booking after restart: %+v", got)
	}
	again := bookingtest.NewBooking()
	again.HoldID = b.HoldID
	if err := second.Create(ctx, again); errs.As(err) == nil || errs.As(err).Reason != booking.ReasonHoldCheckedOut {
		t.Fatalf("a hold booked before the restart: got %v, want %s", err, booking.ReasonHoldCheckedOut)
	}

	specs, err := db.Collection(bookingmongo.BookingsCollection).Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unique := map[string]bool{}
	for _, s := range specs {
		unique[s.Name] = s.Unique != nil && *s.Unique
	}
	for _, name := range []string{bookingmongo.BookingsReferenceIndex, bookingmongo.BookingsHoldIndex} {
		if u, ok := unique[name]; !ok || !u {
			t.Errorf("index %s missing or not unique; have %v", name, unique)
		}
	}
	if n, err := db.Collection(bookingmongo.BookingsCollection).CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Errorf("%d booking documents (%v), want 1", n, err)
	}
}
