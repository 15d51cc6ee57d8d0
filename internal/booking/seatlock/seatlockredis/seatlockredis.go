// Package seatlockredis is a seatlock.Locker in Redis (github.com/redis/go-redis/v9, Redis 6.2
// or later; standalone, Sentinel or Cluster), shared by every process that uses the same Redis
// and key prefix. Each operation on a show is one atomic Lua script; see Locker for the keys.
// It passes the conformance suite in package seatlocktest, like the in-process adapter
// (package seatlockmemory).
package seatlockredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

var _ seatlock.Locker = (*Locker)(nil)

// Locker is a seatlock.Locker in Redis (6.2 or later; standalone, Sentinel or Cluster). Every
// operation on a show is one Lua script (EVALSHA, falling back to EVAL), so it is atomic and one
// round trip.
// All keys of a show share the hash tag {show:<id>} and so live in one Cluster slot:
//
//	<prefix>{show:<id>}:seats   HASH seat → "<hold id>|<expiry ms>|<hold's seat count>|<owner>"
//	<prefix>{show:<id>}:holds   HASH hold id → record (expiry ms, extended, owner, seats, payload);
//	                            "|<owner>" → the owner's hold id
//	<prefix>{show:<id>}:exp     ZSET hold id by expiry
//	<prefix>{show:<id>}:booked  SET booked seats
//	<prefix>holds:due           ZSET "<show>|<hold>" by expiry, the cross-show index of ExpireDue
//
// Every key carries a TTL: the show's hold structures and the due index the latest expiry of
// their members plus one to two graces, the booked set the latest bookedUntil (or the booked
// retention, for Consume). Keys are therefore never left behind, even if ExpireDue never runs.
// The prefix should not contain braces (they would make it the hash tag, putting every show in
// one slot).
type Locker struct {
	client redis.UniversalClient
	prefix string
	opts   seatlock.Options
	// split is set when the show's keys and the due index may be on different servers
	// (Cluster, Ring): Hold then writes the due entry with a script of its own.
	split bool
	pipe  *autoPipe     // holds go through it (on a single server; nil otherwise)
	holds atomic.Uint64 // Hold calls so far; every reapEvery-th also cleans up (see holdScript)
}

// reapEvery is how often a Hold also drops holds that expired more than a grace ago without
// ExpireDue (up to Options.ReapLimit of them): every eighth call, so that the clean-up does not
// cost every hold a sorted-set read.
const reapEvery = 8

// New returns a Locker keeping its keys in client under prefix.
//
// On a single server (a *redis.Client, which includes Sentinel failover clients) Hold writes
// the hold and its due-index entry in one script. Otherwise the due entry is written by a
// second script in the same pipeline, just before the hold, and removed again when the hold is
// refused: a hold is never without its due entry unless the client dies between the two (the
// hold then still expires by itself, only without a seat-map update from ExpireDue). On a single
// server, holds also travel on a connection of the Locker's own that carries concurrent holds
// together (autoPipe); Close closes it.
func New(client redis.UniversalClient, prefix string, opts ...seatlock.Option) *Locker {
	c, single := client.(*redis.Client)
	l := &Locker{client: client, prefix: prefix, opts: seatlock.BuildOptions(opts), split: !single}
	if single {
		l.pipe = newAutoPipe(c.Options())
	}
	return l
}

// Close closes the connection that holds are sent on (see autoPipe); the client is the
// caller's to close.
func (r *Locker) Close() error {
	if r.pipe == nil {
		return nil
	}
	return r.pipe.Close()
}

func (r *Locker) showKeys(showID string) []string {
	base := r.prefix + "{show:" + showID + "}:"
	return []string{base + "seats", base + "holds", base + "exp", base + "booked"}
}

func (r *Locker) dueKey() string { return r.prefix + "holds:due" }

// call is one script invocation.
type call struct {
	script *redis.Script
	keys   []string
	args   []any
	cmd    *redis.Cmd
}

// exec runs calls in one round trip (a pipeline of EVALSHAs when there are several); calls that
// found the script missing from the server's cache are run again with EVAL.
func (r *Locker) exec(ctx context.Context, calls ...*call) {
	if len(calls) == 1 {
		c := calls[0]
		c.cmd = c.script.Run(ctx, r.client, c.keys, c.args...)
		return
	}
	_, _ = r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, c := range calls {
			c.cmd = c.script.EvalSha(ctx, p, c.keys, c.args...)
		}
		return nil
	})
	for _, c := range calls {
		if redis.HasErrorPrefix(c.cmd.Err(), "NOSCRIPT") {
			c.cmd = c.script.Run(ctx, r.client, c.keys, c.args...)
		}
	}
}

