package bookingmongo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
)

// BookingsCollection holds one document per booking, _id being the booking's id.
const BookingsCollection = "bookings"

// The unique indexes of the bookings collection: one booking per reference and per hold.
const (
	BookingsReferenceIndex = "reference_unique"
	BookingsHoldIndex      = "holdId_unique"
)

// bookingUpdateAttempts bounds the optimistic attempts of one Update.
const bookingUpdateAttempts = 8

var _ booking.Repository = (*BookingRepository)(nil)

// BookingRepository is a booking.Repository on MongoDB. It uses no multi-document transaction:
// the unique indexes on _id, reference and holdId decide Create's clashes, and Update is
// optimistic: every document carries a version that each write increments, a replace succeeds
// only while the version is still the one read, and a lost race starts over from a fresh read.
type BookingRepository struct{ coll *mongo.Collection }

// NewBookingRepository creates the bookings collection's indexes (idempotently) and returns the
// repository.
func NewBookingRepository(ctx context.Context, db *mongo.Database) (*BookingRepository, error) {
	// A clash is read right after the failed insert, and an Update's read must see the version
	// the last write left: read where the writes go.
	coll := db.Collection(BookingsCollection, options.Collection().SetReadPreference(readpref.Primary()))
	err := mongodb.EnsureIndexes(ctx, coll,
		mongodb.Index{Name: BookingsReferenceIndex, Keys: bson.D{{Key: "reference", Value: 1}}, Unique: true},
		mongodb.Index{Name: BookingsHoldIndex, Keys: bson.D{{Key: "holdId", Value: 1}}, Unique: true},
		mongodb.Index{Name: "ownerId_createdAt", Keys: bson.D{{Key: "ownerId", Value: 1}, {Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}},
		mongodb.Index{Name: "showId_createdAt", Keys: bson.D{{Key: "showId", Value: 1}, {Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}},
		mongodb.Index{Name: "status_expiresAt", Keys: bson.D{{Key: "status", Value: 1}, {Key: "expiresAt", Value: 1}}},
	)
	if err != nil {
		return nil, err
	}
	return &BookingRepository{coll: coll}, nil
}

// bookingDoc is the stored form of a booking. Times are BSON dates (UTC, milliseconds), the
// zero time stored as mongodb.NoTime; money is int64 minor units.
type bookingDoc struct {
	ID                string    `bson:"_id"`
	Reference         string    `bson:"reference"`
	ShowID            string    `bson:"showId"`
	TheatreID         string    `bson:"theatreId"`
	HoldID            string    `bson:"holdId"`
	OwnerID           string    `bson:"ownerId"`
	UserID            string    `bson:"userId"`
	Email             string    `bson:"email"`
	Name              string    `bson:"name"`
	Phone             string    `bson:"phone"`
	SeatIDs           []string  `bson:"seatIds"`
	Quote             quoteDoc  `bson:"quote"`
	Status            string    `bson:"status"`
	Reason            string    `bson:"reason"`
	PaymentURL        string    `bson:"paymentUrl"`
	ShowStartsAt      time.Time `bson:"showStartsAt"`
	CreatedAt         time.Time `bson:"createdAt"`
	ExpiresAt         time.Time `bson:"expiresAt"`
	ConfirmedAt       time.Time `bson:"confirmedAt"`
	CancelledAt       time.Time `bson:"cancelledAt"`
	RefundAmount      int64     `bson:"refundAmount"`
	RefundRequestedAt time.Time `bson:"refundRequestedAt"`
	// RefundRequested says whether RefundRequestedAt is set, for List's RefundNotRequested.
	RefundRequested bool      `bson:"refundRequested"`
	RefundedAt      time.Time `bson:"refundedAt"`
	UpdatedAt       time.Time `bson:"updatedAt"`
	Version         int64     `bson:"version"`
}

// quoteDoc is the stored form of a booking's quote.
type quoteDoc struct {
	Currency string         `bson:"currency"`
	Lines    []quoteLineDoc `bson:"lines"`
	Subtotal int64          `bson:"subtotal"`
	Fees     int64          `bson:"fees"`
	Taxes    int64          `bson:"taxes"`
	Total    int64          `bson:"total"`
}

type quoteLineDoc struct {
	Category  string   `bson:"category"`
	Name      string   `bson:"name"`
	SeatIDs   []string `bson:"seatIds"`
	UnitPrice int64    `bson:"unitPrice"`
	Quantity  int64    `bson:"quantity"`
	Amount    int64    `bson:"amount"`
}

func toBookingDoc(b booking.Booking, version int64) bookingDoc {
	refundRequestedAt := mongodb.StoredTime(b.RefundRequestedAt)
	return bookingDoc{ID: b.ID, Reference: b.Reference, ShowID: b.ShowID, TheatreID: b.TheatreID, HoldID: b.HoldID,
		OwnerID: b.OwnerID, UserID: b.UserID, Email: b.Email, Name: b.Name, Phone: b.Phone, SeatIDs: b.SeatIDs,
		Quote: toQuoteDoc(b.Quote), Status: string(b.Status), Reason: b.Reason, PaymentURL: b.PaymentURL,
		ShowStartsAt: mongodb.StoredTime(b.ShowStartsAt), CreatedAt: mongodb.StoredTime(b.CreatedAt), ExpiresAt: mongodb.StoredTime(b.ExpiresAt),
		ConfirmedAt: mongodb.StoredTime(b.ConfirmedAt), CancelledAt: mongodb.StoredTime(b.CancelledAt), RefundAmount: b.RefundAmount,
		RefundRequestedAt: refundRequestedAt, RefundRequested: !refundRequestedAt.Equal(mongodb.NoTime),
		RefundedAt: mongodb.StoredTime(b.RefundedAt), UpdatedAt: mongodb.StoredTime(b.UpdatedAt), Version: version}
}

func (d bookingDoc) booking() booking.Booking {
	return booking.Booking{ID: d.ID, Reference: d.Reference, ShowID: d.ShowID, TheatreID: d.TheatreID, HoldID: d.HoldID,
		OwnerID: d.OwnerID, UserID: d.UserID, Email: d.Email, Name: d.Name, Phone: d.Phone, SeatIDs: d.SeatIDs,
		Quote: d.Quote.quote(), Status: booking.Status(d.Status), Reason: d.Reason, PaymentURL: d.PaymentURL,
		ShowStartsAt: mongodb.ReadTime(d.ShowStartsAt), CreatedAt: mongodb.ReadTime(d.CreatedAt), ExpiresAt: mongodb.ReadTime(d.ExpiresAt),
		ConfirmedAt: mongodb.ReadTime(d.ConfirmedAt), CancelledAt: mongodb.ReadTime(d.CancelledAt), RefundAmount: d.RefundAmount,
		RefundRequestedAt: mongodb.ReadTime(d.RefundRequestedAt), RefundedAt: mongodb.ReadTime(d.RefundedAt),
		UpdatedAt: mongodb.ReadTime(d.UpdatedAt)}
}

func toQuoteDoc(q booking.Quote) quoteDoc {
	d := quoteDoc{Currency: q.Currency, Subtotal: q.Subtotal, Fees: q.Fees, Taxes: q.Taxes, Total: q.Total}
	if q.Lines != nil {
		d.Lines = make([]quoteLineDoc, len(q.Lines))
		for i, l := range q.Lines {
			d.Lines[i] = quoteLineDoc{Category: l.Category, Name: l.Name, SeatIDs: l.SeatIDs, UnitPrice: l.UnitPrice,
				Quantity: int64(l.Quantity), Amount: l.Amount}
		}
	}
	return d
}

func (d quoteDoc) quote() booking.Quote {
	q := booking.Quote{Currency: d.Currency, Subtotal: d.Subtotal, Fees: d.Fees, Taxes: d.Taxes, Total: d.Total}
	if d.Lines != nil {
		q.Lines = make([]booking.QuoteLine, len(d.Lines))
		for i, l := range d.Lines {
			q.Lines[i] = booking.QuoteLine{Category: l.Category, Name: l.Name, SeatIDs: l.SeatIDs, UnitPrice: l.UnitPrice,
				Quantity: int(l.Quantity), Amount: l.Amount}
		}
	}
	return q
}

// Create stores a new booking; the unique indexes on _id, reference and holdId decide clashes.
func (r *BookingRepository) Create(ctx context.Context, b booking.Booking) error {
	if err := b.Validate(); err != nil {
		return err
	}
	_, err := r.coll.InsertOne(ctx, toBookingDoc(b, 1))
	if err == nil {
		return nil
	}
	if !mongodb.IsDuplicateKey(err) {
		return fmt.Errorf("insert booking %s: %w", b.ID, err)
	}
	return booking.CreateConflict(ctx, r, b)
}

func (r *BookingRepository) get(ctx context.Context, filter bson.D, what string) (bookingDoc, error) {
	var d bookingDoc
	if err := r.coll.FindOne(ctx, filter).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return bookingDoc{}, errs.NotFoundf("%s not found", what)
		}
		return bookingDoc{}, fmt.Errorf("find %s: %w", what, err)
	}
	return d, nil
}

