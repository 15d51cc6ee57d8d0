// Package bookinggrpc serves the booking service over gRPC (marquee.booking.v1), converts
// between its messages and the domain, and adapts the show and theatre gRPC clients to the
// booking service's Catalogue port.
package bookinggrpc

import (
	"context"
	"sort"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/theatre/theatregrpc"
)

// Server implements bookingv1.BookingServiceServer over a booking.Service.
type Server struct {
	bookingv1.UnimplementedBookingServiceServer
	svc *booking.Service
}

// NewServer returns the gRPC server of svc.
func NewServer(svc *booking.Service) *Server { return &Server{svc: svc} }

// HoldSeats holds chosen seats.
func (s *Server) HoldSeats(ctx context.Context, req *bookingv1.HoldSeatsRequest) (*bookingv1.HoldSeatsResponse, error) {
	h, err := s.svc.HoldSeats(ctx, req.GetShowId(), req.GetSeatIds())
	if err != nil {
		return nil, err
	}
	return &bookingv1.HoldSeatsResponse{Hold: ToProtoHold(h)}, nil
}

// HoldBestAvailable picks and holds seats.
func (s *Server) HoldBestAvailable(ctx context.Context, req *bookingv1.HoldBestAvailableRequest) (*bookingv1.HoldBestAvailableResponse, error) {
	h, err := s.svc.HoldBestAvailable(ctx, req.GetShowId(), int(req.GetCount()), req.GetCategory(), req.GetAccessible())
	if err != nil {
		return nil, err
	}
	return &bookingv1.HoldBestAvailableResponse{Hold: ToProtoHold(h)}, nil
}

// GetHold returns the caller's hold.
func (s *Server) GetHold(ctx context.Context, req *bookingv1.GetHoldRequest) (*bookingv1.GetHoldResponse, error) {
	h, err := s.svc.GetHold(ctx, req.GetHoldId())
	if err != nil {
		return nil, err
	}
	return &bookingv1.GetHoldResponse{Hold: ToProtoHold(h)}, nil
}

// ExtendHold extends the caller's hold.
func (s *Server) ExtendHold(ctx context.Context, req *bookingv1.ExtendHoldRequest) (*bookingv1.ExtendHoldResponse, error) {
	h, err := s.svc.ExtendHold(ctx, req.GetHoldId())
	if err != nil {
		return nil, err
	}
	return &bookingv1.ExtendHoldResponse{Hold: ToProtoHold(h)}, nil
}

// ReleaseHold frees the caller's hold.
func (s *Server) ReleaseHold(ctx context.Context, req *bookingv1.ReleaseHoldRequest) (*bookingv1.ReleaseHoldResponse, error) {
	if err := s.svc.ReleaseHold(ctx, req.GetHoldId()); err != nil {
		return nil, err
	}
	return &bookingv1.ReleaseHoldResponse{}, nil
}

var statusToProto = map[booking.SeatStatus]bookingv1.SeatStatus{
	booking.SeatAvailable: bookingv1.SeatStatus_SEAT_STATUS_AVAILABLE,
	booking.SeatHeld:      bookingv1.SeatStatus_SEAT_STATUS_HELD,
	booking.SeatBooked:    bookingv1.SeatStatus_SEAT_STATUS_BOOKED,
	booking.SeatBlocked:   bookingv1.SeatStatus_SEAT_STATUS_BLOCKED,
}

// GetSeatMap returns a show's seats.
func (s *Server) GetSeatMap(ctx context.Context, req *bookingv1.GetSeatMapRequest) (*bookingv1.GetSeatMapResponse, error) {
	m, err := s.svc.SeatMap(ctx, req.GetShowId())
	if err != nil {
		return nil, err
	}
	out := &bookingv1.GetSeatMapResponse{ShowId: m.Show.ID, ScreenId: m.Show.ScreenID, TheatreId: m.Show.TheatreID,
		HoldId: m.HoldID, Seats: make([]*bookingv1.SeatState, 0, len(m.Status)), Layout: theatregrpc.ToProtoLayout(m.Layout)}
	for _, seat := range m.Layout.Seats() {
		out.Seats = append(out.Seats, &bookingv1.SeatState{SeatId: seat.ID, Status: statusToProto[m.Status[seat.ID]], Mine: m.Mine[seat.ID]})
	}
	return out, nil
}