// execPiped runs one script call through the autoPipe (exec when there is none), falling back
// to the client when the server lacks the script.
func (r *Locker) execPiped(ctx context.Context, c *call) {
	if r.pipe == nil {
		r.exec(ctx, c)
		return
	}
	args := make([]any, 0, 3+len(c.keys)+len(c.args))
	args = append(args, "EVALSHA", c.script.Hash(), len(c.keys))
	for _, k := range c.keys {
		args = append(args, k)
	}
	args = append(args, c.args...)
	v, err := r.pipe.Do(ctx, args...)
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		c.cmd = c.script.Run(ctx, r.client, c.keys, c.args...)
		return
	}
	c.cmd = redis.NewCmd(ctx)
	if err != nil {
		c.cmd.SetErr(err)
	} else {
		c.cmd.SetVal(v)
	}
}

func storeErr(err error) error {
	return errs.Wrap(err, errs.Unavailable, "seat locker unavailable")
}

func badReply(what string, v any) error {
	return errs.Wrap(fmt.Errorf("unexpected reply %v", v), errs.Internal, "seat locker: %s", what)
}

// reply returns a script's array reply and its leading status string.
func reply(cmd *redis.Cmd) ([]any, string, error) {
	v, err := cmd.Slice()
	if err != nil {
		return nil, "", storeErr(err)
	}
	if len(v) == 0 {
		return nil, "", badReply("empty reply", v)
	}
	s, _ := v[0].(string)
	return v, s, nil
}

// parseRecord decodes "<expMs>|<0|1>|<owner>|<seat,seat…>|<payload>".
func parseRecord(showID, id string, rec any) (seatlock.Hold, error) {
	s, ok := rec.(string)
	parts := strings.SplitN(s, "|", 5)
	if !ok || len(parts) != 5 {
		return seatlock.Hold{}, badReply("hold record", rec)
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return seatlock.Hold{}, badReply("hold expiry", rec)
	}
	h := seatlock.Hold{ID: id, ShowID: showID, OwnerID: parts[2], SeatIDs: strings.Split(parts[3], ","),
		ExpiresAt: fromMS(exp), Extended: parts[1] == "1"}
	if parts[4] != "" {
		h.Payload = []byte(parts[4])
	}
	return h, nil
}

// Hold implements seatlock.Locker.
func (r *Locker) Hold(ctx context.Context, h seatlock.Hold, g seatlock.Guard, now time.Time) (seatlock.HoldResult, error) {
	seats, err := seatlock.CheckHold(h, now)
	if err != nil {
		return seatlock.HoldResult{}, err
	}
	if err := seatlock.CheckGuard(g, seats); err != nil {
		return seatlock.HoldResult{}, err
	}
	t, exp, grace := ms(now), ms(h.ExpiresAt), r.opts.Grace.Milliseconds()
	member := h.ShowID + "|" + h.ID
	args := make([]any, 0, 10+len(seats)+g.Len())
	reap := 0
	if r.holds.Add(1)%reapEvery == 1 {
		reap = r.opts.ReapLimit
	}
	args = append(args, t, h.ID, h.OwnerID, exp, grace, reap, h.Payload, member, len(seats))
	for _, s := range seats {
		args = append(args, s)
	}
	args = append(args, len(g.Free))
	for _, s := range g.Free {
		args = append(args, s)
	}
	for _, s := range g.Taken {
		args = append(args, s)
	}
	hold := &call{script: holdScript, keys: r.showKeys(h.ShowID), args: args}
	var due *call
	if r.split {
		due = &call{script: dueUpdateScript, keys: []string{r.dueKey()}, args: []any{t, grace, "NX", 1, exp, member}}
		r.exec(ctx, due, hold)
	} else {
		hold.keys = append(hold.keys, r.dueKey())
		r.execPiped(ctx, hold)
	}
	v, status, err := reply(hold.cmd)
	if err != nil {
		return seatlock.HoldResult{}, err
	}
	// A refused hold leaves no entry in the due index (best effort: a stale entry is harmless),
	// except when its id is another live hold's: ZADD NX added nothing, and the entry is that hold's.
	if status != "OK" && status != "ID_TAKEN" && due != nil {
		_ = r.client.ZRem(ctx, r.dueKey(), member).Err()
	}
	switch status {
	case "OK":
		if due != nil && due.cmd.Err() != nil {
			// The hold stands but ExpireDue could not find it: try once more, else report the
			// failure (a retry by the same owner replaces the hold).
			if err := dueUpdateScript.Run(ctx, r.client, due.keys, due.args...).Err(); err != nil {
				return seatlock.HoldResult{}, storeErr(err)
			}
		}
		if len(v) < 2 {
			return seatlock.HoldResult{}, badReply("hold", v)
		}
		var res seatlock.HoldResult
		res.Replaced, _ = v[1].(string)
		if len(v) > 2 {
			res.Freed = strs(v[2:])
		}
		return res, nil
	case "BUSY":
		return seatlock.HoldResult{}, seatlock.Unavailable(strs(v[1:]))
	case "STALE":
		states, err := parseStates(v[1:])
		if err != nil {
			return seatlock.HoldResult{}, err
		}
		return seatlock.HoldResult{}, &seatlock.GuardError{States: states}
	case "ID_TAKEN":
		return seatlock.HoldResult{}, errs.E(errs.Conflict, "hold id already in use")
	case "CLAIMED":
		return seatlock.HoldResult{}, seatlock.ErrClaimed()
	}
	return seatlock.HoldResult{}, badReply("hold", v)
}

