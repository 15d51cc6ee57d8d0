// Package bookingmongo stores the booking service's data in MongoDB.
package bookingmongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
)

// SeatsCollection holds one document per booked seat of a show:
// {_id: ObjectId, showId, seatId, bookingId, bookedAt}, unique on (showId, seatId).
const SeatsCollection = "booked_seats"

// SeatsIndex is the name of the unique index on (showId, seatId) that makes a seat bookable once.
const SeatsIndex = "showId_seatId_unique"

// seatsBookingIndex serves Release.
const seatsBookingIndex = "showId_bookingId"

// seatBookAttempts bounds how often Book retries inserting seats whose conflicting record
// disappeared (was released) before it could be read.
const seatBookAttempts = 5

// seatCleanupTimeout bounds how long Book keeps trying to delete what it inserted, also after
// the caller's context ended.
const seatCleanupTimeout = 30 * time.Second

var _ booking.SeatStore = (*SeatStore)(nil)

// SeatStore is a booking.SeatStore on MongoDB. It uses no multi-document transaction: the unique
// index on (showId, seatId) decides every seat, and a Book that loses any seat to another booking
// deletes the documents it inserted itself (compensation).
//
// Each Book call gives its documents fresh _ids, so compensation deletes exactly what that call
// inserted. Two consequences follow. While a losing call's documents still exist, a competing
// booking may be refused their seats although the loser ends up with none (a transient refusal,
// never a double booking). And concurrent Book calls of the same booking cooperate: one may count
// on a seat another inserted, and should that other call then fail and compensate, the first call
// has succeeded without that seat. Concurrent retries of a booking are therefore safe only while
// none of them can fail; callers do not book the same booking concurrently (the booking's state
// machine serialises that), and retry only after a call has returned.
type SeatStore struct{ coll *mongo.Collection }

// seatDoc is the stored form of a booked seat.
type seatDoc struct {
	ID        bson.ObjectID `bson:"_id"`
	ShowID    string        `bson:"showId"`
	SeatID    string        `bson:"seatId"`
	BookingID string        `bson:"bookingId"`
	BookedAt  time.Time     `bson:"bookedAt"`
}

// NewSeatStore creates the seat collection's indexes (idempotently) and returns the store.
func NewSeatStore(ctx context.Context, db *mongo.Database) (*SeatStore, error) {
	// Conflicting records are read right after a failed insert: read them where they were written.
	coll := db.Collection(SeatsCollection, options.Collection().SetReadPreference(readpref.Primary()))
	err := mongodb.EnsureIndexes(ctx, coll,
		mongodb.Index{Name: SeatsIndex, Keys: bson.D{{Key: "showId", Value: 1}, {Key: "seatId", Value: 1}}, Unique: true},
		mongodb.Index{Name: seatsBookingIndex, Keys: bson.D{{Key: "showId", Value: 1}, {Key: "bookingId", Value: 1}}},
	)
	if err != nil {
		return nil, err
	}
	return &SeatStore{coll: coll}, nil
}

// Book records every seat of a booking at once, or none.
//
// It inserts one document per seat, unordered, so that every seat is tried. Seats whose insert
// collides with an existing document are then read: those of this booking are already done (an
// idempotent retry, or a partial earlier attempt); those of another booking make the call fail,
// after it deleted what it inserted; those whose document is gone by then (released, or deleted
// again by a losing call) are tried again, a few times.
func (s *SeatStore) Book(ctx context.Context, showID, bookingID string, seatIDs []string, at time.Time) error {
	seats, err := booking.ValidateSeatBooking(showID, bookingID, seatIDs)
	if err != nil {
		return err
	}
	bookedAt := at.UTC().Truncate(time.Millisecond)
	var inserted []bson.ObjectID // every _id this call tried to insert
	todo := seats
	for range seatBookAttempts {
		docs := make([]seatDoc, len(todo))
		for i, seat := range todo {
			docs[i] = seatDoc{ID: bson.NewObjectID(), ShowID: showID, SeatID: seat, BookingID: bookingID, BookedAt: bookedAt}
			inserted = append(inserted, docs[i].ID)
		}
		dup, err := s.insert(ctx, docs)
		if err != nil {
			return s.undo(ctx, bookingID, inserted, fmt.Errorf("insert booked seats: %w", err))
		}
		if len(dup) == 0 {
			return nil
		}
		owners, err := s.owners(ctx, showID, dup)
		if err != nil {
			return s.undo(ctx, bookingID, inserted, err)
		}
		var taken, gone []string
		for _, seat := range dup {
			switch owner, ok := owners[seat]; {
			case !ok:
				gone = append(gone, seat)
			case owner != bookingID:
				taken = append(taken, seat)
			}
		}
		if len(taken) > 0 {
			return s.undo(ctx, bookingID, inserted, booking.SeatsAlreadyBooked(taken))
		}
		if len(gone) == 0 {
			return nil
		}
		todo = gone
	}
	return s.undo(ctx, bookingID, inserted,
		errs.E(errs.Unavailable, "seats %s keep changing; try again", strings.Join(todo, ",")))
}