// Get returns a booking.
func (r *BookingRepository) Get(ctx context.Context, id string) (booking.Booking, error) {
	d, err := r.get(ctx, bson.D{{Key: "_id", Value: id}}, "booking "+id)
	if err != nil {
		return booking.Booking{}, err
	}
	return d.booking(), nil
}

// GetByHold returns the booking of a hold.
func (r *BookingRepository) GetByHold(ctx context.Context, holdID string) (booking.Booking, error) {
	d, err := r.get(ctx, bson.D{{Key: "holdId", Value: holdID}}, "booking of hold "+holdID)
	if err != nil {
		return booking.Booking{}, err
	}
	return d.booking(), nil
}

// GetByReference returns the booking with a reference.
func (r *BookingRepository) GetByReference(ctx context.Context, reference string) (booking.Booking, error) {
	d, err := r.get(ctx, bson.D{{Key: "reference", Value: reference}}, "booking "+reference)
	if err != nil {
		return booking.Booking{}, err
	}
	return d.booking(), nil
}

// Update loads a booking, applies fn and replaces the document if no one else wrote it meanwhile;
// after a lost race it starts again from a fresh read, and when writers keep winning it gives up
// with Conflict. ID, Reference, HoldID and OwnerID keep their stored values; a result that fails
// Validate is Invalid and stores nothing.
func (r *BookingRepository) Update(ctx context.Context, id string, fn func(*booking.Booking) error) (booking.Booking, error) {
	for attempt := range bookingUpdateAttempts {
		d, err := r.get(ctx, bson.D{{Key: "_id", Value: id}}, "booking "+id)
		if err != nil {
			return booking.Booking{}, err
		}
		b := d.booking()
		if err := fn(&b); err != nil {
			return booking.Booking{}, err
		}
		b.ID, b.Reference, b.HoldID, b.OwnerID = d.ID, d.Reference, d.HoldID, d.OwnerID
		if err := b.Validate(); err != nil {
			return booking.Booking{}, err
		}
		next := toBookingDoc(b, d.Version+1)
		res, err := r.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}, next)
		if err != nil {
			return booking.Booking{}, fmt.Errorf("replace booking %s: %w", id, err)
		}
		if res.MatchedCount == 1 {
			return next.booking(), nil // as stored, so that it equals what Get returns
		}
		if err := pauseBeforeRetry(ctx, attempt); err != nil {
			return booking.Booking{}, fmt.Errorf("update booking %s: %w", id, err)
		}
	}
	return booking.Booking{}, errs.E(errs.Conflict, "booking %s is being changed concurrently; try again", id)
}

