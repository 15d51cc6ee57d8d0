// Package paymentgrpc serves the payment service over gRPC (api/proto/marquee/payment/v1) and
// holds its client of the booking service.
package paymentgrpc

import (
	"context"
	"net/http"

	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	paymentv1 "github.com/marquee-cinema/marquee/api/proto/marquee/payment/v1"
	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
)

// Server is the payment service's gRPC server.
type Server struct {
	paymentv1.UnimplementedPaymentServiceServer
	svc *payment.Service
}

// NewServer returns the gRPC server of svc.
func NewServer(svc *payment.Service) *Server { return &Server{svc: svc} }

var statusToProto = map[payment.Status]paymentv1.PaymentStatus{
	payment.StatusCreated:       paymentv1.PaymentStatus_PAYMENT_STATUS_CREATED,
	payment.StatusSucceeded:     paymentv1.PaymentStatus_PAYMENT_STATUS_SUCCEEDED,
	payment.StatusDeclined:      paymentv1.PaymentStatus_PAYMENT_STATUS_DECLINED,
	payment.StatusExpired:       paymentv1.PaymentStatus_PAYMENT_STATUS_EXPIRED,
	payment.StatusCancelled:     paymentv1.PaymentStatus_PAYMENT_STATUS_CANCELLED,
	payment.StatusRefundPending: paymentv1.PaymentStatus_PAYMENT_STATUS_REFUND_PENDING,
	payment.StatusRefunded:      paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED,
}

func toProtoPayment(p payment.Payment) *paymentv1.Payment {
	return &paymentv1.Payment{Id: p.ID, BookingId: p.BookingID, Provider: p.Provider, SessionUrl: p.SessionURL,
		Amount: p.Amount, Currency: p.Currency, Status: statusToProto[p.Status], RefundAmount: p.RefundAmount,
		RefundedAmount: p.RefundedAmount, Reason: p.Reason, CreateTime: timestamppb.New(p.CreatedAt),
		ExpireTime: timestamppb.New(p.ExpiresAt)}
}

// requireService lets only Marquee's services and admins move money.
func requireService(ctx context.Context) error {
	_, err := auth.RequireService(ctx, "open, cancel or refund payments")
	return err
}

// CreatePayment opens (or returns) a booking's payment session.
func (s *Server) CreatePayment(ctx context.Context, req *paymentv1.CreatePaymentRequest) (*paymentv1.CreatePaymentResponse, error) {
	if err := requireService(ctx); err != nil {
		return nil, err
	}
	p, err := s.svc.Create(ctx, payment.CreateRequest{BookingID: req.GetBookingId(), Reference: req.GetBookingReference(),
		Amount: req.GetAmount(), Currency: req.GetCurrency(), Description: req.GetDescription(),
		ExpiresAt: req.GetExpireTime().AsTime(), ReturnPath: req.GetReturnPath()})
	if err != nil {
		return nil, err
	}
	return &paymentv1.CreatePaymentResponse{Payment: toProtoPayment(p)}, nil
}

// GetPayment returns a booking's payment.
func (s *Server) GetPayment(ctx context.Context, req *paymentv1.GetPaymentRequest) (*paymentv1.GetPaymentResponse, error) {
	if err := requireService(ctx); err != nil {
		return nil, err
	}
	p, err := s.svc.Get(ctx, req.GetBookingId())
	if err != nil {
		return nil, err
	}
	return &paymentv1.GetPaymentResponse{Payment: toProtoPayment(p)}, nil
}

// CancelPayment closes a booking's unpaid session.
func (s *Server) CancelPayment(ctx context.Context, req *paymentv1.CancelPaymentRequest) (*paymentv1.CancelPaymentResponse, error) {
	if err := requireService(ctx); err != nil {
		return nil, err
	}
	p, err := s.svc.Cancel(ctx, req.GetBookingId())
	if err != nil {
		return nil, err
	}
	return &paymentv1.CancelPaymentResponse{Payment: toProtoPayment(p)}, nil
}

// RefundPayment refunds a booking's payment.
func (s *Server) RefundPayment(ctx context.Context, req *paymentv1.RefundPaymentRequest) (*paymentv1.RefundPaymentResponse, error) {
	if err := requireService(ctx); err != nil {
		return nil, err
	}
	p, err := s.svc.Refund(ctx, req.GetBookingId(), req.GetAmount(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &paymentv1.RefundPaymentResponse{Payment: toProtoPayment(p)}, nil
}

// HandleWebhook verifies and processes a provider's webhook.
func (s *Server) HandleWebhook(ctx context.Context, req *paymentv1.HandleWebhookRequest) (*paymentv1.HandleWebhookResponse, error) {
	h := http.Header{}
	for k, v := range req.GetHeaders() {
		h.Set(k, v)
	}
	res, err := s.svc.HandleWebhook(ctx, req.GetProvider(), h, req.GetBody())
	if err != nil {
		return nil, err
	}
	return &paymentv1.HandleWebhookResponse{Duplicate: res.Duplicate, EventId: res.EventID}, nil
}

// Bookings is payment.Bookings over the booking service's gRPC API, called as the payment
// service.
type Bookings struct {
	client bookingv1.BookingServiceClient
	tokens *auth.ServiceTokens
}

var _ payment.Bookings = (*Bookings)(nil)

// NewBookings returns the booking service's client as the payment service needs it.
func NewBookings(client bookingv1.BookingServiceClient, tokens *auth.ServiceTokens) *Bookings {
	return &Bookings{client: client, tokens: tokens}
}

var outcomeToProto = map[payment.Outcome]bookingv1.PaymentOutcome{
	payment.OutcomeSucceeded: bookingv1.PaymentOutcome_PAYMENT_OUTCOME_SUCCEEDED,
	payment.OutcomeFailed:    bookingv1.PaymentOutcome_PAYMENT_OUTCOME_FAILED,
	payment.OutcomeRefunded:  bookingv1.PaymentOutcome_PAYMENT_OUTCOME_REFUNDED,
}

// Settle tells a booking what became of its payment.
func (b *Bookings) Settle(ctx context.Context, bookingID, paymentID string, o payment.Outcome, amount int64) (payment.Settlement, error) {
	ctx, err := b.tokens.Context(ctx)
	if err != nil {
		return payment.Settlement{}, err
	}
	res, err := b.client.SettlePayment(ctx, &bookingv1.SettlePaymentRequest{BookingId: bookingID, PaymentId: paymentID,
		Outcome: outcomeToProto[o], Amount: amount})
	if err != nil {
		return payment.Settlement{}, err
	}
	return payment.Settlement{RefundAmount: res.GetRefundAmount(), RefundReason: res.GetRefundReason()}, nil
}
