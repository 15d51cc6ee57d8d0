package bookingsqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

// bookingMigrations is the schema of the booking records: the whole booking as a JSON document,
// with the columns that are unique or queried beside it.
var bookingMigrations = []string{
	`CREATE TABLE bookings (
		id TEXT PRIMARY KEY,
		reference TEXT NOT NULL UNIQUE,
		hold_id TEXT NOT NULL UNIQUE,
		owner_id TEXT NOT NULL,
		show_id TEXT NOT NULL,
		status TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		refund_requested INTEGER NOT NULL,
		doc TEXT NOT NULL
	);
	CREATE INDEX bookings_owner_created ON bookings (owner_id, created_at, id);
	CREATE INDEX bookings_show_created ON bookings (show_id, created_at, id);
	CREATE INDEX bookings_status_expires ON bookings (status, expires_at);`,
}

var _ booking.Repository = (*BookingRepository)(nil)

// BookingRepository is a booking.Repository on SQLite. The unique columns decide Create's
// clashes; Update runs in one write transaction (the database is opened with immediate
// transactions, so writers are serialised).
type BookingRepository struct{ db *sql.DB }

// NewBookingRepository migrates the booking schema (idempotently) and returns the repository.
func NewBookingRepository(ctx context.Context, db *sql.DB) (*BookingRepository, error) {
	if err := sqlitedb.Migrate(ctx, db, "booking_records", bookingMigrations); err != nil {
		return nil, err
	}
	return &BookingRepository{db: db}, nil
}

// bookingDoc is the stored form of a booking; times are Unix milliseconds, 0 for the zero time.
type bookingDoc struct {
	ID                string   `json:"id"`
	Reference         string   `json:"reference"`
	ShowID            string   `json:"showId"`
	TheatreID         string   `json:"theatreId"`
	HoldID            string   `json:"holdId"`
	OwnerID           string   `json:"ownerId"`
	UserID            string   `json:"userId"`
	Email             string   `json:"email"`
	Name              string   `json:"name"`
	Phone             string   `json:"phone"`
	SeatIDs           []string `json:"seatIds"`
	Quote             quoteDoc `json:"quote"`
	Status            string   `json:"status"`
	Reason            string   `json:"reason"`
	PaymentURL        string   `json:"paymentUrl"`
	ShowStartsAt      int64    `json:"showStartsAt"`
	CreatedAt         int64    `json:"createdAt"`
	ExpiresAt         int64    `json:"expiresAt"`
	ConfirmedAt       int64    `json:"confirmedAt"`
	CancelledAt       int64    `json:"cancelledAt"`
	RefundAmount      int64    `json:"refundAmount"`
	RefundRequestedAt int64    `json:"refundRequestedAt"`
	RefundedAt        int64    `json:"refundedAt"`
	UpdatedAt         int64    `json:"updatedAt"`
}

// quoteDoc is the stored form of a booking's quote; amounts are minor units of Currency.
type quoteDoc struct {
	Currency string         `json:"currency"`
	Lines    []quoteLineDoc `json:"lines"`
	Subtotal int64          `json:"subtotal"`
	Fees     int64          `json:"fees"`
	Taxes    int64          `json:"taxes"`
	Total    int64          `json:"total"`
}

type quoteLineDoc struct {
	Category  string   `json:"category"`
	Name      string   `json:"name"`
	SeatIDs   []string `json:"seatIds"`
	UnitPrice int64    `json:"unitPrice"`
	Quantity  int      `json:"quantity"`
	Amount    int64    `json:"amount"`
}

