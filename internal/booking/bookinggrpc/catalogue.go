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
// locker and the ground truth decide.
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
	return &Catalogue{shows: shows, theatres: theatres, clock: clk}
}

// Show returns a show with its current prices.
func (c *Catalogue) Show(ctx context.Context, id string) (booking.ShowInfo, error) {
	if v, ok := c.showCache.get(id, c.clock.Now()); ok {
		return v, nil
	}
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
	c.showCache.put(id, info, c.clock.Now().Add(showTTL))
	return info, nil
}

// Screen returns a screen's layout.
func (c *Catalogue) Screen(ctx context.Context, id string) (booking.ScreenInfo, error) {
	if v, ok := c.screenCache.get(id, c.clock.Now()); ok {
		return v, nil
	}
	res, err := c.theatres.GetScreen(ctx, &theatrev1.GetScreenRequest{Id: id})
	if err != nil {
		return booking.ScreenInfo{}, err
	}
	sc := theatregrpc.FromProtoScreen(res.GetScreen())
	info := booking.ScreenInfo{ID: sc.ID, TheatreID: sc.TheatreID, Layout: sc.Layout, BestView: sc.BestView}
	c.screenCache.put(id, info, c.clock.Now().Add(layoutTTL))
	return info, nil
}

// Theatre returns a theatre's seat-selection settings.
func (c *Catalogue) Theatre(ctx context.Context, id string) (booking.TheatreInfo, error) {
	if v, ok := c.theatreCache.get(id, c.clock.Now()); ok {
		return v, nil
	}
	res, err := c.theatres.GetTheatre(ctx, &theatrev1.GetTheatreRequest{Id: id})
	if err != nil {
		return booking.TheatreInfo{}, err
	}
	t := res.GetTheatre()
	info := booking.TheatreInfo{ID: t.GetId(), AllowOrphanSeats: t.GetAllowOrphanSeats(),
		CancellationCutoff: time.Duration(t.GetCancellationCutoffMinutes()) * time.Minute, RefundFees: t.GetRefundFeesOnCancel()}
	c.theatreCache.put(id, info, c.clock.Now().Add(layoutTTL))
	return info, nil
}

// ttlCache is a small map of values that expire, at most maxEntries of them.
type ttlCache[V any] struct {
	mu      sync.Mutex
	entries map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

const maxEntries = 10_000

func (c *ttlCache[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[V]) put(key string, v V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]ttlEntry[V]{}
	}
	if len(c.entries) >= maxEntries {
		for k := range c.entries {
			delete(c.entries, k)
			if len(c.entries) < maxEntries/2 {
				break
			}
		}
	}
	c.entries[key] = ttlEntry[V]{v: v, expires: expires}
}