func strs(v []any) []string {
	out := make([]string, 0, len(v))
	for _, x := range v {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// parseStates decodes the scripts' taken_states: seat, kind ('B' or 'H'), hold id, owner, expiry
// (ms), per taken seat.
func parseStates(v []any) (map[string]seatlock.SeatState, error) {
	if len(v)%5 != 0 {
		return nil, badReply("seat states", v)
	}
	out := make(map[string]seatlock.SeatState, len(v)/5)
	for i := 0; i < len(v); i += 5 {
		seat, _ := v[i].(string)
		kind, _ := v[i+1].(string)
		switch kind {
		case "B":
			out[seat] = seatlock.SeatState{Booked: true}
		case "H":
			id, _ := v[i+2].(string)
			owner, _ := v[i+3].(string)
			exp, ok := v[i+4].(int64)
			if !ok {
				return nil, badReply("seat state expiry", v[i+4])
			}
			out[seat] = seatlock.SeatState{HoldID: id, OwnerID: owner, ExpiresAt: fromMS(exp)}
		default:
			return nil, badReply("seat state", v[i:i+5])
		}
	}
	return out, nil
}

// Peek implements seatlock.Locker: one script reads the seats' entries and booked flags and
// decides liveness as Hold does.
func (r *Locker) Peek(ctx context.Context, showID string, seatIDs []string, now time.Time) (map[string]seatlock.SeatState, error) {
	seats, err := seatlock.CheckSeatList(showID, seatIDs)
	if err != nil {
		return nil, err
	}
	if len(seats) == 0 {
		return map[string]seatlock.SeatState{}, nil
	}
	args := make([]any, 0, 1+len(seats))
	args = append(args, ms(now))
	for _, s := range seats {
		args = append(args, s)
	}
	c := &call{script: peekScript, keys: r.showKeys(showID), args: args}
	r.exec(ctx, c)
	v, err := c.cmd.Slice()
	if err != nil {
		return nil, storeErr(err)
	}
	return parseStates(v)
}

// Get implements seatlock.Locker.
func (r *Locker) Get(ctx context.Context, showID, holdID string, now time.Time) (seatlock.Hold, error) {
	if err := seatlock.CheckShowHold(showID, holdID); err != nil {
		return seatlock.Hold{}, err
	}
	rec, err := getScript.Run(ctx, r.client, r.showKeys(showID), ms(now), holdID).Result()
	if errors.Is(err, redis.Nil) {
		return seatlock.Hold{}, seatlock.HoldNotFound()
	}
	if err != nil {
		return seatlock.Hold{}, storeErr(err)
	}
	return parseRecord(showID, holdID, rec)
}

// Extend implements seatlock.Locker. The due-index entry keeps the old expiry; ExpireDue moves it on
// when it comes due.
func (r *Locker) Extend(ctx context.Context, showID, holdID, ownerID string, newExpiry, now time.Time) (seatlock.Hold, error) {
	if err := seatlock.CheckShowHold(showID, holdID); err != nil {
		return seatlock.Hold{}, err
	}
	if err := seatlock.ValidateID("ownerId", ownerID); err != nil {
		return seatlock.Hold{}, err
	}
	c := &call{script: extendScript, keys: r.showKeys(showID),
		args: []any{ms(now), holdID, ownerID, ms(newExpiry), r.opts.Grace.Milliseconds()}}
	r.exec(ctx, c)
	v, status, err := reply(c.cmd)
	if err != nil {
		return seatlock.Hold{}, err
	}
	switch status {
	case "OK":
		if len(v) == 2 {
			return parseRecord(showID, holdID, v[1])
		}
	case "NOT_FOUND":
		return seatlock.Hold{}, seatlock.HoldNotFound()
	case "EXPIRED":
		return seatlock.Hold{}, errs.E(errs.HoldExpired, "hold expired")
	case "EXTENDED":
		return seatlock.Hold{}, errs.E(errs.Conflict, "hold already extended")
	case "NOT_LATER":
		return seatlock.Hold{}, errs.Invalidf("expiresAt", "the new expiry must be after the current one")
	}
	return seatlock.Hold{}, badReply("extend", v)
}

// Release implements seatlock.Locker.
func (r *Locker) Release(ctx context.Context, showID, holdID, ownerID string, now time.Time) (seatlock.Hold, error) {
	if err := seatlock.CheckShowHold(showID, holdID); err != nil {
		return seatlock.Hold{}, err
	}
	if err := seatlock.ValidateID("ownerId", ownerID); err != nil {
		return seatlock.Hold{}, err
	}
	c := &call{script: releaseScript, keys: r.showKeys(showID), args: []any{ms(now), holdID, ownerID}}
	return r.removeHold(ctx, c, showID, holdID, "release")
}

// Consume implements seatlock.Locker.
func (r *Locker) Consume(ctx context.Context, showID, holdID string, now time.Time) (seatlock.Hold, error) {
	if err := seatlock.CheckShowHold(showID, holdID); err != nil {
		return seatlock.Hold{}, err
	}
	c := &call{script: consumeScript, keys: r.showKeys(showID),
		args: []any{ms(now), holdID, r.opts.BookedFor.Milliseconds()}}
	return r.removeHold(ctx, c, showID, holdID, "consume")
}

func (r *Locker) removeHold(ctx context.Context, c *call, showID, holdID, what string) (seatlock.Hold, error) {
	r.exec(ctx, c)
	v, status, err := reply(c.cmd)
	if err != nil {
		return seatlock.Hold{}, err
	}
	switch {
	case status == "OK" && len(v) == 2:
		return parseRecord(showID, holdID, v[1])
	case status == "NOT_FOUND":
		return seatlock.Hold{}, seatlock.HoldNotFound()
	}
	return seatlock.Hold{}, badReply(what, v)
}

// MarkBooked implements seatlock.Locker.
func (r *Locker) MarkBooked(ctx context.Context, showID string, seatIDs []string, bookedUntil, now time.Time) ([]seatlock.Hold, error) {
	seats, err := seatlock.CheckSeatList(showID, seatIDs)
	if err != nil {
		return nil, err
	}
	t := ms(now)
	if ms(bookedUntil) <= t {
		return nil, errs.Invalidf("bookedUntil", "bookedUntil must be in the future")
	}
	if len(seats) == 0 {
		return nil, nil
	}
	args := make([]any, 0, 2+len(seats))
	args = append(args, t, ms(bookedUntil)-t)
	for _, s := range seats {
		args = append(args, s)
	}
	v, err := markBookedScript.Run(ctx, r.client, r.showKeys(showID), args...).Slice()
	if err != nil {
		return nil, storeErr(err)
	}
	var out []seatlock.Hold
	for i := 0; i+1 < len(v); i += 2 {
		id, _ := v[i].(string)
		h, err := parseRecord(showID, id, v[i+1])
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// Unbook implements seatlock.Locker.
func (r *Locker) Unbook(ctx context.Context, showID string, seatIDs []string) error {
	seats, err := seatlock.CheckSeatList(showID, seatIDs)
	if err != nil {
		return err
	}
	if len(seats) == 0 {
		return nil
	}
	members := make([]any, len(seats))
	for i, s := range seats {
		members[i] = s
	}
	if err := r.client.SRem(ctx, r.showKeys(showID)[3], members...).Err(); err != nil {
		return storeErr(err)
	}
	return nil
}

// Seats implements seatlock.Locker: the seats hash and the booked set are read in one pipeline,
// and liveness is decided here from the entries (see liveSeats). Every hold's liveness comes
// from the one HGETALL; the booked set is read just after it, without MULTI (cheaper, and not
// needed): a seat's state is then what it was at some instant during the read, as good as any
// snapshot that is stale when used. The hold script decides conflicts atomically.
func (r *Locker) Seats(ctx context.Context, showID string, now time.Time) (map[string]seatlock.SeatState, error) {
	if err := seatlock.ValidateID("showId", showID); err != nil {
		return nil, err
	}
	keys := r.showKeys(showID)
	var entries *redis.MapStringStringCmd
	var booked *redis.StringSliceCmd
	if _, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		entries = p.HGetAll(ctx, keys[0])
		booked = p.SMembers(ctx, keys[3])
		return nil
	}); err != nil {
		return nil, storeErr(err)
	}
	live, legacy := liveSeats(entries.Val(), ms(now))
	if legacy {
		return r.legacySeats(ctx, keys, now)
	}
	out := make(map[string]seatlock.SeatState, len(live)+len(booked.Val()))
	for seat, st := range live {
		out[seat] = st
	}
	for _, seat := range booked.Val() {
		out[seat] = seatlock.SeatState{Booked: true}
	}
	return out, nil
}

// legacySeats is Seats for a seats hash that still has bare hold-id entries.
func (r *Locker) legacySeats(ctx context.Context, keys []string, now time.Time) (map[string]seatlock.SeatState, error) {
	v, err := seatsLegacyScript.Run(ctx, r.client, keys, ms(now)).Slice()
	if err != nil {
		return nil, storeErr(err)
	}
	if len(v) != 2 {
		return nil, badReply("seats", v)
	}
	held, _ := v[0].([]any)
	booked, _ := v[1].([]any)
	out := make(map[string]seatlock.SeatState, len(held)/3+len(booked))
	for i := 0; i+2 < len(held); i += 3 {
		seat, _ := held[i].(string)
		id, _ := held[i+1].(string)
		owner, _ := held[i+2].(string)
		out[seat] = seatlock.SeatState{HoldID: id, OwnerID: owner}
	}
	for _, s := range booked {
		seat, _ := s.(string)
		out[seat] = seatlock.SeatState{Booked: true}
	}
	return out, nil
}

// liveSeats decides, from a seats hash (seat → entry), which seats
// belong to a live hold at now (ms): one whose expiry is after now and whose seat count n
// equals the number of entries naming it (fewer when some of its seats were taken after it
// expired). legacy reports an entry without expiry, count and owner: then nothing is decided.
func liveSeats(entries map[string]string, now int64) (live map[string]seatlock.SeatState, legacy bool) {
	type holdInfo struct {
		owner        string
		n, seen, exp int64
	}
	holds := make(map[string]*holdInfo, len(entries)/4+1)
	held := make([]string, 0, 2*len(entries)) // seat, hold id, …
	for seat, e := range entries {
		id, rest, ok1 := strings.Cut(e, "|")
		exps, rest, ok2 := strings.Cut(rest, "|")
		ns, owner, ok3 := strings.Cut(rest, "|")
		if !ok1 || !ok2 || !ok3 {
			return nil, true
		}
		exp, err1 := strconv.ParseInt(exps, 10, 64)
		n, err2 := strconv.ParseInt(ns, 10, 64)
		if err1 != nil || err2 != nil {
			return nil, true
		}
		if exp <= now {
			continue
		}
		h := holds[id]
		if h == nil {
			h = &holdInfo{owner: owner, n: n, exp: exp}
			holds[id] = h
		}
		h.seen++
		held = append(held, seat, id)
	}
	live = make(map[string]seatlock.SeatState, len(held)/2)
	for i := 0; i < len(held); i += 2 {
		id := held[i+1]
		if h := holds[id]; h.seen == h.n {
			live[held[i]] = seatlock.SeatState{HoldID: id, OwnerID: h.owner, ExpiresAt: fromMS(h.exp)}
		}
	}
	return live, false
}

// Counts implements seatlock.Locker: every show's seats hash and booked count in one pipeline,
// liveness decided here as in Seats. A seat booked from a hold between the two reads may be
// counted held and booked for that instant.
func (r *Locker) Counts(ctx context.Context, showIDs []string, now time.Time) (map[string]seatlock.Counts, error) {
	for _, id := range showIDs {
		if err := seatlock.ValidateID("showId", id); err != nil {
			return nil, err
		}
	}
	out := make(map[string]seatlock.Counts, len(showIDs))
	if len(showIDs) == 0 {
		return out, nil
	}
	entries := make([]*redis.MapStringStringCmd, len(showIDs))
	booked := make([]*redis.IntCmd, len(showIDs))
	if _, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range showIDs {
			keys := r.showKeys(id)
			entries[i] = p.HGetAll(ctx, keys[0])
			booked[i] = p.SCard(ctx, keys[3])
		}
		return nil
	}); err != nil {
		return nil, storeErr(err)
	}
	t := ms(now)
	for i, id := range showIDs {
		live, legacy := liveSeats(entries[i].Val(), t)
		if !legacy {
			out[id] = seatlock.Counts{Held: len(live), Booked: int(booked[i].Val())}
			continue
		}
		seats, err := r.legacySeats(ctx, r.showKeys(id), now)
		if err != nil {
			return nil, err
		}
		var c seatlock.Counts
		for _, st := range seats {
			if st.Booked {
				c.Booked++
			} else {
				c.Held++
			}
		}
		out[id] = c
	}
	return out, nil
}