func toBookingDoc(b booking.Booking) bookingDoc {
	return bookingDoc{ID: b.ID, Reference: b.Reference, ShowID: b.ShowID, TheatreID: b.TheatreID, HoldID: b.HoldID,
		OwnerID: b.OwnerID, UserID: b.UserID, Email: b.Email, Name: b.Name, Phone: b.Phone, SeatIDs: b.SeatIDs,
		Quote: toQuoteDoc(b.Quote), Status: string(b.Status), Reason: b.Reason, PaymentURL: b.PaymentURL,
		ShowStartsAt: sqlitedb.Millis(b.ShowStartsAt), CreatedAt: sqlitedb.Millis(b.CreatedAt), ExpiresAt: sqlitedb.Millis(b.ExpiresAt),
		ConfirmedAt: sqlitedb.Millis(b.ConfirmedAt), CancelledAt: sqlitedb.Millis(b.CancelledAt), RefundAmount: b.RefundAmount,
		RefundRequestedAt: sqlitedb.Millis(b.RefundRequestedAt), RefundedAt: sqlitedb.Millis(b.RefundedAt), UpdatedAt: sqlitedb.Millis(b.UpdatedAt)}
}

func (d bookingDoc) booking() booking.Booking {
	return booking.Booking{ID: d.ID, Reference: d.Reference, ShowID: d.ShowID, TheatreID: d.TheatreID, HoldID: d.HoldID,
		OwnerID: d.OwnerID, UserID: d.UserID, Email: d.Email, Name: d.Name, Phone: d.Phone, SeatIDs: d.SeatIDs,
		Quote: d.Quote.quote(), Status: booking.Status(d.Status), Reason: d.Reason, PaymentURL: d.PaymentURL,
		ShowStartsAt: sqlitedb.FromMillis(d.ShowStartsAt), CreatedAt: sqlitedb.FromMillis(d.CreatedAt), ExpiresAt: sqlitedb.FromMillis(d.ExpiresAt),
		ConfirmedAt: sqlitedb.FromMillis(d.ConfirmedAt), CancelledAt: sqlitedb.FromMillis(d.CancelledAt), RefundAmount: d.RefundAmount,
		RefundRequestedAt: sqlitedb.FromMillis(d.RefundRequestedAt), RefundedAt: sqlitedb.FromMillis(d.RefundedAt), UpdatedAt: sqlitedb.FromMillis(d.UpdatedAt)}
}

func toQuoteDoc(q booking.Quote) quoteDoc {
	d := quoteDoc{Currency: q.Currency, Subtotal: q.Subtotal, Fees: q.Fees, Taxes: q.Taxes, Total: q.Total}
	if q.Lines != nil {
		d.Lines = make([]quoteLineDoc, len(q.Lines))
		for i, l := range q.Lines {
			d.Lines[i] = quoteLineDoc{Category: l.Category, Name: l.Name, SeatIDs: l.SeatIDs, UnitPrice: l.UnitPrice,
				Quantity: l.Quantity, Amount: l.Amount}
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
				Quantity: l.Quantity, Amount: l.Amount}
		}
	}
	return q
}

func encodeBooking(b booking.Booking) (bookingDoc, string, error) {
	d := toBookingDoc(b)
	raw, err := json.Marshal(d)
	if err != nil {
		return bookingDoc{}, "", fmt.Errorf("encode booking %s: %w", b.ID, err)
	}
	return d, string(raw), nil
}

func decodeBooking(doc string) (booking.Booking, error) {
	var d bookingDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return booking.Booking{}, fmt.Errorf("decode booking: %w", err)
	}
	return d.booking(), nil
}

// refundRequested is the refund_requested column's value for d.
func refundRequested(d bookingDoc) int {
	if d.RefundRequestedAt != 0 {
		return 1
	}
	return 0
}

