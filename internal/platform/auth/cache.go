package auth

import (
	"sync"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
)

// CachingVerifier remembers tokens it has verified until they expire, so that a token presented
// on every request (and again by each service it reaches) costs one signature check. Only valid
// tokens are cached, keyed by the whole token, so a forged or altered token is always checked.
type CachingVerifier struct {
	v     *Verifier
	clock clock.Clock
	max   int

	mu      sync.Mutex
	entries map[string]cachedIdentity
}

type cachedIdentity struct {
	id        Identity
	notBefore time.Time
	expires   time.Time
}

var _ TokenVerifier = (*CachingVerifier)(nil)

// NewCachingVerifier caches up to max verified tokens of v.
func NewCachingVerifier(v *Verifier, clk clock.Clock, max int) *CachingVerifier {
	return &CachingVerifier{v: v, clock: clk, max: max, entries: map[string]cachedIdentity{}}
}

// Verify returns the token's identity, from the cache while the token is current.
func (c *CachingVerifier) Verify(token string) (Identity, error) {
	now := c.clock.Now()
	c.mu.Lock()
	e, ok := c.entries[token]
	c.mu.Unlock()
	if ok && now.Before(e.expires.Add(Leeway)) && !now.Before(e.notBefore.Add(-Leeway)) {
		return e.id, nil
	}
	claims, err := c.v.VerifyClaims(token)
	if err != nil {
		return Identity{}, err
	}
	id := claims.Identity()
	c.mu.Lock()
	if len(c.entries) >= c.max {
		for k, old := range c.entries {
			if !now.Before(old.expires) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < c.max*3/4 {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[token] = cachedIdentity{id: id, notBefore: time.Unix(claims.NotBefore, 0), expires: time.Unix(claims.ExpiresAt, 0)}
	c.mu.Unlock()
	return id, nil
}
