package bookinggrpc

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

var bookingStatusToProto = map[booking.Status]bookingv1.BookingStatus{
	booking.StatusPendingPayment: bookingv1.BookingStatus_BOOKING_STATUS_PENDING_PAYMENT,
	booking.StatusConfirmed:      bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED,
	booking.StatusExpired:        bookingv1.BookingStatus_BOOKING_STATUS_EXPIRED,
	booking.StatusFailed:         bookingv1.BookingStatus_BOOKING_STATUS_FAILED,
	booking.StatusCancelled:      bookingv1.BookingStatus_BOOKING_STATUS_CANCELLED,
	booking.StatusRefunded:       bookingv1.BookingStatus_BOOKING_STATUS_REFUNDED,
}

var outcomeFromProto = map[bookingv1.PaymentOutcome]booking.PaymentOutcome{
	bookingv1.PaymentOutcome_PAYMENT_OUTCOME_SUCCEEDED: booking.PaymentSucceeded,
	bookingv1.PaymentOutcome_PAYMENT_OUTCOME_FAILED:    booking.PaymentFailed,
	bookingv1.PaymentOutcome_PAYMENT_OUTCOME_REFUNDED:  booking.PaymentRefunded,
}

// optionalTime is a timestamp message, or nil for the zero time.
func optionalTime(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// ToProtoBooking converts a booking, as its caller sees it, to its message.
func ToProtoBooking(v booking.View) *bookingv1.Booking {
	b := v.Booking
	return &bookingv1.Booking{Id: b.ID, Reference: b.Reference, ShowId: b.ShowID, TheatreId: b.TheatreID, HoldId: b.HoldID,
		Guest: b.Guest(), Email: b.Email, Name: b.Name, Phone: b.Phone, SeatIds: b.SeatIDs, Quote: toProtoQuote(b.Quote),
		Status: bookingStatusToProto[b.Status], Reason: b.Reason, PaymentUrl: b.PaymentURL,
		ShowStartTime: optionalTime(b.ShowStartsAt), CreateTime: optionalTime(b.CreatedAt), ExpireTime: optionalTime(b.ExpiresAt),
		ConfirmTime: optionalTime(b.ConfirmedAt), CancelTime: optionalTime(b.CancelledAt), RefundAmount: b.RefundAmount,
		RefundTime: optionalTime(b.RefundedAt), Cancellable: v.Cancellable, CancelDeadline: optionalTime(v.CancelDeadline)}
}

func toProtoBookings(list []booking.View) []*bookingv1.Booking {
	out := make([]*bookingv1.Booking, 0, len(list))
	for _, v := range list {
		out = append(out, ToProtoBooking(v))
	}
	return out
}

// Checkout turns the caller's hold into a booking awaiting payment.
func (s *Server) Checkout(ctx context.Context, req *bookingv1.CheckoutRequest) (*bookingv1.CheckoutResponse, error) {
	r := booking.CheckoutRequest{HoldID: req.GetHoldId(), ReturnPath: req.GetReturnPath()}
	if g := req.GetGuest(); g != nil {
		r.Guest = &booking.Contact{Email: g.GetEmail(), Phone: g.GetPhone(), Name: g.GetName()}
	}
	v, err := s.svc.Checkout(ctx, r)
	if err != nil {
		return nil, err
	}
	return &bookingv1.CheckoutResponse{Booking: ToProtoBooking(v), PaymentUrl: v.PaymentURL}, nil
}

// GetBooking returns a booking to those who may see it.
func (s *Server) GetBooking(ctx context.Context, req *bookingv1.GetBookingRequest) (*bookingv1.GetBookingResponse, error) {
	v, err := s.svc.GetBooking(ctx, req.GetBookingId())
	if err != nil {
		return nil, err
	}
	return &bookingv1.GetBookingResponse{Booking: ToProtoBooking(v)}, nil
}

// GetBookingByReference returns a booking by reference and e-mail.
func (s *Server) GetBookingByReference(ctx context.Context, req *bookingv1.GetBookingByReferenceRequest) (*bookingv1.GetBookingByReferenceResponse, error) {
	v, err := s.svc.GetBookingByReference(ctx, req.GetReference(), req.GetEmail())
	if err != nil {
		return nil, err
	}
	return &bookingv1.GetBookingByReferenceResponse{Booking: ToProtoBooking(v)}, nil
}

// ListBookings lists the caller's bookings, or a show's.
func (s *Server) ListBookings(ctx context.Context, req *bookingv1.ListBookingsRequest) (*bookingv1.ListBookingsResponse, error) {
	list, err := s.svc.ListBookings(ctx, req.GetShowId())
	if err != nil {
		return nil, err
	}
	return &bookingv1.ListBookingsResponse{Bookings: toProtoBookings(list)}, nil
}

// GetShowSales sums the confirmed bookings of shows.
func (s *Server) GetShowSales(ctx context.Context, req *bookingv1.GetShowSalesRequest) (*bookingv1.GetShowSalesResponse, error) {
	sales, err := s.svc.ShowSales(ctx, req.GetShowIds())
	if err != nil {
		return nil, err
	}
	out := &bookingv1.GetShowSalesResponse{}
	for _, x := range sales {
		out.Sales = append(out.Sales, &bookingv1.ShowSales{ShowId: x.ShowID, TicketsSold: int32(x.TicketsSold),
			ConfirmedBookings: int32(x.ConfirmedBookings), Revenue: x.Revenue, Currency: x.Currency,
			Capacity: int32(x.Capacity)})
	}
	return out, nil
}

// CancelBooking cancels a confirmed booking.
func (s *Server) CancelBooking(ctx context.Context, req *bookingv1.CancelBookingRequest) (*bookingv1.CancelBookingResponse, error) {
	v, err := s.svc.CancelBooking(ctx, req.GetBookingId())
	if err != nil {
		return nil, err
	}
	return &bookingv1.CancelBookingResponse{Booking: ToProtoBooking(v)}, nil
}

// CancelShowBookings cancels every booking of a cancelled show.
func (s *Server) CancelShowBookings(ctx context.Context, req *bookingv1.CancelShowBookingsRequest) (*bookingv1.CancelShowBookingsResponse, error) {
	n, err := s.svc.CancelShowBookings(ctx, req.GetShowId())
	if err != nil {
		return nil, err
	}
	return &bookingv1.CancelShowBookingsResponse{Cancelled: int32(n)}, nil
}

// SettlePayment applies what became of a booking's payment.
func (s *Server) SettlePayment(ctx context.Context, req *bookingv1.SettlePaymentRequest) (*bookingv1.SettlePaymentResponse, error) {
	outcome, ok := outcomeFromProto[req.GetOutcome()]
	if !ok {
		return nil, errs.Invalidf("outcome", "a payment outcome is required")
	}
	st, err := s.svc.SettlePayment(ctx, req.GetBookingId(), outcome, req.GetAmount())
	if err != nil {
		return nil, err
	}
	return &bookingv1.SettlePaymentResponse{Booking: ToProtoBooking(booking.View{Booking: st.Booking}),
		RefundAmount: st.RefundAmount, RefundReason: st.RefundReason}, nil
}