// List returns the bookings matching q, newest (CreatedAt, then ID) first.
func (r *BookingRepository) List(ctx context.Context, q booking.BookingQuery) ([]booking.Booking, error) {
	if q.OwnerID == "" && q.ShowID == "" && len(q.Statuses) == 0 {
		return nil, errs.Invalidf("query", "name an owner, a show or at least one status")
	}
	filter := bson.D{}
	if q.OwnerID != "" {
		filter = append(filter, bson.E{Key: "ownerId", Value: q.OwnerID})
	}
	if q.ShowID != "" {
		filter = append(filter, bson.E{Key: "showId", Value: q.ShowID})
	}
	if len(q.Statuses) > 0 {
		statuses := make(bson.A, len(q.Statuses))
		for i, s := range q.Statuses {
			statuses[i] = string(s)
		}
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: statuses}}})
	}
	if !q.ExpiresBefore.IsZero() {
		// Stored dates are whole milliseconds: compare with the bound as the SQLite adapter does.
		filter = append(filter, bson.E{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: mongodb.StoredTime(q.ExpiresBefore)}}})
	}
	if q.RefundNotRequested {
		filter = append(filter, bson.E{Key: "refundRequested", Value: false})
	}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(q.EffectiveLimit()))
	cur, err := r.coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	var docs []bookingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	var out []booking.Booking
	for _, d := range docs {
		out = append(out, d.booking())
	}
	return out, nil
}

// pauseBeforeRetry waits a little before another optimistic attempt, so that racing writers
// spread out.
func pauseBeforeRetry(ctx context.Context, attempt int) error {
	d := time.Duration(1+rand.IntN(1<<min(attempt, 5))) * time.Millisecond
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
