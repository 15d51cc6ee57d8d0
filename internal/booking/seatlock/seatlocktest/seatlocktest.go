// Package seatlocktest is the conformance suite of seatlock.Locker: every adapter runs it, so
// that the Redis and the in-memory lockers cannot drift apart. Run covers the semantics one call
// at a time and, with hundreds of goroutines, the invariants under contention (no seat held or
// booked twice, every hold accounted for exactly once). BenchHold4Seats is the shared benchmark.
package seatlocktest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Run runs the conformance suite. newLocker is called once per subtest and must return a locker
// that shares no state with the others (for Redis: a fresh key prefix).
func Run(t *testing.T, newLocker func(t *testing.T) seatlock.Locker) {
	t.Run("Semantics", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			f    func(t *testing.T, l seatlock.Locker)
		}{
			{"Validation", testValidation},
			{"HoldGetPayload", testHoldGetPayload},
			{"AllOrNothing", testAllOrNothing},
			{"ReplaceOwnHold", testReplaceOwnHold},
			{"HoldIDInUse", testHoldIDInUse},
			{"ClaimIsNotReplaced", testClaimIsNotReplaced},
			{"OtherOwner", testOtherOwner},
			{"ExtendOnce", testExtendOnce},
			{"LazyExpiry", testLazyExpiry},
			{"PartlyTakenAfterExpiry", testPartlyTakenAfterExpiry},
			{"ExpireDue", testExpireDue},
			{"ExpireDueLimit", testExpireDueLimit},
			{"ExpireDueConcurrent", testExpireDueConcurrent},
			{"Consume", testConsume},
			{"MarkBookedUnbook", testMarkBookedUnbook},
			{"Counts", testCounts},
			{"SeatsMap", testSeatsMap},
			{"Guard", testGuard},
			{"ReplacedSeatsFreed", testReplacedSeatsFreed},
			{"PeekValidation", testPeekValidation},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.f(t, newLocker(t))
			})
		}
	})
	t.Run("Concurrency", func(t *testing.T) {
		t.Run("Contention", func(t *testing.T) { testContention(t, newLocker(t)) })
		t.Run("ExpiryRace", func(t *testing.T) { testExpiryRace(t, newLocker(t)) })
	})
}

// --- helpers ---

func uniq(p string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return p + "-" + hex.EncodeToString(b)
}

// base is a start time for tests that move time by hand: the real time, so that Redis TTLs
// (which are relative) stay sensible, at millisecond precision.
func base() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func wantCode(t *testing.T, err error, code errs.Code, what string) {
	t.Helper()
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func mustHold(t *testing.T, l seatlock.Locker, h seatlock.Hold, now time.Time) string {
	t.Helper()
	replaced, err := l.Hold(context.Background(), h, seatlock.Guard{}, now)
	if err != nil {
		t.Fatalf("hold %s %v: %v", h.ID, h.SeatIDs, err)
	}
	return replaced.Replaced
}

func hold(id, show, owner string, exp time.Time, seats ...string) seatlock.Hold {
	return seatlock.Hold{ID: id, ShowID: show, OwnerID: owner, SeatIDs: seats, ExpiresAt: exp}
}

func seats(ctx context.Context, t *testing.T, l seatlock.Locker, show string, now time.Time) map[string]seatlock.SeatState {
	t.Helper()
	m, err := l.Seats(ctx, show, now)
	if err != nil {
		t.Fatalf("seats: %v", err)
	}
	return m
}

func wantSeats(t *testing.T, l seatlock.Locker, show string, now time.Time, want map[string]seatlock.SeatState) {
	t.Helper()
	ctx := context.Background()
	got := seats(ctx, t, l, show, now)
	if len(got) != len(want) {
		t.Fatalf("seats = %v, want %v", got, want)
	}
	for k, v := range want {
		g := got[k]
		g.ExpiresAt = time.Time{} // checked below
		if g != v {
			t.Fatalf("seats = %v, want %v", got, want)
		}
	}
	// A held seat carries its hold's expiry.
	for seat, st := range got {
		if st.Booked {
			if !st.ExpiresAt.IsZero() {
				t.Fatalf("booked seat %s has an expiry: %v", seat, st)
			}
			continue
		}
		h, err := l.Get(ctx, show, st.HoldID, now)
		if err != nil {
			t.Fatalf("get hold %s of seat %s: %v", st.HoldID, seat, err)
		}
		if !st.ExpiresAt.Equal(h.ExpiresAt) {
			t.Fatalf("seat %s: expiry %v, its hold's %v", seat, st.ExpiresAt, h.ExpiresAt)
		}
	}
	// Peek agrees with Seats on the taken seats and on free ones.
	names := []string{"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "free-seat"}
	for seat := range got {
		if !slices.Contains(names, seat) {
			names = append(names, seat)
		}
	}
	peeked, err := l.Peek(ctx, show, names, now)
	if err != nil {
		t.Fatalf("peek: %v", err)
	}
	if !maps.EqualFunc(peeked, got, sameState) {
		t.Fatalf("peek %v = %v, seats %v", names, peeked, got)
	}
}

func sameState(a, b seatlock.SeatState) bool {
	return a.HoldID == b.HoldID && a.OwnerID == b.OwnerID && a.Booked == b.Booked && a.ExpiresAt.Equal(b.ExpiresAt)
}

func wantCounts(t *testing.T, l seatlock.Locker, now time.Time, want map[string]seatlock.Counts) {
	t.Helper()
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	got, err := l.Counts(context.Background(), ids, now)
	if err != nil {
		t.Fatalf("counts: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("counts = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("counts = %v, want %v", got, want)
		}
	}
}

func sameHold(t *testing.T, got, want seatlock.Hold) {
	t.Helper()
	wantSeats := slices.Clone(want.SeatIDs)
	slices.Sort(wantSeats)
	if got.ID != want.ID || got.ShowID != want.ShowID || got.OwnerID != want.OwnerID ||
		!slices.Equal(got.SeatIDs, wantSeats) || !got.ExpiresAt.Equal(want.ExpiresAt.Truncate(time.Millisecond)) ||
		got.Extended != want.Extended || !bytes.Equal(got.Payload, want.Payload) {
		t.Fatalf("hold = %+v\nwant %+v", brief(got), brief(want))
	}
}

// brief is a hold with its payload shortened, for messages.
func brief(h seatlock.Hold) seatlock.Hold {
	if len(h.Payload) > 16 {
		h.Payload = append(slices.Clone(h.Payload[:16]), "…"...)
	}
	return h
}

func holdIDs(hs []seatlock.Hold) []string {
	ids := make([]string, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	slices.Sort(ids)
	return ids
}

func seatNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i+1)
	}
	return out
}

