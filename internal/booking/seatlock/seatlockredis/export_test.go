package seatlockredis

import "github.com/redis/go-redis/v9"

// SplitDueIndex makes r write the due index the way it does on Redis Cluster (a script of its
// own, pipelined with the hold), so that tests on a single server cover that path too.
func SplitDueIndex(r *Locker) *Locker {
	r.split = true
	return r
}

// FreshScripts replaces every script with a copy the Redis script cache cannot know (its source
// ends in a unique comment), so that the first EVALSHA of each fails with NOSCRIPT, as after a
// Redis restart. Call the returned func to put the originals back. Not safe while other tests
// use the locker: call it from a test that is not parallel.
func FreshScripts(tag string) (restore func()) {
	type slot struct {
		p   **redis.Script
		src string
	}
	slots := []slot{{&holdScript, holdLua}, {&getScript, getLua}, {&extendScript, extendLua},
		{&releaseScript, releaseLua}, {&consumeScript, consumeLua}, {&markBookedScript, markBookedLua},
		{&seatsLegacyScript, seatsLegacyLua}, {&expireScript, expireLua},
		{&dueUpdateScript, dueUpdateLua}, {&dueClaimScript, dueClaimLua}}
	old := make([]*redis.Script, len(slots))
	for i, s := range slots {
		old[i] = *s.p
		*s.p = redis.NewScript(s.src + "\n-- " + tag + "\n")
	}
	return func() {
		for i, s := range slots {
			*s.p = old[i]
		}
	}
}