// GetSeatCounts returns taken seats per show.
func (s *Server) GetSeatCounts(ctx context.Context, req *bookingv1.GetSeatCountsRequest) (*bookingv1.GetSeatCountsResponse, error) {
	counts, err := s.svc.Counts(ctx, req.GetShowIds())
	if err != nil {
		return nil, err
	}
	out := &bookingv1.GetSeatCountsResponse{}
	for _, id := range req.GetShowIds() {
		c := counts[id]
		out.Counts = append(out.Counts, &bookingv1.SeatCounts{ShowId: id, Held: int32(c.Held), Booked: int32(c.Booked)})
	}
	return out, nil
}

// requireService lets only admins and Marquee's own services change the ground truth.
func requireService(ctx context.Context) error {
	_, err := auth.RequireService(ctx, "confirm or release bookings")
	return err
}

// ConfirmBooking books a paid booking's seats.
func (s *Server) ConfirmBooking(ctx context.Context, req *bookingv1.ConfirmBookingRequest) (*bookingv1.ConfirmBookingResponse, error) {
	if err := requireService(ctx); err != nil {
		return nil, err
	}
	err := s.svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: req.GetBookingId(), ShowID: req.GetShowId(),
		SeatIDs: req.GetSeatIds(), HoldID: req.GetHoldId()})
	if err != nil {
		return nil, err
	}
	return &bookingv1.ConfirmBookingResponse{}, nil
}

// ReleaseBooking frees a cancelled booking's seats.
func (s *Server) ReleaseBooking(ctx context.Context, req *bookingv1.ReleaseBookingRequest) (*bookingv1.ReleaseBookingResponse, error) {
	if err := requireService(ctx); err != nil {
		return nil, err
	}
	freed, err := s.svc.ReleaseBooking(ctx, req.GetShowId(), req.GetBookingId())
	if err != nil {
		return nil, err
	}
	return &bookingv1.ReleaseBookingResponse{SeatIds: freed}, nil
}

// WatchSeatMap streams seat changes until the client goes away.
func (s *Server) WatchSeatMap(req *bookingv1.WatchSeatMapRequest, stream grpc.ServerStreamingServer[bookingv1.WatchSeatMapResponse]) error {
	events, err := s.svc.Watch(stream.Context(), req.GetShowId())
	if err != nil {
		return err
	}
	// An empty first message tells the client the subscription is in place.
	if err := stream.Send(&bookingv1.WatchSeatMapResponse{ShowId: req.GetShowId()}); err != nil {
		return err
	}
	for ev := range events {
		msg := &bookingv1.WatchSeatMapResponse{ShowId: ev.ShowID}
		for _, c := range ev.Seats {
			msg.Seats = append(msg.Seats, &bookingv1.SeatState{SeatId: c.SeatID, Status: statusToProto[c.Status]})
		}
		if err := stream.Send(msg); err != nil {
			return err
		}
	}
	return nil
}

// toProtoQuote converts a quote to its message.
func toProtoQuote(quote booking.Quote) *bookingv1.Quote {
	q := &bookingv1.Quote{Currency: quote.Currency, Subtotal: quote.Subtotal, Fees: quote.Fees, Taxes: quote.Taxes,
		Total: quote.Total}
	for _, l := range quote.Lines {
		q.Lines = append(q.Lines, &bookingv1.QuoteLine{Category: l.Category, Name: l.Name, SeatIds: l.SeatIDs,
			UnitPrice: l.UnitPrice, Quantity: int32(l.Quantity), Amount: l.Amount})
	}
	return q
}

// ToProtoHold converts a hold to its message.
func ToProtoHold(h booking.Hold) *bookingv1.Hold {
	q := toProtoQuote(h.Quote)
	seats := append([]string(nil), h.SeatIDs...)
	sort.Strings(seats)
	return &bookingv1.Hold{Id: h.ID, ShowId: h.ShowID, SeatIds: seats, CreateTime: timestamppb.New(h.CreatedAt),
		ExpireTime: timestamppb.New(h.ExpiresAt), Extended: h.Extended, Quote: q}
}
