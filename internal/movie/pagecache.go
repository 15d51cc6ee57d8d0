package movie

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// pageTTL is how long a listed page is served from memory. Browsing asks for the same few pages
// over and over; a write through this process clears the cache at once, and writes through other
// replicas show within pageTTL.
const pageTTL = 2 * time.Second

// maxCachedPages bounds the cache; past it, it starts afresh.
const maxCachedPages = 1000

// pageCache keeps recently listed pages.
type pageCache struct {
	mu    sync.Mutex
	pages map[string]cachedPage
}

type cachedPage struct {
	res     ListResult
	expires time.Time
}

func pageKey(f Filter, after *Position, first int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q|%q|%q|%q|%q|%d|", f.Language, f.Genre, f.Format, f.Status, f.Search, first)
	if f.IDs != nil {
		fmt.Fprintf(&b, "ids:%s|", strings.Join(f.IDs, ","))
	}
	if after != nil {
		fmt.Fprintf(&b, "%q|%s", after.TitleKey, after.ID)
	}
	return b.String()
}

func (c *pageCache) get(key string, now time.Time) (ListResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[key]
	if !ok || !now.Before(p.expires) {
		return ListResult{}, false
	}
	return p.res, true
}

func (c *pageCache) put(key string, res ListResult, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil || len(c.pages) >= maxCachedPages {
		c.pages = map[string]cachedPage{}
	}
	c.pages[key] = cachedPage{res: res, expires: now.Add(pageTTL)}
}

func (c *pageCache) clear() {
	c.mu.Lock()
	c.pages = nil
	c.mu.Unlock()
}
