package booking

import "sync"

// maxShows bounds the shows a perShow keeps; past it, it starts over (the values are caches).
const maxShows = 10_000

// perShow keeps one value per show for the service's caches, at most maxShows of them.
type perShow[T any] struct {
	mu    sync.Mutex
	shows map[string]*T
}

// get returns the show's value, creating it when create is set; nil otherwise when there is none.
func (p *perShow[T]) get(showID string, create bool) *T {
	p.mu.Lock()
	defer p.mu.Unlock()
	v := p.shows[showID]
	if v == nil && create {
		if p.shows == nil || len(p.shows) >= maxShows {
			p.shows = map[string]*T{}
		}
		v = new(T)
		p.shows[showID] = v
	}
	return v
}