// --- semantics ---

func testValidation(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	valid := func() seatlock.Hold { return hold(uniq("h"), show, "o1", now.Add(time.Minute), "A1") }
	for name, mutate := range map[string]func(h *seatlock.Hold){
		"no seats":        func(h *seatlock.Hold) { h.SeatIDs = nil },
		"empty seat id":   func(h *seatlock.Hold) { h.SeatIDs = []string{"A1", ""} },
		"duplicate seats": func(h *seatlock.Hold) { h.SeatIDs = []string{"A1", "A2", "A1"} },
		"11 seats":        func(h *seatlock.Hold) { h.SeatIDs = seatNames("B", 11) },
		"expiry now":      func(h *seatlock.Hold) { h.ExpiresAt = now },
		"expiry past":     func(h *seatlock.Hold) { h.ExpiresAt = now.Add(-time.Second) },
		"expiry same ms":  func(h *seatlock.Hold) { h.ExpiresAt = now.Add(500 * time.Microsecond) },
		"no owner":        func(h *seatlock.Hold) { h.OwnerID = "" },
		"no show":         func(h *seatlock.Hold) { h.ShowID = "" },
		"no hold id":      func(h *seatlock.Hold) { h.ID = "" },
		"payload > 16KiB": func(h *seatlock.Hold) { h.Payload = make([]byte, seatlock.MaxPayload+1) },
		"brace in show":   func(h *seatlock.Hold) { h.ShowID = "s{1}" },
		"comma in seat":   func(h *seatlock.Hold) { h.SeatIDs = []string{"A,1"} },
		"pipe in owner":   func(h *seatlock.Hold) { h.OwnerID = "o|1" },
		"newline in id":   func(h *seatlock.Hold) { h.ID = "h\n1" },
		"long seat id":    func(h *seatlock.Hold) { h.SeatIDs = []string{strings.Repeat("x", seatlock.MaxIDLength+1)} },
	} {
		h := valid()
		mutate(&h)
		_, err := l.Hold(ctx, h, seatlock.Guard{}, now)
		wantCode(t, err, errs.Invalid, name)
	}
	wantSeats(t, l, show, now, nil)

	// The limits themselves are fine.
	h := valid()
	h.SeatIDs = seatNames("C", seatlock.MaxSeatsPerHold)
	h.Payload = bytes.Repeat([]byte{'|'}, seatlock.MaxPayload)
	mustHold(t, l, h, now)

	_, err := l.Extend(ctx, show, h.ID, "o1", h.ExpiresAt, now)
	wantCode(t, err, errs.Invalid, "extend to the same expiry")
	_, err = l.Extend(ctx, show, h.ID, "o1", now.Add(-time.Minute), now)
	wantCode(t, err, errs.Invalid, "extend into the past")
	_, err = l.MarkBooked(ctx, show, []string{"D1"}, now, now)
	wantCode(t, err, errs.Invalid, "mark booked until now")
	_, err = l.MarkBooked(ctx, show, []string{"D1", ""}, now.Add(time.Hour), now)
	wantCode(t, err, errs.Invalid, "mark booked an empty seat id")
	wantCode(t, l.Unbook(ctx, show, []string{"a|b"}), errs.Invalid, "unbook a bad seat id")
	_, err = l.Get(ctx, "", h.ID, now)
	wantCode(t, err, errs.Invalid, "get without show")
	_, err = l.Seats(ctx, "", now)
	wantCode(t, err, errs.Invalid, "seats without show")
	_, err = l.Counts(ctx, []string{show, ""}, now)
	wantCode(t, err, errs.Invalid, "counts with an empty show id")
	released, err := l.MarkBooked(ctx, show, nil, now.Add(time.Hour), now)
	if err != nil || len(released) != 0 {
		t.Fatalf("mark booked no seats = %v, %v", released, err)
	}
}

