package graph

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	showv1 "github.com/marquee-cinema/marquee/api/proto/marquee/show/v1"
	"github.com/marquee-cinema/marquee/internal/gateway/graph/model"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// SessionEnsurer gives an anonymous caller a session (the marquee_session cookie) when an
// operation needs an owner, and returns ctx carrying it. The HTTP layer provides it.
type SessionEnsurer func(ctx context.Context) context.Context

type ensurerKey struct{}

// WithSessionEnsurer returns ctx carrying the request's SessionEnsurer.
func WithSessionEnsurer(ctx context.Context, e SessionEnsurer) context.Context {
	return context.WithValue(ctx, ensurerKey{}, e)
}

// owned returns ctx with an owner for holds: the signed-in user's token is forwarded anyway; an
// anonymous caller gets a session.
func owned(ctx context.Context) context.Context {
	if e, ok := ctx.Value(ensurerKey{}).(SessionEnsurer); ok {
		return e(ctx)
	}
	return ctx
}

var seatStatusToGraph = map[bookingv1.SeatStatus]model.SeatStatus{
	bookingv1.SeatStatus_SEAT_STATUS_AVAILABLE: model.SeatStatusAvailable,
	bookingv1.SeatStatus_SEAT_STATUS_HELD:      model.SeatStatusHeld,
	bookingv1.SeatStatus_SEAT_STATUS_BOOKED:    model.SeatStatusBooked,
	bookingv1.SeatStatus_SEAT_STATUS_BLOCKED:   model.SeatStatusBlocked,
}

func money(amount int64, currency string) *model.Money {
	return &model.Money{Amount: int(amount), Currency: currency}
}

func toGraphHold(h *bookingv1.Hold) *model.Hold {
	return &model.Hold{ID: h.GetId(), ShowID: h.GetShowId(), SeatIds: nonNil(h.GetSeatIds()), ExpiresAt: h.GetExpireTime().AsTime(),
		Extended: h.GetExtended(), Quote: toGraphQuote(h.GetQuote())}
}

func toGraphQuote(q *bookingv1.Quote) *model.Quote {
	c := q.GetCurrency()
	quote := &model.Quote{Lines: []*model.QuoteLine{}, Subtotal: money(q.GetSubtotal(), c), Fees: money(q.GetFees(), c),
		Taxes: money(q.GetTaxes(), c), Total: money(q.GetTotal(), c)}
	for _, l := range q.GetLines() {
		quote.Lines = append(quote.Lines, &model.QuoteLine{Category: l.GetCategory(), Name: l.GetName(), SeatIds: nonNil(l.GetSeatIds()),
			UnitPrice: money(l.GetUnitPrice(), c), Quantity: int(l.GetQuantity()), Amount: money(l.GetAmount(), c)})
	}
	return quote
}

var bookingStatusFromProto = map[bookingv1.BookingStatus]model.BookingStatus{
	bookingv1.BookingStatus_BOOKING_STATUS_PENDING_PAYMENT: model.BookingStatusPendingPayment,
	bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED:       model.BookingStatusConfirmed,
	bookingv1.BookingStatus_BOOKING_STATUS_EXPIRED:         model.BookingStatusExpired,
	bookingv1.BookingStatus_BOOKING_STATUS_FAILED:          model.BookingStatusFailed,
	bookingv1.BookingStatus_BOOKING_STATUS_CANCELLED:       model.BookingStatusCancelled,
	bookingv1.BookingStatus_BOOKING_STATUS_REFUNDED:        model.BookingStatusRefunded,
}

// optionalTimestamp is a time, or nil for an absent timestamp.
func optionalTimestamp(t *timestamppb.Timestamp) *time.Time {
	if t == nil {
		return nil
	}
	v := t.AsTime()
	return &v
}

func toGraphBooking(b *bookingv1.Booking) *model.Booking {
	c := b.GetQuote().GetCurrency()
	out := &model.Booking{ID: b.GetId(), Reference: b.GetReference(), Status: bookingStatusFromProto[b.GetStatus()],
		Reason: optionalString(b.GetReason()), ShowID: b.GetShowId(), SeatIds: nonNil(b.GetSeatIds()),
		Quote: toGraphQuote(b.GetQuote()), Total: money(b.GetQuote().GetTotal(), c), Email: b.GetEmail(),
		Name: optionalString(b.GetName()), Phone: optionalString(b.GetPhone()), Guest: b.GetGuest(),
		CreatedAt: b.GetCreateTime().AsTime(), ExpiresAt: b.GetExpireTime().AsTime(),
		ConfirmedAt: optionalTimestamp(b.GetConfirmTime()), CancelledAt: optionalTimestamp(b.GetCancelTime()),
		RefundedAt: optionalTimestamp(b.GetRefundTime()), Cancellable: b.GetCancellable(),
		CancelDeadline: optionalTimestamp(b.GetCancelDeadline()), PaymentURL: optionalString(b.GetPaymentUrl())}
	if b.GetRefundAmount() > 0 {
		out.Refund = money(b.GetRefundAmount(), c)
	}
	return out
}