// insert inserts docs unordered and returns the seats whose insert hit the unique index. Any other
// failure is returned as an error.
func (s *SeatStore) insert(ctx context.Context, docs []seatDoc) ([]string, error) {
	_, err := s.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, err
	}
	var dup []string
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) || we.Index < 0 || we.Index >= len(docs) {
			return nil, err
		}
		dup = append(dup, docs[we.Index].SeatID)
	}
	slices.Sort(dup)
	return slices.Compact(dup), nil
}

// owners returns the booking id recorded for each of the seats that has a record.
func (s *SeatStore) owners(ctx context.Context, showID string, seats []string) (map[string]string, error) {
	cur, err := s.coll.Find(ctx, bson.D{{Key: "showId", Value: showID}, {Key: "seatId", Value: bson.D{{Key: "$in", Value: seats}}}},
		options.Find().SetProjection(bson.D{{Key: "seatId", Value: 1}, {Key: "bookingId", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("read booked seats: %w", err)
	}
	var docs []seatDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read booked seats: %w", err)
	}
	out := make(map[string]string, len(docs))
	for _, d := range docs {
		out[d.SeatID] = d.BookingID
	}
	return out, nil
}

// undo deletes the documents this Book call inserted (by their fresh _ids, so never anyone
// else's) and returns cause. The delete is retried for up to seatCleanupTimeout, even after the
// caller's context ended: until it succeeds, the booking is partly recorded. When it keeps
// failing, the error is Unavailable (not cause, whose code would promise that nothing is
// recorded), and releasing the booking removes what is left.
func (s *SeatStore) undo(ctx context.Context, bookingID string, ids []bson.ObjectID, cause error) error {
	if len(ids) == 0 {
		return cause
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), seatCleanupTimeout)
	defer cancel()
	// One delete per _id (in one command): the _ids are this call's alone, and a filter on _id
	// alone is one the embedded test server can answer without scanning the collection.
	deletes := make([]mongo.WriteModel, len(ids))
	for i, id := range ids {
		deletes[i] = mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: id}})
	}
	pause := 50 * time.Millisecond
	for {
		_, err := s.coll.BulkWrite(ctx, deletes, options.BulkWrite().SetOrdered(false))
		if err == nil {
			return cause
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
			pause = min(2*pause, time.Second)
			continue
		}
		return errs.Wrap(errors.Join(cause, err), errs.Unavailable,
			"booking %s could not be recorded and may be partly recorded; release it", bookingID)
	}
}

// Release removes every seat record of the booking for the show and returns the freed seats.
// Each record is deleted on its own, so that a seat counts as freed by the call that deleted it
// even when releases race.
func (s *SeatStore) Release(ctx context.Context, showID, bookingID string) ([]string, error) {
	if err := booking.ValidateShowBooking(showID, bookingID); err != nil {
		return nil, err
	}
	cur, err := s.coll.Find(ctx, bson.D{{Key: "showId", Value: showID}, {Key: "bookingId", Value: bookingID}},
		options.Find().SetProjection(bson.D{{Key: "seatId", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("read booked seats: %w", err)
	}
	var docs []seatDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read booked seats: %w", err)
	}
	freed := []string{}
	for _, d := range docs {
		// The _id names this booking's record: _ids are never reused.
		res, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ID}})
		if err != nil {
			return nil, fmt.Errorf("release booked seat: %w", err)
		}
		if res.DeletedCount > 0 {
			freed = append(freed, d.SeatID)
		}
	}
	slices.Sort(freed)
	return freed, nil
}

// Seats returns, for a show, booked seat id → booking id.
func (s *SeatStore) Seats(ctx context.Context, showID string) (map[string]string, error) {
	cur, err := s.coll.Find(ctx, bson.D{{Key: "showId", Value: showID}},
		options.Find().SetProjection(bson.D{{Key: "seatId", Value: 1}, {Key: "bookingId", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("read booked seats: %w", err)
	}
	var docs []seatDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read booked seats: %w", err)
	}
	out := make(map[string]string, len(docs))
	for _, d := range docs {
		out[d.SeatID] = d.BookingID
	}
	return out, nil
}

// Counts returns the number of booked seats of each show among showIDs that has any.
func (s *SeatStore) Counts(ctx context.Context, showIDs []string) (map[string]int, error) {
	out := map[string]int{}
	ids := slices.Clone(showIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return out, nil
	}
	cur, err := s.coll.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "showId", Value: bson.D{{Key: "$in", Value: ids}}}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$showId"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("count booked seats: %w", err)
	}
	var rows []struct {
		ShowID string `bson:"_id"`
		N      int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count booked seats: %w", err)
	}
	for _, r := range rows {
		out[r.ShowID] = r.N
	}
	return out, nil
}
