package show

import (
	"context"
	"encoding/json"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/cache"
)

// DateCacheTTL bounds how long cached show dates live; scheduling and cancelling invalidate them
// at once, and dates whose last show has begun are dropped at read time.
const DateCacheTTL = 10 * time.Minute

// NewDateCache stores show dates in c.
func NewDateCache(c cache.Cache) DateCache { return dateCache{c} }

type dateCache struct{ c cache.Cache }

func (d dateCache) Get(ctx context.Context, key string) ([]DateSpan, bool) {
	b, ok := d.c.Get(ctx, key)
	if !ok {
		return nil, false
	}
	var spans []DateSpan
	if err := json.Unmarshal(b, &spans); err != nil {
		return nil, false
	}
	return spans, true
}

func (d dateCache) Set(ctx context.Context, key string, spans []DateSpan) {
	b, err := json.Marshal(spans)
	if err == nil {
		d.c.Set(ctx, key, b, DateCacheTTL)
	}
}

func (d dateCache) Delete(ctx context.Context, keys ...string) { d.c.Delete(ctx, keys...) }
