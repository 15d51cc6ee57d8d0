package bookinggrpc

import (
	"context"
	"sync"
	"time"

	showv1 "github.com/marquee-cinema/marquee/api/proto/marquee/show/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/theatre/theatregrpc"
)

// Cache lifetimes. A show's prices move with its occupancy, so its entry is short-lived; layouts
// and theatre settings change rarely. A seat is never sold twice whatever a cache says: the
// locker and the ground truth decide. An entry up to its lifetime past expiry is still served
// while one caller refreshes it in the background, so a busy show's holds never wait for the
// show service: a show's prices and status are at most 2 seconds old.
const (
	showTTL   = time.Second
	layoutTTL = 30 * time.Second
)

// Catalogue answers the booking service's questions by calling the show and theatre services,
// caching the answers briefly: every hold and seat map needs them.
type Catalogue struct {
	shows    showv1.ShowServiceClient
	theatres theatrev1.TheatreServiceClient
	clock    clock.Clock

	showCache    ttlCache[booking.ShowInfo]
	screenCache  ttlCache[booking.ScreenInfo]
	theatreCache ttlCache[booking.TheatreInfo]
}

var _ booking.Catalogue = (*Catalogue)(nil)

// NewCatalogue returns a Catalogue over the show and theatre clients.
func NewCatalogue(shows showv1.ShowServiceClient, theatres theatrev1.TheatreServiceClient, clk clock.Clock) *Catalogue {
	return &Catalogue{shows: shows, theatres: theatres, clock: clk,
		showCache: ttlCache[booking.ShowInfo]{ttl: showTTL}, screenCache: ttlCache[booking.ScreenInfo]{ttl: layoutTTL},
		theatreCache: ttlCache[booking.TheatreInfo]{ttl: layoutTTL}}
}

// Show returns a show with its current prices.
func (c *Catalogue) Show(ctx context.Context, id string) (booking.ShowInfo, error) {
	return c.showCache.get(ctx, id, c.clock, c.show)
}

func (c *Catalogue) show(ctx context.Context, id string) (booking.ShowInfo, error) {
	res, err := c.shows.GetShow(ctx, &showv1.GetShowRequest{Id: id})
	if err != nil {
		return booking.ShowInfo{}, err
	}
	sh := res.GetShow()
	info := booking.ShowInfo{ID: sh.GetId(), TheatreID: sh.GetTheatreId(), ScreenID: sh.GetScreenId(), Currency: sh.GetCurrency(),
		StartsAt: sh.GetStartTime().AsTime(), BusyUntil: sh.GetEndTime().AsTime(),
		Scheduled: sh.GetStatus() == showv1.ShowStatus_SHOW_STATUS_SCHEDULED, Prices: map[string]int64{}}
	for _, p := range sh.GetPrices() {
		info.Prices[p.GetCategory()] = p.GetAmount()
	}
	return info, nil
}

// ForgetShow implements booking.ShowCache: the next Show call asks the show service.
func (c *Catalogue) ForgetShow(id string) { c.showCache.forget(id) }

// Screen returns a screen's layout.
func (c *Catalogue) Screen(ctx context.Context, id string) (booking.ScreenInfo, error) {
	return c.screenCache.get(ctx, id, c.clock, c.screen)
}

func (c *Catalogue) screen(ctx context.Context, id string) (booking.ScreenInfo, error) {
	res, err := c.theatres.GetScreen(ctx, &theatrev1.GetScreenRequest{Id: id})
	if err != nil {
		return booking.ScreenInfo{}, err
	}
	sc := theatregrpc.FromProtoScreen(res.GetScreen())
	info := booking.ScreenInfo{ID: sc.ID, TheatreID: sc.TheatreID, Layout: sc.Layout, BestView: sc.BestView}
	return info, nil
}

// Theatre returns a theatre's seat-selection settings.
func (c *Catalogue) Theatre(ctx context.Context, id string) (booking.TheatreInfo, error) {
	return c.theatreCache.get(ctx, id, c.clock, c.theatre)
}

func (c *Catalogue) theatre(ctx context.Context, id string) (booking.TheatreInfo, error) {
	res, err := c.theatres.GetTheatre(ctx, &theatrev1.GetTheatreRequest{Id: id})
	if err != nil {
		return booking.TheatreInfo{}, err
	}
	t := res.GetTheatre()
	info := booking.TheatreInfo{ID: t.GetId(), AllowOrphanSeats: t.GetAllowOrphanSeats(),
		CancellationCutoff: time.Duration(t.GetCancellationCutoffMinutes()) * time.Minute, RefundFees: t.GetRefundFeesOnCancel()}
	return info, nil
}

// ttlCache is a small map of values that live for ttl, at most maxEntries of them. Concurrent
// callers missing one key share one load. For another ttl after a value expired it is still
// served, while the first caller to see it stale refreshes it in the background.
type ttlCache[V any] struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]*ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       V
	has     bool
	expires time.Time
	flight  *flight[V] // the load in progress, if any
}

// flight is one load; done is closed when v and err are set.
type flight[V any] struct {
	done chan struct{}
	v    V
	err  error
}

const (
	maxEntries = 10_000
	// refreshTimeout bounds a background refresh.
	refreshTimeout = 10 * time.Second
)

// get returns key's value, loading it with load when it is missing or too old.
func (c *ttlCache[V]) get(ctx context.Context, key string, clk clock.Clock, load func(context.Context, string) (V, error)) (V, error) {
	now := clk.Now()
	c.mu.Lock()
	e := c.entry(key)
	switch {
	case e.has && now.Before(e.expires):
		v := e.v
		c.mu.Unlock()
		return v, nil
	case e.has && now.Before(e.expires.Add(c.ttl)):
		v := e.v
		if e.flight == nil {
			f := c.start(e)
			go func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
				defer cancel()
				c.finish(ctx, e, f, clk, key, load)
			}()
		}
		c.mu.Unlock()
		return v, nil
	}
	f := e.flight
	if f == nil {
		f = c.start(e)
		c.mu.Unlock()
		c.finish(ctx, e, f, clk, key, load)
		return f.v, f.err
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.v, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// forget drops key's value; the result of a load in flight goes to its waiters only.
func (c *ttlCache[V]) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

// entry returns key's entry, creating it; call with c.mu held.
func (c *ttlCache[V]) entry(key string) *ttlEntry[V] {
	if e := c.entries[key]; e != nil {
		return e
	}
	if c.entries == nil || len(c.entries) >= maxEntries {
		c.entries = map[string]*ttlEntry[V]{}
	}
	e := &ttlEntry[V]{}
	c.entries[key] = e
	return e
}

// start begins a load of e; call with c.mu held.
func (c *ttlCache[V]) start(e *ttlEntry[V]) *flight[V] {
	f := &flight[V]{done: make(chan struct{})}
	e.flight = f
	return f
}

// finish runs the load of f and stores a successful result in e.
func (c *ttlCache[V]) finish(ctx context.Context, e *ttlEntry[V], f *flight[V], clk clock.Clock, key string, load func(context.Context, string) (V, error)) {
	f.v, f.err = load(ctx, key)
	c.mu.Lock()
	if f.err == nil {
		e.v, e.has, e.expires = f.v, true, clk.Now().Add(c.ttl)
	}
	e.flight = nil
	c.mu.Unlock()
	close(f.done)
}
