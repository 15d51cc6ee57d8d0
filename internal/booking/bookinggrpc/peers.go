package bookinggrpc

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	paymentv1 "github.com/marquee-cinema/marquee/api/proto/marquee/payment/v1"
	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
)

// Payments is booking.Payments over the payment service's gRPC API. It calls as the booking
// service (a service token), never as the customer: only services may open, cancel or refund
// payments.
type Payments struct {
	client paymentv1.PaymentServiceClient
	tokens *auth.ServiceTokens
}

var _ booking.Payments = (*Payments)(nil)

// NewPayments returns the payment service's client as the booking service needs it.
func NewPayments(client paymentv1.PaymentServiceClient, tokens *auth.ServiceTokens) *Payments {
	return &Payments{client: client, tokens: tokens}
}

// Open opens (or returns) a booking's payment session.
func (p *Payments) Open(ctx context.Context, r booking.PaymentRequest) (booking.PaymentSession, error) {
	ctx, err := p.tokens.Context(ctx)
	if err != nil {
		return booking.PaymentSession{}, err
	}
	res, err := p.client.CreatePayment(ctx, &paymentv1.CreatePaymentRequest{BookingId: r.BookingID, BookingReference: r.Reference,
		Amount: r.Amount, Currency: r.Currency, Description: r.Description, ExpireTime: timestamppb.New(r.ExpiresAt),
		ReturnPath: r.ReturnPath})
	if err != nil {
		return booking.PaymentSession{}, err
	}
	return booking.PaymentSession{URL: res.GetPayment().GetSessionUrl()}, nil
}

// Cancel closes a booking's unpaid session.
func (p *Payments) Cancel(ctx context.Context, bookingID string) error {
	ctx, err := p.tokens.Context(ctx)
	if err != nil {
		return err
	}
	_, err = p.client.CancelPayment(ctx, &paymentv1.CancelPaymentRequest{BookingId: bookingID})
	return err
}

// Refund asks for amount of a booking's payment back.
func (p *Payments) Refund(ctx context.Context, bookingID string, amount int64, reason string) error {
	ctx, err := p.tokens.Context(ctx)
	if err != nil {
		return err
	}
	_, err = p.client.RefundPayment(ctx, &paymentv1.RefundPaymentRequest{BookingId: bookingID, Amount: amount, Reason: reason})
	return err
}

// Accounts is booking.Accounts over the user service's gRPC API, called as the customer.
type Accounts struct{ users userv1.UserServiceClient }

var _ booking.Accounts = (*Accounts)(nil)

// NewAccounts returns the user service's client as the booking service needs it.
func NewAccounts(users userv1.UserServiceClient) *Accounts { return &Accounts{users: users} }

// Me returns the signed-in caller's contact details.
func (a *Accounts) Me(ctx context.Context) (booking.Contact, error) {
	res, err := a.users.GetMe(auth.ForwardToken(ctx), &userv1.GetMeRequest{})
	if err != nil {
		return booking.Contact{}, err
	}
	u := res.GetUser()
	return booking.Contact{Email: u.GetEmail(), Phone: u.GetPhone(), Name: u.GetName()}, nil
}
