package app

import (
	"context"
	"fmt"
	"time"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/booking/bookinggrpc"
	"github.com/marquee-cinema/marquee/internal/booking/bookingmongo"
	"github.com/marquee-cinema/marquee/internal/booking/bookingsqlite"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlockmemory"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlockredis"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub/pubsubredis"
	"github.com/marquee-cinema/marquee/internal/platform/session"
)

// sweepInterval is how often expired holds are swept, so that seat maps hear of an expiry within
// a second of it.
const sweepInterval = 250 * time.Millisecond

// bookingSweepInterval is how often unpaid bookings past their expiry are expired.
const bookingSweepInterval = time.Second

// bus is the process's event bus: Redis pub/sub when configured, so that every replica hears
// every seat change, else in-process. The Redis bus sends in the background: events it loses are
// counted with those slow subscribers lose, and its failures to reach Redis are logged here.
func (a *App) bus() pubsub.Bus {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.eventBus == nil {
		dropped := func() { a.metrics.EventsDropped.Inc() }
		if a.redis != nil {
			a.eventBus = pubsubredis.New(a.redis, a.cfg.RedisPrefix+"events:", dropped,
				pubsubredis.WithErrorHandler(func(err error) { a.log.Warn("publish seat changes", "error", err) }))
		} else {
			a.eventBus = pubsub.NewMemory(dropped)
		}
	}
	return a.eventBus
}

// sessions signs anonymous session cookies: --session-key, or a key generated once into
// --data-dir.
func (a *App) resolveSessionKey() error {
	var key []byte
	var err error
	if a.cfg.SessionKey != "" {
		key, err = session.ParseKey(a.cfg.SessionKey)
	} else {
		key, err = session.LoadOrCreateKey(a.cfg.DataDir)
	}
	if err != nil {
		return fmt.Errorf("session key: %w", err)
	}
	a.sessions, err = session.NewSigner(key)
	return err
}

func (a *App) startBooking(ctx context.Context) error {
	var seats booking.SeatStore
	var err error
	if a.mongoDB != nil {
		seats, err = bookingmongo.NewSeatStore(ctx, a.mongoDB)
	} else {
		seats, err = bookingsqlite.NewSeatStore(ctx, a.sqlDB)
	}
	if err != nil {
		return fmt.Errorf("booked seats: %w", err)
	}
	var locker seatlock.Locker = seatlockmemory.New()
	if a.redis != nil {
		l := seatlockredis.New(a.redis, a.cfg.RedisPrefix+"seats:")
		a.mu.Lock()
		a.seatLocker = l
		a.mu.Unlock()
		locker = l
	}
	p, err := a.peers()
	if err != nil {
		return err
	}
	catalogue := bookinggrpc.NewCatalogue(p.shows, p.theatres, a.clock)
	svc := booking.NewService(locker, seats, catalogue, a.bus(), a.clock, booking.Options{HoldTTL: a.cfg.HoldTTL,
		Fees: &booking.Fees{PerTicket: a.cfg.FeePerTicket, TaxBasisPoints: a.cfg.FeeTaxBasisPoints}, Log: a.log})
	var records booking.Repository
	if a.mongoDB != nil {
		records, err = bookingmongo.NewBookingRepository(ctx, a.mongoDB)
	} else {
		records, err = bookingsqlite.NewBookingRepository(ctx, a.sqlDB)
	}
	if err != nil {
		return fmt.Errorf("bookings: %w", err)
	}
	tokens, err := a.serviceTokens(ModuleBooking)
	if err != nil {
		return err
	}
	if p.payments != nil && p.users != nil {
		svc.EnableCheckout(booking.CheckoutDeps{Bookings: records, Payments: bookinggrpc.NewPayments(p.payments, tokens),
			Accounts: bookinggrpc.NewAccounts(p.users)})
	}
	a.svc.bookings = svc
	a.registerService(&bookingv1.BookingService_ServiceDesc, bookinggrpc.NewServer(svc))
	a.every(sweepInterval, "expired holds", func(ctx context.Context) error {
		_, err := svc.SweepExpired(ctx)
		return err
	})
	a.every(bookingSweepInterval, "unpaid bookings", func(ctx context.Context) error {
		_, err := svc.SweepBookings(ctx)
		return err
	})
	return nil
}