func testHoldGetPayload(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	payload := make([]byte, seatlock.MaxPayload)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	copy(payload, "|0|x|A1,A2|\x00{}")
	h := hold("h1", show, "o1", now.Add(90*time.Second+123456*time.Nanosecond), "B2", "A1", "A10")
	h.Payload = payload
	if r := mustHold(t, l, h, now); r != "" {
		t.Fatalf("replaced = %q for a first hold", r)
	}
	got, err := l.Get(ctx, show, "h1", now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	sameHold(t, got, h)
	if !slices.Equal(got.SeatIDs, []string{"A1", "A10", "B2"}) {
		t.Fatalf("seats %v are not sorted", got.SeatIDs)
	}
	if got.ExpiresAt.Location() != time.UTC {
		t.Fatalf("expiry %v is not UTC", got.ExpiresAt)
	}
	// The locker keeps its own copy.
	payload[0] = 'X'
	got2, _ := l.Get(ctx, show, "h1", now)
	if got2.Payload[0] != '|' {
		t.Fatal("the locker shares the caller's payload")
	}

	h2 := hold("h2", show, "o2", now.Add(time.Minute), "C1")
	mustHold(t, l, h2, now)
	got, err = l.Get(ctx, show, "h2", now)
	if err != nil || len(got.Payload) != 0 {
		t.Fatalf("empty payload: %+v, %v", got, err)
	}
	_, err = l.Get(ctx, uniq("other-show"), "h1", now)
	wantCode(t, err, errs.NotFound, "get from another show")
	_, err = l.Get(ctx, show, "nope", now)
	wantCode(t, err, errs.NotFound, "get unknown")
}

func testAllOrNothing(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	exp := now.Add(time.Minute)
	mustHold(t, l, hold("hA", show, "A", exp, "S1", "S2"), now)
	_, err := l.Hold(ctx, hold("hB", show, "B", exp, "S4", "S2", "S3", "S1"), seatlock.Guard{}, now)
	wantCode(t, err, errs.SeatUnavailable, "hold over taken seats")
	if d := errs.As(err).Details["seats"]; d != "S1,S2" {
		t.Fatalf("unavailable seats = %q, want S1,S2", d)
	}
	wantSeats(t, l, show, now, map[string]seatlock.SeatState{
		"S1": {HoldID: "hA", OwnerID: "A"}, "S2": {HoldID: "hA", OwnerID: "A"}})
	_, err = l.Get(ctx, show, "hB", now)
	wantCode(t, err, errs.NotFound, "get a refused hold")

	mustHold(t, l, hold("hB2", show, "B", exp, "S3", "S4"), now)
	if _, err := l.MarkBooked(ctx, show, []string{"S5"}, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	_, err = l.Hold(ctx, hold("hC", show, "C", exp, "S6", "S5", "S3"), seatlock.Guard{}, now)
	wantCode(t, err, errs.SeatUnavailable, "hold over held and booked seats")
	if d := errs.As(err).Details["seats"]; d != "S3,S5" {
		t.Fatalf("unavailable seats = %q, want S3,S5", d)
	}
	wantSeats(t, l, show, now, map[string]seatlock.SeatState{
		"S1": {HoldID: "hA", OwnerID: "A"}, "S2": {HoldID: "hA", OwnerID: "A"},
		"S3": {HoldID: "hB2", OwnerID: "B"}, "S4": {HoldID: "hB2", OwnerID: "B"}, "S5": {Booked: true}})
	wantCounts(t, l, now, map[string]seatlock.Counts{show: {Held: 4, Booked: 1}})
}

func testReplaceOwnHold(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show, show2 := uniq("show"), uniq("show")
	exp := now.Add(time.Minute)
	mustHold(t, l, hold("h1", show, "A", exp, "S1", "S2"), now)
	if r := mustHold(t, l, hold("h2", show, "A", exp, "S2", "S3"), now); r != "h1" {
		t.Fatalf("replaced = %q, want h1", r)
	}
	_, err := l.Get(ctx, show, "h1", now)
	wantCode(t, err, errs.NotFound, "get the replaced hold")
	_, err = l.Release(ctx, show, "h1", "A", now)
	wantCode(t, err, errs.NotFound, "release the replaced hold")
	wantSeats(t, l, show, now, map[string]seatlock.SeatState{
		"S2": {HoldID: "h2", OwnerID: "A"}, "S3": {HoldID: "h2", OwnerID: "A"}})
	mustHold(t, l, hold("hB", show, "B", exp, "S1"), now) // S1 is free again

	// A refused replacement leaves the old hold as it was.
	_, err = l.Hold(ctx, hold("h3", show, "A", exp, "S3", "S1"), seatlock.Guard{}, now)
	wantCode(t, err, errs.SeatUnavailable, "replacement over another owner's seat")
	if d := errs.As(err).Details["seats"]; d != "S1" {
		t.Fatalf("unavailable seats = %q, want S1 (the own hold's S3 is free)", d)
	}
	if _, err := l.Get(ctx, show, "h2", now); err != nil {
		t.Fatalf("the old hold is gone after a refused replacement: %v", err)
	}
	wantCounts(t, l, now, map[string]seatlock.Counts{show: {Held: 3}})

	// One hold per owner per show: other shows are separate.
	if r := mustHold(t, l, hold("h4", show2, "A", exp, "S1"), now); r != "" {
		t.Fatalf("replaced = %q across shows", r)
	}
	if _, err := l.Get(ctx, show, "h2", now); err != nil {
		t.Fatalf("a hold on another show replaced h2: %v", err)
	}

	// An expired hold is not replaced (it is already gone).
	later := exp.Add(time.Second)
	if r := mustHold(t, l, hold("h5", show, "A", later.Add(time.Minute), "S2"), later); r != "" {
		t.Fatalf("replaced = %q, want none for an expired hold", r)
	}
	_, err = l.Get(ctx, show, "h2", later)
	wantCode(t, err, errs.NotFound, "get the expired hold")
	wantSeats(t, l, show, later, map[string]seatlock.SeatState{"S2": {HoldID: "h5", OwnerID: "A"}})
}

func testHoldIDInUse(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	mustHold(t, l, hold("h1", show, "A", now.Add(time.Minute), "S1"), now)
	_, err := l.Hold(ctx, hold("h1", show, "B", now.Add(time.Minute), "S2"), seatlock.Guard{}, now)
	wantCode(t, err, errs.Conflict, "hold with an id in use")
	_, err = l.Hold(ctx, hold("h1", show, "A", now.Add(time.Minute), "S3"), seatlock.Guard{}, now)
	wantCode(t, err, errs.Conflict, "the owner reusing its hold id")
	wantSeats(t, l, show, now, map[string]seatlock.SeatState{"S1": {HoldID: "h1", OwnerID: "A"}})
	// The refusals left the live hold's place in the expiry index alone.
	got, err := l.ExpireDue(ctx, now.Add(2*time.Minute), 100)
	if ids := holdIDs(got); err != nil || !slices.Equal(ids, []string{"h1"}) {
		t.Fatalf("expired %v, %v; want [h1]", ids, err)
	}
}

// testClaimIsNotReplaced: a claim replaces its owner's hold like any hold, but the owner's next
// hold does not replace the claim while it lives.
func testClaimIsNotReplaced(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	claim := seatlock.ClaimPrefix + "b1"
	mustHold(t, l, hold("h1", show, "A", now.Add(time.Minute), "S1", "S2"), now)
	res, err := l.Hold(ctx, hold(claim, show, "A", now.Add(time.Minute), "S1", "S2"), seatlock.Guard{}, now)
	if err != nil || res.Replaced != "h1" {
		t.Fatalf("claim: %+v, %v; want h1 replaced", res, err)
	}
	_, err = l.Hold(ctx, hold("h2", show, "A", now.Add(time.Minute), "S5"), seatlock.Guard{}, now)
	wantCode(t, err, errs.Conflict, "the owner's hold while its claim lives")
	wantSeats(t, l, show, now, map[string]seatlock.SeatState{"S1": {HoldID: claim, OwnerID: "A"}, "S2": {HoldID: claim, OwnerID: "A"}})
	// Others hold as ever; once the claim has expired, so does its owner.
	mustHold(t, l, hold("h3", show, "B", now.Add(time.Minute), "S6"), now)
	later := now.Add(time.Minute + time.Second)
	mustHold(t, l, hold("h4", show, "A", later.Add(time.Minute), "S1"), later)
}

func testOtherOwner(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	h := hold("h1", show, "A", now.Add(time.Minute), "S1")
	mustHold(t, l, h, now)
	_, errUnknown := l.Extend(ctx, show, "nope", "A", now.Add(time.Hour), now)
	wantCode(t, errUnknown, errs.NotFound, "extend unknown")
	_, err := l.Extend(ctx, show, "h1", "B", now.Add(time.Hour), now)
	wantCode(t, err, errs.NotFound, "extend someone else's")
	if errs.PublicMessage(err) != errs.PublicMessage(errUnknown) {
		t.Fatalf("someone else's hold (%q) is told apart from an unknown one (%q)", err, errUnknown)
	}
	_, err = l.Release(ctx, show, "h1", "B", now)
	wantCode(t, err, errs.NotFound, "release someone else's")
	_, errUnknown = l.Release(ctx, show, "nope", "A", now)
	wantCode(t, errUnknown, errs.NotFound, "release unknown")
	if errs.PublicMessage(err) != errs.PublicMessage(errUnknown) {
		t.Fatalf("someone else's hold (%q) is told apart from an unknown one (%q)", err, errUnknown)
	}
	_, err = l.Consume(ctx, show, "nope", now)
	wantCode(t, err, errs.NotFound, "consume unknown")
	got, err := l.Get(ctx, show, "h1", now)
	if err != nil {
		t.Fatal(err)
	}
	sameHold(t, got, h) // untouched: not extended, not released
	rel, err := l.Release(ctx, show, "h1", "A", now)
	if err != nil {
		t.Fatal(err)
	}
	sameHold(t, rel, h)
	wantSeats(t, l, show, now, nil)
	_, err = l.Release(ctx, show, "h1", "A", now)
	wantCode(t, err, errs.NotFound, "release twice")
}

func testExtendOnce(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	h := hold("h1", show, "A", now.Add(5*time.Minute), "S1", "S2")
	h.Payload = []byte("quote")
	mustHold(t, l, h, now)
	got, err := l.Extend(ctx, show, "h1", "A", now.Add(10*time.Minute), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := h
	want.ExpiresAt, want.Extended = now.Add(10*time.Minute), true
	sameHold(t, got, want)
	got, err = l.Get(ctx, show, "h1", now.Add(7*time.Minute)) // past the old expiry
	if err != nil {
		t.Fatal(err)
	}
	sameHold(t, got, want)
	wantSeats(t, l, show, now.Add(7*time.Minute), map[string]seatlock.SeatState{
		"S1": {HoldID: "h1", OwnerID: "A"}, "S2": {HoldID: "h1", OwnerID: "A"}})
	wantCounts(t, l, now.Add(7*time.Minute), map[string]seatlock.Counts{show: {Held: 2}})
	_, err = l.Hold(ctx, hold("hX", show, "X", now.Add(time.Hour), "S2"), seatlock.Guard{}, now.Add(7*time.Minute))
	wantCode(t, err, errs.SeatUnavailable, "hold a seat of an extended hold past its old expiry")
	_, err = l.Extend(ctx, show, "h1", "A", now.Add(20*time.Minute), now.Add(2*time.Minute))
	wantCode(t, err, errs.Conflict, "extend twice")
	_, err = l.Get(ctx, show, "h1", now.Add(10*time.Minute))
	wantCode(t, err, errs.NotFound, "get at the new expiry")

	mustHold(t, l, hold("h2", show, "B", now.Add(5*time.Minute), "S3"), now)
	_, err = l.Extend(ctx, show, "h2", "B", now.Add(20*time.Minute), now.Add(5*time.Minute))
	wantCode(t, err, errs.HoldExpired, "extend at expiry")
	_, err = l.Extend(ctx, show, "h2", "C", now.Add(20*time.Minute), now.Add(6*time.Minute))
	wantCode(t, err, errs.NotFound, "extend someone else's expired hold")
	_, err = l.Extend(ctx, uniq("show"), "h1", "A", now.Add(20*time.Minute), now)
	wantCode(t, err, errs.NotFound, "extend on the wrong show")
}

func testLazyExpiry(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	mustHold(t, l, hold("h1", show, "A", now.Add(time.Minute), "S1", "S2"), now)
	mustHold(t, l, hold("h2", show, "B", now.Add(10*time.Minute), "S3"), now)
	wantCounts(t, l, now, map[string]seatlock.Counts{show: {Held: 3}})

	at := now.Add(time.Minute) // expiry is exclusive: at ExpiresAt the hold is gone
	wantSeats(t, l, show, at, map[string]seatlock.SeatState{"S3": {HoldID: "h2", OwnerID: "B"}})
	wantCounts(t, l, at, map[string]seatlock.Counts{show: {Held: 1}})
	_, err := l.Get(ctx, show, "h1", at)
	wantCode(t, err, errs.NotFound, "get expired")
	_, err = l.Release(ctx, show, "h1", "A", at)
	wantCode(t, err, errs.NotFound, "release expired")
	_, err = l.Consume(ctx, show, "h1", at)
	wantCode(t, err, errs.NotFound, "consume expired")
	_, err = l.Extend(ctx, show, "h1", "A", at.Add(time.Hour), at)
	wantCode(t, err, errs.HoldExpired, "extend expired")
	wantSeats(t, l, show, at, map[string]seatlock.SeatState{"S3": {HoldID: "h2", OwnerID: "B"}})

	// Someone else takes the seats; the owner's next hold replaces nothing.
	mustHold(t, l, hold("h3", show, "C", at.Add(time.Minute), "S1", "S2"), at)
	if r := mustHold(t, l, hold("h4", show, "A", at.Add(time.Minute), "S4"), at); r != "" {
		t.Fatalf("replaced = %q, want none", r)
	}
	wantCounts(t, l, at, map[string]seatlock.Counts{show: {Held: 4}})
	// Going back in time does not revive h1: its seats belong to h3 now.
	_, err = l.Get(ctx, show, "h1", now)
	wantCode(t, err, errs.NotFound, "get a hold whose seats were taken after it expired")
}

// testPartlyTakenAfterExpiry: once one seat of an expired hold is taken, the hold stays dead
// for every view, even at a time before its expiry (a caller whose clock lags behind).
func testPartlyTakenAfterExpiry(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	mustHold(t, l, hold("h1", show, "A", now.Add(time.Minute), "S1", "S2", "S3"), now)
	at := now.Add(time.Minute)
	mustHold(t, l, hold("h2", show, "B", at.Add(time.Minute), "S1"), at)

	lag := now.Add(30 * time.Second) // before h1's expiry
	wantSeats(t, l, show, lag, map[string]seatlock.SeatState{"S1": {HoldID: "h2", OwnerID: "B"}})
	wantCounts(t, l, lag, map[string]seatlock.Counts{show: {Held: 1}})
	_, err := l.Get(ctx, show, "h1", lag)
	wantCode(t, err, errs.NotFound, "get a partly taken hold")
	_, err = l.Extend(ctx, show, "h1", "A", at.Add(time.Hour), lag)
	wantCode(t, err, errs.HoldExpired, "extend a partly taken hold")
	// Its other seats are free, and its owner's next hold replaces nothing.
	mustHold(t, l, hold("h3", show, "C", at.Add(time.Minute), "S2"), lag)
	if r := mustHold(t, l, hold("h4", show, "A", at.Add(time.Minute), "S3"), lag); r != "" {
		t.Fatalf("replaced = %q, want none", r)
	}
	wantSeats(t, l, show, lag, map[string]seatlock.SeatState{"S1": {HoldID: "h2", OwnerID: "B"},
		"S2": {HoldID: "h3", OwnerID: "C"}, "S3": {HoldID: "h4", OwnerID: "A"}})
	wantCounts(t, l, lag, map[string]seatlock.Counts{show: {Held: 3}})
}

func testExpireDue(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	x, y := uniq("show"), uniq("show")
	a := hold("a", x, "A", now.Add(time.Minute), "S1", "S2")
	a.Payload = []byte("quote-a")
	b := hold("b", y, "B", now.Add(2*time.Minute), "S1")
	c := hold("c", x, "C", now.Add(10*time.Minute), "S3")
	d := hold("d", x, "D", now.Add(time.Minute), "S4")
	e := hold("e", y, "E", now.Add(time.Minute), "S2")
	e2 := hold("e2", y, "E", now.Add(10*time.Minute), "S3")
	f := hold("f", x, "F", now.Add(time.Minute), "S5")
	for _, h := range []seatlock.Hold{a, b, c, d, e, e2, f} {
		mustHold(t, l, h, now)
	}
	if _, err := l.Release(ctx, x, "d", "D", now); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Extend(ctx, x, "f", "F", now.Add(20*time.Minute), now); err != nil {
		t.Fatal(err)
	}
	if got, err := l.ExpireDue(ctx, now.Add(30*time.Second), 100); err != nil || len(got) != 0 {
		t.Fatalf("expire before anything is due = %v, %v", holdIDs(got), err)
	}

	got, err := l.ExpireDue(ctx, now.Add(3*time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	if ids := holdIDs(got); !slices.Equal(ids, []string{"a", "b"}) {
		t.Fatalf("expired %v, want [a b]", ids)
	}
	for _, h := range got {
		if h.ID == "a" {
			sameHold(t, h, a)
		} else {
			sameHold(t, h, b)
		}
	}
	if got, err := l.ExpireDue(ctx, now.Add(3*time.Minute), 100); err != nil || len(got) != 0 {
		t.Fatalf("second expire = %v, %v", holdIDs(got), err)
	}
	for _, h := range []seatlock.Hold{c, f} {
		if _, err := l.Get(ctx, h.ShowID, h.ID, now.Add(3*time.Minute)); err != nil {
			t.Fatalf("live hold %s: %v", h.ID, err)
		}
	}
	_, err = l.Get(ctx, x, "a", now)
	wantCode(t, err, errs.NotFound, "get an expired hold after ExpireDue, even at an earlier time")
	wantSeats(t, l, x, now.Add(3*time.Minute), map[string]seatlock.SeatState{
		"S3": {HoldID: "c", OwnerID: "C"}, "S5": {HoldID: "f", OwnerID: "F"}})

	got, err = l.ExpireDue(ctx, now.Add(15*time.Minute), 100)
	if ids := holdIDs(got); err != nil || !slices.Equal(ids, []string{"c", "e2"}) {
		t.Fatalf("expired %v, %v, want [c e2]", ids, err)
	}
	got, err = l.ExpireDue(ctx, now.Add(25*time.Minute), 100)
	if ids := holdIDs(got); err != nil || !slices.Equal(ids, []string{"f"}) {
		t.Fatalf("expired %v, %v, want [f]", ids, err)
	}
	if !got[0].Extended || !got[0].ExpiresAt.Equal(now.Add(20*time.Minute)) {
		t.Fatalf("the extended hold came back as %+v", got[0])
	}
	if got, err := l.ExpireDue(ctx, now.Add(time.Hour), 100); err != nil || len(got) != 0 {
		t.Fatalf("expire with nothing left = %v, %v", holdIDs(got), err)
	}
	wantCounts(t, l, now.Add(time.Hour), map[string]seatlock.Counts{x: {}, y: {}})
}

func testExpireDueLimit(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	var want []string
	for i := range 5 {
		show := uniq("show")
		id := fmt.Sprintf("h%d", i)
		want = append(want, id)
		mustHold(t, l, hold(id, show, "A", now.Add(time.Minute+time.Duration(i)*time.Millisecond), "S1"), now)
	}
	var all []seatlock.Hold
	for _, n := range []int{2, 2, 1, 0} {
		got, err := l.ExpireDue(ctx, now.Add(2*time.Minute), 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("expired %d holds, want %d", len(got), n)
		}
		all = append(all, got...)
	}
	if ids := holdIDs(all); !slices.Equal(ids, want) {
		t.Fatalf("expired %v, want %v", ids, want)
	}
}

func testExpireDueConcurrent(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	const shows, perShow = 6, 10
	for s := range shows {
		show := uniq("show")
		for i := range perShow {
			id := fmt.Sprintf("h-%d-%d", s, i)
			mustHold(t, l, hold(id, show, id, now.Add(time.Minute), fmt.Sprintf("S%d", i)), now)
		}
	}
	results := make(chan []seatlock.Hold, 1000)
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				got, err := l.ExpireDue(ctx, now.Add(2*time.Minute), 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				results <- got
			}
		}()
	}
	for range 8 {
		<-done
	}
	close(results)
	seen := map[string]int{}
	for got := range results {
		for _, h := range got {
			seen[h.ID]++
		}
	}
	if len(seen) != shows*perShow {
		t.Fatalf("%d holds expired, want %d", len(seen), shows*perShow)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("hold %s returned %d times", id, n)
		}
	}
}

func testConsume(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	h := hold("h1", show, "A", now.Add(time.Minute), "S1", "S2")
	h.Payload = []byte("quote-1")
	mustHold(t, l, h, now)
	got, err := l.Consume(ctx, show, "h1", now)
	if err != nil {
		t.Fatal(err)
	}
	sameHold(t, got, h)
	wantSeats(t, l, show, now, map[string]seatlock.SeatState{"S1": {Booked: true}, "S2": {Booked: true}})
	_, err = l.Get(ctx, show, "h1", now)
	wantCode(t, err, errs.NotFound, "get consumed")
	_, err = l.Consume(ctx, show, "h1", now)
	wantCode(t, err, errs.NotFound, "consume twice")
	_, err = l.Release(ctx, show, "h1", "A", now)
	wantCode(t, err, errs.NotFound, "release consumed")
	wantCounts(t, l, now, map[string]seatlock.Counts{show: {Booked: 2}})

	_, err = l.Hold(ctx, hold("h2", show, "B", now.Add(time.Minute), "S2", "S3"), seatlock.Guard{}, now)
	wantCode(t, err, errs.SeatUnavailable, "hold a booked seat")
	if d := errs.As(err).Details["seats"]; d != "S2" {
		t.Fatalf("unavailable seats = %q, want S2", d)
	}
	// Booked marks outlive any time the test moves to.
	_, err = l.Hold(ctx, hold("h2", show, "A", now.Add(2*time.Hour), "S1"), seatlock.Guard{}, now.Add(time.Hour))
	wantCode(t, err, errs.SeatUnavailable, "hold a booked seat later")

	mustHold(t, l, hold("h3", show, "B", now.Add(time.Minute), "S5"), now)
	_, err = l.Consume(ctx, show, "h3", now.Add(time.Minute))
	wantCode(t, err, errs.NotFound, "consume at expiry")
	wantSeats(t, l, show, now.Add(time.Minute), map[string]seatlock.SeatState{"S1": {Booked: true}, "S2": {Booked: true}})
	wantCounts(t, l, now.Add(time.Minute), map[string]seatlock.Counts{show: {Booked: 2}})
	if got, err := l.ExpireDue(ctx, now.Add(time.Minute), 10); err != nil || len(got) != 1 || got[0].ID != "h3" {
		t.Fatalf("expire after a failed consume = %v, %v; want [h3]", holdIDs(got), err)
	}
}

func testMarkBookedUnbook(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	until := now.Add(3 * time.Hour)
	a := hold("hA", show, "A", now.Add(time.Minute), "S1", "S2")
	a.Payload = []byte("qa")
	mustHold(t, l, a, now)
	mustHold(t, l, hold("hB", show, "B", now.Add(time.Minute), "S5"), now)
	c := hold("hC", show, "C", now.Add(time.Minute), "S6")
	mustHold(t, l, c, now)
	released, err := l.MarkBooked(ctx, show, []string{"S3", "S2", "S6", "S3"}, until, now)
	if err != nil {
		t.Fatal(err)
	}
	if ids := holdIDs(released); !slices.Equal(ids, []string{"hA", "hC"}) {
		t.Fatalf("released %v, want [hA hC]", ids)
	}
	for _, h := range released {
		if h.ID == "hA" {
			sameHold(t, h, a)
		} else {
			sameHold(t, h, c)
		}
	}
	booked := seatlock.SeatState{Booked: true}
	wantSeats(t, l, show, now, map[string]seatlock.SeatState{
		"S2": booked, "S3": booked, "S6": booked, "S5": {HoldID: "hB", OwnerID: "B"}})
	_, err = l.Get(ctx, show, "hA", now)
	wantCode(t, err, errs.NotFound, "get a hold released by MarkBooked")
	_, err = l.Hold(ctx, hold("hD", show, "D", now.Add(time.Minute), "S1", "S3"), seatlock.Guard{}, now)
	wantCode(t, err, errs.SeatUnavailable, "hold a marked seat")
	if d := errs.As(err).Details["seats"]; d != "S3" {
		t.Fatalf("unavailable seats = %q, want S3", d)
	}
	if released, err := l.MarkBooked(ctx, show, []string{"S2", "S3"}, until, now); err != nil || len(released) != 0 {
		t.Fatalf("marking again = %v, %v", holdIDs(released), err)
	}

	// A seat of an expired hold is just marked; ExpireDue still reports that hold.
	mustHold(t, l, hold("hE", show, "E", now.Add(time.Minute), "S7", "S8"), now)
	later := now.Add(2 * time.Minute)
	if released, err := l.MarkBooked(ctx, show, []string{"S7"}, until, later); err != nil || len(released) != 0 {
		t.Fatalf("marking an expired hold's seat = %v, %v", holdIDs(released), err)
	}
	wantSeats(t, l, show, later, map[string]seatlock.SeatState{
		"S2": booked, "S3": booked, "S6": booked, "S7": booked})
	got, err := l.ExpireDue(ctx, later, 10)
	if ids := holdIDs(got); err != nil || !slices.Equal(ids, []string{"hB", "hE"}) {
		t.Fatalf("expired %v, %v; want [hB hE]", ids, err)
	}
	wantCounts(t, l, later, map[string]seatlock.Counts{show: {Booked: 4}})

	if err := l.Unbook(ctx, show, []string{"S2", "S3", "S7", "S9"}); err != nil {
		t.Fatal(err)
	}
	wantSeats(t, l, show, later, map[string]seatlock.SeatState{"S6": booked})
	mustHold(t, l, hold("hF", show, "F", later.Add(time.Minute), "S2", "S3", "S7"), later)
	wantCounts(t, l, later, map[string]seatlock.Counts{show: {Held: 3, Booked: 1}})
	if err := l.Unbook(ctx, uniq("show"), []string{"S1"}); err != nil {
		t.Fatalf("unbook on an unknown show: %v", err)
	}
}

func testCounts(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	s1, s2, s3 := uniq("show"), uniq("show"), uniq("show")
	mustHold(t, l, hold("a", s1, "A", now.Add(time.Minute), "S1", "S2", "S3"), now)
	mustHold(t, l, hold("b", s1, "B", now.Add(time.Minute), "S4", "S5"), now)
	if _, err := l.MarkBooked(ctx, s1, []string{"S6", "S7", "S8", "S9"}, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	mustHold(t, l, hold("c", s2, "C", now.Add(time.Minute), "S1"), now)
	mustHold(t, l, hold("d", s2, "D", now.Add(10*time.Minute), "S2", "S3"), now)
	wantCounts(t, l, now, map[string]seatlock.Counts{s1: {Held: 5, Booked: 4}, s2: {Held: 3}, s3: {}})
	wantCounts(t, l, now.Add(2*time.Minute), map[string]seatlock.Counts{s1: {Booked: 4}, s2: {Held: 2}, s3: {}})
	if _, err := l.Consume(ctx, s2, "d", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, l, now.Add(2*time.Minute), map[string]seatlock.Counts{s1: {Booked: 4}, s2: {Booked: 2}})
	got, err := l.Counts(ctx, nil, now)
	if err != nil || len(got) != 0 {
		t.Fatalf("counts of no shows = %v, %v", got, err)
	}
}

func testSeatsMap(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	show := uniq("show")
	wantSeats(t, l, show, now, nil)
	mustHold(t, l, hold("h1", show, "A", now.Add(time.Minute), "S1", "S2"), now)
	mustHold(t, l, hold("h2", show, "B", now.Add(2*time.Minute), "S3"), now)
	if _, err := l.MarkBooked(ctx, show, []string{"S4"}, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	wantSeats(t, l, show, now, map[string]seatlock.SeatState{
		"S1": {HoldID: "h1", OwnerID: "A"}, "S2": {HoldID: "h1", OwnerID: "A"},
		"S3": {HoldID: "h2", OwnerID: "B"}, "S4": {Booked: true}})
	wantSeats(t, l, show, now.Add(90*time.Second), map[string]seatlock.SeatState{
		"S3": {HoldID: "h2", OwnerID: "B"}, "S4": {Booked: true}})
	wantSeats(t, l, uniq("show"), now, nil)
}

// testGuard: a hold is made only when the guarded seats are as the guard says, checked in the
// same atomic step; otherwise nothing changes and the error carries the guarded seats' states.
func testGuard(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	exp := now.Add(time.Minute)
	show := uniq("show")
	mustHold(t, l, hold("hB", show, "B", exp, "S4"), now)
	mustHold(t, l, hold("hA", show, "A", exp, "S6"), now)
	if _, err := l.MarkBooked(ctx, show, []string{"S8"}, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	mustHold(t, l, hold("hE", show, "E", now.Add(time.Second), "S9"), now)
	later := now.Add(2 * time.Second) // hE has expired: S9 is free

	// Right about every guarded seat: the hold is made. The owner's own hold (hA on S6) counts
	// as free, since the new hold replaces it.
	g := seatlock.Guard{Free: []string{"S3", "S5", "S6", "S9"}, Taken: []string{"S4", "S8"}}
	res, err := l.Hold(ctx, hold("hA2", show, "A", exp, "S1", "S2"), g, later)
	if err != nil {
		t.Fatalf("hold with a true guard: %v", err)
	}
	if res.Replaced != "hA" || !slices.Equal(res.Freed, []string{"S6"}) {
		t.Fatalf("hold with a true guard: result %+v, want hA replaced and S6 freed", res)
	}

	// Wrong about one seat in either direction: nothing is held, and the error tells the
	// states of the guarded seats that are taken.
	for name, g := range map[string]seatlock.Guard{
		"a held seat said free":    {Free: []string{"S3", "S4"}, Taken: []string{"S8"}},
		"a booked seat said free":  {Free: []string{"S8"}},
		"a free seat said taken":   {Free: []string{"S4"}, Taken: []string{"S3"}},
		"an expired seat taken":    {Taken: []string{"S9", "S4"}},
		"an own seat said taken":   {Taken: []string{"S1"}},
		"a released seat as taken": {Taken: []string{"S6"}},
	} {
		_, err := l.Hold(ctx, hold("hC", show, "A", exp, "S7"), g, later)
		var ge *seatlock.GuardError
		if !errors.As(err, &ge) {
			t.Fatalf("%s: got %v, want a guard error", name, err)
		}
		want := map[string]seatlock.SeatState{}
		for _, seat := range append(slices.Clone(g.Free), g.Taken...) {
			if st, ok := stateOf(t, l, show, seat, later); ok {
				want[seat] = st
			}
		}
		if !maps.EqualFunc(ge.States, want, sameState) {
			t.Fatalf("%s: guard error states %v, want %v", name, ge.States, want)
		}
	}
	wantSeats(t, l, show, later, map[string]seatlock.SeatState{
		"S1": {HoldID: "hA2", OwnerID: "A"}, "S2": {HoldID: "hA2", OwnerID: "A"},
		"S4": {HoldID: "hB", OwnerID: "B"}, "S8": {Booked: true},
	})

	// Unavailable seats are reported as such, before the guard is looked at.
	_, err = l.Hold(ctx, hold("hD", show, "D", exp, "S4", "S5"), seatlock.Guard{Taken: []string{"S3"}}, later)
	wantCode(t, err, errs.SeatUnavailable, "held seat with a wrong guard")

	// Malformed guards.
	for name, g := range map[string]seatlock.Guard{
		"a held seat guarded":  {Free: []string{"S5"}},
		"a seat guarded twice": {Free: []string{"S3"}, Taken: []string{"S3"}},
		"a bad id":             {Taken: []string{"S|3"}},
		"too many": {Free: func() []string {
			out := make([]string, seatlock.MaxGuardSeats+1)
			for i := range out {
				out[i] = fmt.Sprintf("G%d", i)
			}
			return out
		}()},
	} {
		_, err := l.Hold(ctx, hold("hF", show, "F", exp, "S5"), g, later)
		wantCode(t, err, errs.Invalid, name)
	}
}

// testReplacedSeatsFreed: replacing a hold reports the old hold's seats the new one does not cover.
func testReplacedSeatsFreed(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	exp := now.Add(time.Minute)
	show := uniq("show")
	res, err := l.Hold(ctx, hold("h1", show, "A", exp, "S3", "S1", "S2"), seatlock.Guard{}, now)
	if err != nil || res.Replaced != "" || len(res.Freed) != 0 {
		t.Fatalf("first hold: %+v, %v", res, err)
	}
	res, err = l.Hold(ctx, hold("h2", show, "A", exp, "S2", "S4"), seatlock.Guard{}, now)
	if err != nil || res.Replaced != "h1" || !slices.Equal(res.Freed, []string{"S1", "S3"}) {
		t.Fatalf("replacing hold: %+v, %v; want h1 replaced, S1 and S3 freed", res, err)
	}
}

func testPeekValidation(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	now := base()
	_, err := l.Peek(ctx, "", []string{"S1"}, now)
	wantCode(t, err, errs.Invalid, "peek without a show")
	_, err = l.Peek(ctx, "s", []string{"S{1}"}, now)
	wantCode(t, err, errs.Invalid, "peek with a bad seat id")
	_, err = l.Peek(ctx, "s", make([]string, seatlock.MaxSeatsPerMark+1), now)
	wantCode(t, err, errs.Invalid, "peek of too many seats")
	got, err := l.Peek(ctx, uniq("show"), nil, now)
	if err != nil || len(got) != 0 {
		t.Fatalf("peek of no seats: %v, %v", got, err)
	}
}

// stateOf returns a seat's state as Seats gives it (the reference the guard error must agree with).
func stateOf(t *testing.T, l seatlock.Locker, show, seat string, now time.Time) (seatlock.SeatState, bool) {
	t.Helper()
	st, ok := seats(context.Background(), t, l, show, now)[seat]
	return st, ok
}