// Create stores a new booking; the unique columns decide clashes.
func (r *BookingRepository) Create(ctx context.Context, b booking.Booking) error {
	if err := b.Validate(); err != nil {
		return err
	}
	d, doc, err := encodeBooking(b)
	if err != nil {
		return err
	}
	_, err = sqlitedb.Exec(ctx, r.db, `INSERT INTO bookings (id, reference, hold_id, owner_id, show_id, status, created_at,
		expires_at, refund_requested, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.Reference, d.HoldID, d.OwnerID, d.ShowID, d.Status, d.CreatedAt, d.ExpiresAt, refundRequested(d), doc)
	if err == nil {
		return nil
	}
	if !sqlitedb.IsUniqueViolation(err) {
		return fmt.Errorf("insert booking %s: %w", b.ID, err)
	}
	return booking.CreateConflict(ctx, r, b)
}

func (r *BookingRepository) getOne(ctx context.Context, what, query string, args ...any) (booking.Booking, error) {
	var doc string
	if err := r.db.QueryRowContext(ctx, query, args...).Scan(&doc); err != nil {
		return booking.Booking{}, sqlitedb.NotFoundOr(err, what)
	}
	return decodeBooking(doc)
}

// Get returns a booking.
func (r *BookingRepository) Get(ctx context.Context, id string) (booking.Booking, error) {
	return r.getOne(ctx, "booking "+id, `SELECT doc FROM bookings WHERE id = ?`, id)
}

// GetByHold returns the booking of a hold.
func (r *BookingRepository) GetByHold(ctx context.Context, holdID string) (booking.Booking, error) {
	return r.getOne(ctx, "booking of hold "+holdID, `SELECT doc FROM bookings WHERE hold_id = ?`, holdID)
}

// GetByReference returns the booking with a reference.
func (r *BookingRepository) GetByReference(ctx context.Context, reference string) (booking.Booking, error) {
	return r.getOne(ctx, "booking "+reference, `SELECT doc FROM bookings WHERE reference = ?`, reference)
}

// Update applies fn to a booking inside a write transaction. ID, Reference, HoldID and OwnerID
// keep their stored values; a result that fails Validate is Invalid and stores nothing.
func (r *BookingRepository) Update(ctx context.Context, id string, fn func(*booking.Booking) error) (booking.Booking, error) {
	var out booking.Booking
	err := sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		var doc string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM bookings WHERE id = ?`, id).Scan(&doc); err != nil {
			return sqlitedb.NotFoundOr(err, "booking "+id)
		}
		b, err := decodeBooking(doc)
		if err != nil {
			return err
		}
		stored := b
		if err := fn(&b); err != nil {
			return err
		}
		b.ID, b.Reference, b.HoldID, b.OwnerID = stored.ID, stored.Reference, stored.HoldID, stored.OwnerID
		if err := b.Validate(); err != nil {
			return err
		}
		d, doc, err := encodeBooking(b)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bookings SET show_id = ?, status = ?, created_at = ?, expires_at = ?,
			refund_requested = ?, doc = ? WHERE id = ?`,
			d.ShowID, d.Status, d.CreatedAt, d.ExpiresAt, refundRequested(d), doc, id); err != nil {
			return fmt.Errorf("update booking %s: %w", id, err)
		}
		out = d.booking() // as stored, so that it equals what Get returns
		return nil
	})
	if err != nil {
		return booking.Booking{}, err
	}
	return out, nil
}

// List returns the bookings matching q, newest (CreatedAt, then ID) first.
func (r *BookingRepository) List(ctx context.Context, q booking.BookingQuery) ([]booking.Booking, error) {
	if q.OwnerID == "" && q.ShowID == "" && len(q.Statuses) == 0 {
		return nil, errs.Invalidf("query", "name an owner, a show or at least one status")
	}
	var where []string
	var args []any
	if q.OwnerID != "" {
		where = append(where, "owner_id = ?")
		args = append(args, q.OwnerID)
	}
	if q.ShowID != "" {
		where = append(where, "show_id = ?")
		args = append(args, q.ShowID)
	}
	if len(q.Statuses) > 0 {
		where = append(where, "status IN ("+sqlitedb.Placeholders(len(q.Statuses))+")")
		for _, s := range q.Statuses {
			args = append(args, string(s))
		}
	}
	if !q.ExpiresBefore.IsZero() {
		where = append(where, "expires_at < ?")
		args = append(args, q.ExpiresBefore.UnixMilli())
	}
	if q.RefundNotRequested {
		where = append(where, "refund_requested = 0")
	}
	args = append(args, q.EffectiveLimit())
	return sqlitedb.QueryDocs(ctx, r.db, "list bookings", decodeBooking, `SELECT doc FROM bookings WHERE `+strings.Join(where, " AND ")+
		` ORDER BY created_at DESC, id DESC LIMIT ?`, args...)
}