// ExpireDue implements seatlock.Locker. It claims due entries of the cross-show index (one script on the
// index: concurrent callers claim disjoint entries), runs the expiry script of each show
// concerned (all in one pipeline; a hold is removed, and so returned, by exactly one script
// run), then removes the entries it settled and moves those of extended holds to their new
// expiry. Entries whose caller failed midway come due again after the claim lease. On error
// the holds already removed are returned along with it.
func (r *Locker) ExpireDue(ctx context.Context, now time.Time, limit int) ([]seatlock.Hold, error) {
	t, grace, lease := ms(now), r.opts.Grace.Milliseconds(), r.opts.ClaimLease.Milliseconds()
	due := []string{r.dueKey()}
	var out []seatlock.Hold
	for len(out) < limit {
		want := limit - len(out)
		claimed, err := dueClaimScript.Run(ctx, r.client, due, t, want, t+lease, lease+grace, grace).StringSlice()
		if err != nil {
			return out, storeErr(err)
		}
		if len(claimed) == 0 {
			break
		}
		var calls []*call
		var shows []string
		byShow := map[string]*call{}
		var adds, removes []any
		for _, m := range claimed {
			show, hold, ok := strings.Cut(m, "|")
			if !ok || seatlock.ValidateID("showId", show) != nil {
				removes = append(removes, m)
				continue
			}
			c := byShow[show]
			if c == nil {
				c = &call{script: expireScript, keys: r.showKeys(show), args: []any{t}}
				byShow[show] = c
				calls = append(calls, c)
				shows = append(shows, show)
			}
			c.args = append(c.args, hold)
		}
		var firstErr error
		if len(calls) > 0 {
			r.exec(ctx, calls...)
		}
		for i, c := range calls {
			v, err := c.cmd.Slice()
			if err != nil {
				if firstErr == nil {
					firstErr = storeErr(err)
				}
				continue // its entries stay claimed and come due again after the lease
			}
			for j := 0; j+2 < len(v); j += 3 {
				kind, _ := v[j].(string)
				id, _ := v[j+1].(string)
				member := shows[i] + "|" + id
				switch kind {
				case "E":
					h, err := parseRecord(shows[i], id, v[j+2])
					if err != nil {
						if firstErr == nil {
							firstErr = err
						}
					} else {
						out = append(out, h)
					}
					removes = append(removes, member)
				case "L":
					adds = append(adds, v[j+2], member)
				default:
					removes = append(removes, member)
				}
			}
		}
		if len(adds) > 0 || len(removes) > 0 {
			args := append([]any{t, grace, "XX", len(adds) / 2}, adds...)
			args = append(args, removes...)
			if err := dueUpdateScript.Run(ctx, r.client, due, args...).Err(); err != nil && firstErr == nil {
				firstErr = storeErr(err)
			}
		}
		if firstErr != nil {
			return out, firstErr
		}
		if len(claimed) < want {
			break
		}
	}
	return out, nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