func toGraphBookings(list []*bookingv1.Booking) []*model.Booking {
	out := make([]*model.Booking, 0, len(list))
	for _, b := range list {
		out = append(out, toGraphBooking(b))
	}
	return out
}

// seatMap draws a show's layout with the statuses the booking service reports.
func (r *Resolver) seatMap(ctx context.Context, showID string) (*model.SeatMap, error) {
	res, err := r.BookingClient.GetSeatMap(ctx, &bookingv1.GetSeatMapRequest{ShowId: showID})
	if err != nil {
		return nil, err
	}
	layout := toGraphLayout(res.GetLayout())
	states := make(map[string]*bookingv1.SeatState, len(res.GetSeats()))
	for _, s := range res.GetSeats() {
		states[s.GetSeatId()] = s
	}
	out := &model.SeatMap{ShowID: res.GetShowId(), TheatreID: res.GetTheatreId(), ScreenID: res.GetScreenId(), HoldID: res.GetHoldId(),
		Rows: make([]*model.SeatRow, len(layout.Rows))}
	for i, row := range layout.Rows {
		sr := &model.SeatRow{Label: row.Label, Cells: make([]*model.SeatCell, len(row.Cells))}
		for j, cell := range row.Cells {
			sc := &model.SeatCell{Column: cell.Column}
			if ls := cell.Seat; ls != nil {
				st := states[ls.ID]
				sc.Seat = &model.Seat{ID: ls.ID, Number: ls.Number, Category: ls.Category, Accessible: ls.Accessible,
					Companion: ls.Companion, Status: seatStatusToGraph[st.GetStatus()], Mine: st.GetMine()}
				if st == nil {
					return nil, errs.E(errs.Internal, "seat %s has no status", ls.ID)
				}
			}
			sr.Cells[j] = sc
		}
		out.Rows[i] = sr
	}
	return out, nil
}

func (r *Resolver) fetchShows(ctx context.Context, showIDs []string) (map[string]*model.Show, error) {
	res, err := r.ShowClient.BatchGetShows(ctx, &showv1.BatchGetShowsRequest{Ids: showIDs})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*model.Show, len(showIDs))
	for _, s := range res.GetShows() {
		out[s.GetId()] = toGraphShow(s)
	}
	for _, id := range showIDs {
		if out[id] == nil {
			return nil, errs.NotFoundf("show %s not found", id)
		}
	}
	return out, nil
}

func (r *Resolver) loadShow(ctx context.Context, showID string) (*model.Show, error) {
	if l := loaders(ctx); l != nil {
		return l.showByID.Load(ctx, showID)
	}
	m, err := r.fetchShows(ctx, []string{showID})
	return m[showID], err
}

// watchSeatMap relays the booking service's stream of seat changes of a show. It returns once
// the subscription is in place, so no change after it is missed.
func (r *Resolver) watchSeatMap(ctx context.Context, showID string) (<-chan *model.SeatMapEvent, error) {
	stream, err := r.BookingClient.WatchSeatMap(ctx, &bookingv1.WatchSeatMapRequest{ShowId: showID})
	if err != nil {
		return nil, err
	}
	if _, err := stream.Recv(); err != nil { // the empty message that confirms the subscription
		return nil, err
	}
	out := make(chan *model.SeatMapEvent, 16)
	// The first event, with no seats, tells the subscriber that changes from now on reach it.
	out <- &model.SeatMapEvent{ShowID: showID, Seats: []*model.SeatStatusChange{}}
	go func() {
		defer close(out)
		for {
			msg, err := stream.Recv()
			if err != nil {
				return
			}
			ev := &model.SeatMapEvent{ShowID: msg.GetShowId(), Seats: make([]*model.SeatStatusChange, len(msg.GetSeats()))}
			for i, s := range msg.GetSeats() {
				ev.Seats[i] = &model.SeatStatusChange{SeatID: s.GetSeatId(), Status: seatStatusToGraph[s.GetStatus()]}
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
