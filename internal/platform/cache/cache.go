// Package cache is a small byte cache with expiry: in-process on embedded defaults, Redis when
// configured, so that several replicas see one cache and one invalidation.
package cache

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cache stores values by key for a while. Errors of a remote cache are reported to the caller's
// logger by the adapter and otherwise treated as misses: a cache is never a reason to fail.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, bool)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration)
	Delete(ctx context.Context, keys ...string)
}

// Memory is an in-process Cache holding at most MaxEntries values.
type Memory struct {
	mu         sync.Mutex
	entries    map[string]memoryEntry
	maxEntries int
	now        func() time.Time
}

type memoryEntry struct {
	value   []byte
	expires time.Time
}

// NewMemory returns an in-process cache of at most maxEntries values.
func NewMemory(maxEntries int) *Memory {
	return &Memory{entries: map[string]memoryEntry{}, maxEntries: maxEntries, now: time.Now}
}

// Get returns a live value.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || !m.now().Before(e.expires) {
		delete(m.entries, key)
		return nil, false
	}
	return e.value, true
}

// Set stores a value; when full, expired entries go first, then arbitrary ones.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= m.maxEntries {
		now := m.now()
		for k, e := range m.entries {
			if !now.Before(e.expires) {
				delete(m.entries, k)
			}
		}
		for k := range m.entries {
			if len(m.entries) < m.maxEntries {
				break
			}
			delete(m.entries, k)
		}
	}
	m.entries[key] = memoryEntry{value: value, expires: m.now().Add(ttl)}
}

// Delete removes keys.
func (m *Memory) Delete(_ context.Context, keys ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.entries, k)
	}
}

// Redis is a Cache in Redis under a key prefix.
type Redis struct {
	client redis.UniversalClient
	prefix string
	onErr  func(error)
}

// NewRedis returns a Redis cache; onErr hears failed calls (nil to ignore them).
func NewRedis(client redis.UniversalClient, prefix string, onErr func(error)) *Redis {
	if onErr == nil {
		onErr = func(error) {}
	}
	return &Redis{client: client, prefix: prefix, onErr: onErr}
}

// Get returns a value.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool) {
	b, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			r.onErr(err)
		}
		return nil, false
	}
	return b, true
}

// Set stores a value with a TTL.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) {
	if err := r.client.Set(ctx, r.prefix+key, value, ttl).Err(); err != nil {
		r.onErr(err)
	}
}

// Delete removes keys.
func (r *Redis) Delete(ctx context.Context, keys ...string) {
	if len(keys) == 0 {
		return
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = r.prefix + k
	}
	// Keys may hash to different cluster slots, so delete them one by one.
	for _, k := range full {
		if err := r.client.Del(ctx, k).Err(); err != nil {
			r.onErr(err)
		}
	}
}
