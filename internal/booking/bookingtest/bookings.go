package bookingtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// CreatedAt is when the sample bookings were created: millisecond precision, which every
// adapter keeps.
var CreatedAt = time.Date(2026, 12, 1, 9, 15, 30, 123_000_000, time.UTC)

// Sizes of the concurrency subtests of RunRepository.
const (
	concurrentUpdates = 20 // goroutines each adding 1 to one booking's refund amount
	concurrentCreates = 20 // goroutines each creating a booking of one hold
)

// NewBooking returns a PENDING_PAYMENT guest booking with fresh ids and reference, created at
// CreatedAt, with the optional fields (user, confirmation, cancellation and refund) unset.
func NewBooking() booking.Booking {
	seats := []string{"C7", "C8", "H1"}
	return booking.Booking{ID: ids.New(), Reference: newReference(), ShowID: ids.New(), TheatreID: ids.New(),
		HoldID: ids.New(), OwnerID: "session:" + ids.New(), Email: "guest@example.test", Name: "Asha Rao",
		Phone: "+91 98450 12345", SeatIDs: seats,
		Quote: booking.Quote{Currency: "INR", Lines: []booking.QuoteLine{
			{Category: "GOLD", Name: "Gold", SeatIDs: []string{"C7", "C8"}, UnitPrice: 35000, Quantity: 2, Amount: 70000},
			{Category: "RECLINER", Name: "Recliner", SeatIDs: []string{"H1"}, UnitPrice: 60000, Quantity: 1, Amount: 60000},
		}, Subtotal: 130000, Fees: 9000, Taxes: 1620, Total: 140620},
		Status: booking.StatusPendingPayment, PaymentURL: "http://127.0.0.1:8080/sandbox/pay/cs_1",
		ShowStartsAt: CreatedAt.Add(48 * time.Hour), CreatedAt: CreatedAt, ExpiresAt: CreatedAt.Add(10 * time.Minute),
		UpdatedAt: CreatedAt}
}

// SampleBooking returns a booking with fresh ids and reference and every field set: a user's
// booking that was confirmed, cancelled and refunded in part.
func SampleBooking() booking.Booking {
	b := NewBooking()
	b.UserID = ids.New()
	b.OwnerID = "user:" + b.UserID
	b.Status, b.Reason = booking.StatusRefunded, booking.ReasonCancelledByBuyer
	b.ConfirmedAt = CreatedAt.Add(time.Minute)
	b.CancelledAt = CreatedAt.Add(time.Hour)
	b.RefundAmount = 70310
	b.RefundRequestedAt = CreatedAt.Add(time.Hour + time.Second)
	b.RefundedAt = CreatedAt.Add(2 * time.Hour)
	b.UpdatedAt = b.RefundedAt
	return b
}

// newReference returns a fresh booking reference; it panics when the system random source fails.
func newReference() string {
	ref, err := booking.NewReference()
	if err != nil {
		panic(fmt.Sprintf("bookingtest: new reference: %v", err))
	}
	return ref
}

// RunRepository runs the conformance suite of booking.Repository. newRepo returns an empty
// repository for each subtest. concurrencySafe says whether the adapter's storage is atomic
// under concurrent conditional writers; when false the subtest racing Updates of one booking is
// skipped (the embedded FerretDB is not atomic under concurrent replaces; a real MongoDB and
// SQLite are). Concurrent Creates of one hold rest on a unique index only, which is atomic on
// FerretDB too, so that subtest always runs.
func RunRepository(t *testing.T, newRepo func(t *testing.T) booking.Repository, concurrencySafe bool) {
	ctx := context.Background()

	t.Run("the samples set every field", func(t *testing.T) {
		t.Parallel()
		// A field the samples leave unset is a field the round-trip subtests cannot check: extend
		// SampleBooking (and the adapters) when Booking, Quote or QuoteLine gain one.
		wantEveryFieldSet(t, "Booking", reflect.ValueOf(SampleBooking()))
	})

	t.Run("create and get return every field", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		full, bare := SampleBooking(), NewBooking()
		bare.Quote.Lines, bare.Phone, bare.Name, bare.PaymentURL, bare.ShowStartsAt, bare.UpdatedAt =
			nil, "", "", "", time.Time{}, time.Time{}
		for _, b := range []booking.Booking{full, bare} {
			mustCreate(t, r, b)
			wantStored(t, r, "Get", b.ID, b)
			got, err := r.GetByHold(ctx, b.HoldID)
			if err != nil || diff("", got, b) != "" {
				t.Errorf("GetByHold: %v; %s", err, diff("GetByHold", got, b))
			}
			got, err = r.GetByReference(ctx, b.Reference)
			if err != nil || diff("", got, b) != "" {
				t.Errorf("GetByReference: %v; %s", err, diff("GetByReference", got, b))
			}
		}
	})

	t.Run("times are kept to the millisecond, in UTC", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		b := SampleBooking()
		kolkata := time.FixedZone("IST", 5*3600+1800)
		fine := func(t time.Time) time.Time { return t.Add(999_999 * time.Nanosecond).In(kolkata) }
		in := b
		in.ShowStartsAt, in.CreatedAt, in.ExpiresAt, in.ConfirmedAt = fine(b.ShowStartsAt), fine(b.CreatedAt),
			fine(b.ExpiresAt), fine(b.ConfirmedAt)
		in.CancelledAt, in.RefundRequestedAt, in.RefundedAt, in.UpdatedAt = fine(b.CancelledAt),
			fine(b.RefundRequestedAt), fine(b.RefundedAt), fine(b.UpdatedAt)
		mustCreate(t, r, in)
		wantStored(t, r, "created with sub-millisecond times", b.ID, b)
		got, err := r.Update(ctx, b.ID, func(x *booking.Booking) error {
			x.UpdatedAt = fine(CreatedAt.Add(3 * time.Hour))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := b
		want.UpdatedAt = CreatedAt.Add(3 * time.Hour)
		if d := diff("Update's result", got, want); d != "" {
			t.Error(d)
		}
		wantStored(t, r, "updated with a sub-millisecond time", b.ID, want)
	})

	t.Run("create refuses an invalid booking and stores nothing", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		for _, tc := range []struct {
			name  string
			field string
			edit  func(*booking.Booking)
		}{
			{"no id", "id", func(b *booking.Booking) { b.ID = "" }},
			{"malformed reference", "reference", func(b *booking.Booking) { b.Reference = "MQ-0OIL12" }},
			{"no hold", "holdId", func(b *booking.Booking) { b.HoldID = "" }},
			{"no seats", "seatIds", func(b *booking.Booking) { b.SeatIDs = nil }},
			{"zero total", "quote", func(b *booking.Booking) { b.Quote.Total = 0 }},
			{"unknown status", "status", func(b *booking.Booking) { b.Status = "PAID" }},
			{"expires before it is created", "expiresAt", func(b *booking.Booking) { b.ExpiresAt = b.CreatedAt }},
			{"refund above the total", "refundAmount", func(b *booking.Booking) { b.RefundAmount = b.Quote.Total + 1 }},
		} {
			b := NewBooking()
			tc.edit(&b)
			err := r.Create(ctx, b)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("%s: got %v, want invalid", tc.name, err)
				continue
			}
			if f := errs.As(err).Field; f != tc.field {
				t.Errorf("%s: invalid field %q, want %q", tc.name, f, tc.field)
			}
			if b.HoldID != "" {
				if _, err := r.GetByHold(ctx, b.HoldID); !errs.Is(err, errs.NotFound) {
					t.Errorf("%s: the invalid booking was stored (%v)", tc.name, err)
				}
			}
		}
	})

	t.Run("a second booking of a hold is refused", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		first := NewBooking()
		mustCreate(t, r, first)
		second := NewBooking()
		second.HoldID = first.HoldID
		wantHoldCheckedOut(t, "a second booking of the hold", r.Create(ctx, second))
		_, err := r.Get(ctx, second.ID)
		wantCode(t, "the refused booking", err, errs.NotFound)
		_, err = r.GetByReference(ctx, second.Reference)
		wantCode(t, "the refused booking's reference", err, errs.NotFound)
		// Creating the very same booking again (a retry) is refused too.
		wantCode(t, "the same booking again", r.Create(ctx, first), errs.Conflict)
		wantStored(t, r, "the first booking", first.ID, first)
	})

	t.Run("a taken id or reference is refused", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		first := NewBooking()
		mustCreate(t, r, first)
		sameID := NewBooking()
		sameID.ID = first.ID
		wantPlainConflict(t, "same id", r.Create(ctx, sameID))
		sameRef := NewBooking()
		sameRef.Reference = first.Reference
		wantPlainConflict(t, "same reference", r.Create(ctx, sameRef))
		for _, b := range []booking.Booking{sameID, sameRef} {
			if _, err := r.GetByHold(ctx, b.HoldID); !errs.Is(err, errs.NotFound) {
				t.Errorf("a refused booking was stored: %v", err)
			}
		}
		_, err := r.Get(ctx, sameRef.ID)
		wantCode(t, "the booking refused for its reference", err, errs.NotFound)
		wantStored(t, r, "the first booking", first.ID, first)
	})

	t.Run("missing bookings are not found", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		b := NewBooking()
		mustCreate(t, r, b)
		_, err := r.Get(ctx, ids.New())
		wantCode(t, "Get", err, errs.NotFound)
		_, err = r.GetByHold(ctx, ids.New())
		wantCode(t, "GetByHold", err, errs.NotFound)
		_, err = r.GetByReference(ctx, newReference())
		wantCode(t, "GetByReference", err, errs.NotFound)
		_, err = r.GetByHold(ctx, b.ID)
		wantCode(t, "GetByHold of a booking id", err, errs.NotFound)
		_, err = r.Get(ctx, "")
		wantCode(t, "Get of no id", err, errs.NotFound)
	})

	t.Run("update applies fn and keeps the identity", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		b := NewBooking()
		mustCreate(t, r, b)
		at := CreatedAt.Add(2 * time.Minute)
		userID, showID, theatreID := ids.New(), ids.New(), ids.New()
		change := func(x *booking.Booking) {
			x.Status, x.Reason, x.PaymentURL = booking.StatusCancelled, booking.ReasonCancelledByAdmin, ""
			x.ConfirmedAt, x.CancelledAt, x.UpdatedAt = at, at.Add(time.Minute), at.Add(time.Minute)
			x.RefundAmount, x.RefundRequestedAt = 1000, at.Add(time.Minute)
			x.SeatIDs = []string{"C7", "C8"}
			x.Quote.Lines = x.Quote.Lines[:1]
			x.Quote.Subtotal, x.Quote.Fees, x.Quote.Taxes, x.Quote.Total = 70000, 6000, 1080, 77080
			x.UserID, x.Email, x.Name, x.Phone = userID, "asha@example.test", "A. Rao", ""
			x.ShowID, x.TheatreID, x.ShowStartsAt = showID, theatreID, at.Add(time.Hour)
		}
		calls := 0
		got, err := r.Update(ctx, b.ID, func(x *booking.Booking) error {
			calls++
			if diff("", *x, b) != "" {
				t.Errorf("fn was given %s", diff("the stored booking", *x, b))
			}
			change(x)
			// Fixed by the repository.
			x.ID, x.Reference, x.HoldID, x.OwnerID = ids.New(), newReference(), ids.New(), "user:someone-else"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if calls == 0 {
			t.Error("fn was not called")
		}
		want := b
		change(&want)
		if d := diff("Update's result", got, want); d != "" {
			t.Error(d)
		}
		wantStored(t, r, "after Update", b.ID, want)
		if got, err := r.GetByHold(ctx, b.HoldID); err != nil || got.ID != b.ID {
			t.Errorf("GetByHold of the kept hold: %+v, %v", got, err)
		}
		if got, err := r.GetByReference(ctx, b.Reference); err != nil || got.ID != b.ID {
			t.Errorf("GetByReference of the kept reference: %+v, %v", got, err)
		}
		// What List selects on follows the update.
		wantList(t, r, "by the kept owner", booking.BookingQuery{OwnerID: b.OwnerID}, want)
		wantList(t, r, "by the old show", booking.BookingQuery{ShowID: b.ShowID})
		wantList(t, r, "by the new show", booking.BookingQuery{ShowID: want.ShowID}, want)
		wantList(t, r, "by the old status", booking.BookingQuery{Statuses: []booking.Status{booking.StatusPendingPayment}})
		wantList(t, r, "by the new status", booking.BookingQuery{Statuses: []booking.Status{booking.StatusCancelled}}, want)
		wantList(t, r, "refund not requested", booking.BookingQuery{Statuses: []booking.Status{booking.StatusCancelled},
			RefundNotRequested: true})
	})

	t.Run("update stores nothing when fn fails or the result is invalid", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		b := NewBooking()
		mustCreate(t, r, b)
		boom := errors.New("boom")
		_, err := r.Update(ctx, b.ID, func(x *booking.Booking) error {
			x.Status, x.Reason = booking.StatusFailed, booking.ReasonPaymentDeclined
			return boom
		})
		if err != boom { //nolint:errorlint // the contract: fn's error is returned unchanged
			t.Errorf("fn's error: got %v, want it unchanged", err)
		}
		wantStored(t, r, "after a failed fn", b.ID, b)
		// Validate holds for every stored booking, also after an update.
		_, err = r.Update(ctx, b.ID, func(x *booking.Booking) error { x.RefundAmount = -1; return nil })
		wantCode(t, "an invalid result", err, errs.Invalid)
		_, err = r.Update(ctx, b.ID, func(x *booking.Booking) error { x.SeatIDs = nil; return nil })
		wantCode(t, "a result without seats", err, errs.Invalid)
		wantStored(t, r, "after an invalid result", b.ID, b)
		called := false
		_, err = r.Update(ctx, ids.New(), func(*booking.Booking) error { called = true; return nil })
		wantCode(t, "an unknown booking", err, errs.NotFound)
		if called {
			t.Error("fn was called for an unknown booking")
		}
	})

	t.Run("list filters by owner, show and status, newest first", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		at := func(min int) time.Time { return CreatedAt.Add(time.Duration(min) * time.Minute) }
		ownerA, ownerB, showX, showY := "user:"+ids.New(), "session:"+ids.New(), ids.New(), ids.New()
		mk := func(owner, show string, created, expires int, status booking.Status, refundRequested bool) booking.Booking {
			b := NewBooking()
			b.OwnerID, b.ShowID, b.Status = owner, show, status
			b.CreatedAt, b.ExpiresAt, b.UpdatedAt = at(created), at(expires), at(created)
			if refundRequested {
				b.RefundAmount, b.RefundRequestedAt = 100, at(created+1)
			}
			return b
		}
		a := mk(ownerA, showX, 0, 10, booking.StatusPendingPayment, false)
		b := mk(ownerA, showY, 1, 5, booking.StatusPendingPayment, false)
		c := mk(ownerB, showX, 2, 12, booking.StatusConfirmed, false)
		d := mk(ownerB, showX, 3, 8, booking.StatusPendingPayment, false)
		e := mk(ownerA, showX, 4, 14, booking.StatusCancelled, false)
		f := mk(ownerB, showY, 5, 15, booking.StatusCancelled, true)
		// Two bookings created in the same millisecond: the greater id comes first.
		g1, g2 := mk(ownerA, showY, 6, 16, booking.StatusExpired, false), mk(ownerA, showY, 6, 16, booking.StatusExpired, false)
		if g1.ID < g2.ID {
			g1, g2 = g2, g1
		}
		mustCreate(t, r, g2, d, f, a, c, g1, e, b) // stored out of order
		statuses := func(s ...booking.Status) []booking.Status { return s }
		cases := []struct {
			name string
			q    booking.BookingQuery
			want []booking.Booking
		}{
			{"owner", booking.BookingQuery{OwnerID: ownerA}, []booking.Booking{g1, g2, e, b, a}},
			{"other owner", booking.BookingQuery{OwnerID: ownerB}, []booking.Booking{f, d, c}},
			{"show", booking.BookingQuery{ShowID: showX}, []booking.Booking{e, d, c, a}},
			{"owner and show", booking.BookingQuery{OwnerID: ownerA, ShowID: showY}, []booking.Booking{g1, g2, b}},
			{"one status", booking.BookingQuery{Statuses: statuses(booking.StatusPendingPayment)}, []booking.Booking{d, b, a}},
			{"two statuses", booking.BookingQuery{Statuses: statuses(booking.StatusConfirmed, booking.StatusCancelled)},
				[]booking.Booking{f, e, c}},
			{"owner and status", booking.BookingQuery{OwnerID: ownerB, Statuses: statuses(booking.StatusPendingPayment)},
				[]booking.Booking{d}},
			{"show and statuses", booking.BookingQuery{ShowID: showY, Statuses: statuses(booking.StatusExpired, booking.StatusCancelled)},
				[]booking.Booking{g1, g2, f}},
			{"expiring before (strictly)", booking.BookingQuery{Statuses: statuses(booking.StatusPendingPayment),
				ExpiresBefore: at(10)}, []booking.Booking{d, b}},
			{"expiring before, a millisecond after an expiry", booking.BookingQuery{Statuses: statuses(booking.StatusPendingPayment),
				ExpiresBefore: at(10).Add(time.Millisecond)}, []booking.Booking{d, b, a}},
			{"refund not requested", booking.BookingQuery{Statuses: statuses(booking.StatusCancelled), RefundNotRequested: true},
				[]booking.Booking{e}},
			{"owner, refund not requested", booking.BookingQuery{OwnerID: ownerB, RefundNotRequested: true},
				[]booking.Booking{d, c}},
			{"every filter", booking.BookingQuery{OwnerID: ownerA, ShowID: showX,
				Statuses: statuses(booking.StatusPendingPayment, booking.StatusCancelled), ExpiresBefore: at(14),
				RefundNotRequested: true}, []booking.Booking{a}},
			{"limit", booking.BookingQuery{OwnerID: ownerA, Limit: 2}, []booking.Booking{g1, g2}},
			{"unknown owner", booking.BookingQuery{OwnerID: "user:" + ids.New()}, nil},
			{"status without bookings", booking.BookingQuery{Statuses: statuses(booking.StatusRefunded)}, nil},
		}
		for _, tc := range cases {
			wantList(t, r, tc.name, tc.q, tc.want...)
		}
		for _, q := range []booking.BookingQuery{
			{},
			{Statuses: []booking.Status{}},
			{ExpiresBefore: at(100), RefundNotRequested: true, Limit: 10},
		} {
			_, err := r.List(ctx, q)
			wantCode(t, fmt.Sprintf("List(%+v)", q), err, errs.Invalid)
		}
	})

	t.Run("list returns at most the default or the maximum limit", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		n := booking.MaxBookingListLimit + 1
		if testing.Short() {
			n = booking.DefaultBookingListLimit + 1 // the maximum is not reached
		}
		owner := "user:" + ids.New()
		all := make([]booking.Booking, n) // newest first
		for i := range all {
			b := NewBooking()
			b.OwnerID = owner
			b.CreatedAt = CreatedAt.Add(time.Duration(n-i) * time.Second)
			b.ExpiresAt, b.UpdatedAt = b.CreatedAt.Add(10*time.Minute), b.CreatedAt
			all[i] = b
		}
		createAll(t, r, all)
		for _, tc := range []struct {
			name  string
			limit int
			want  int
		}{
			{"no limit: the default", 0, booking.DefaultBookingListLimit},
			{"a negative limit: the default", -1, booking.DefaultBookingListLimit},
			{"a small limit", 7, 7},
			{"above the maximum: the maximum", booking.MaxBookingListLimit * 10, min(n, booking.MaxBookingListLimit)},
		} {
			got, err := r.List(ctx, booking.BookingQuery{OwnerID: owner, Limit: tc.limit})
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if d := diff(tc.name, idsOf(got), idsOf(all[:tc.want])); d != "" {
				t.Errorf("%s: %d bookings; %s", tc.name, len(got), d)
			}
		}
	})

	t.Run("concurrent updates of one booking lose no write", func(t *testing.T) {
		if !concurrencySafe {
			t.Skip("this adapter's test server is not atomic under concurrent conditional writes (e.g. the embedded FerretDB); run against a real database to cover this")
		}
		t.Parallel()
		r := newRepo(t)
		b := NewBooking()
		mustCreate(t, r, b)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range concurrentUpdates {
			wg.Go(func() {
				<-start
				for {
					_, err := r.Update(ctx, b.ID, func(x *booking.Booking) error {
						x.RefundAmount++ // a counter: a lost update shows
						return nil
					})
					if errs.Is(err, errs.Conflict) {
						continue // lost too many races; try again
					}
					if err != nil {
						t.Error(err)
					}
					return
				}
			})
		}
		close(start)
		wg.Wait()
		got, err := r.Get(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RefundAmount != concurrentUpdates {
			t.Errorf("refund amount %d after %d concurrent increments: updates were lost", got.RefundAmount, concurrentUpdates)
		}
	})

	t.Run("of concurrent creates of one hold exactly one succeeds", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		hold := ids.New()
		attempts := make([]booking.Booking, concurrentCreates)
		results := make([]error, concurrentCreates)
		for i := range attempts {
			attempts[i] = NewBooking()
			attempts[i].HoldID = hold
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range attempts {
			wg.Go(func() {
				<-start
				results[i] = r.Create(ctx, attempts[i])
			})
		}
		close(start)
		wg.Wait()
		var winner *booking.Booking
		for i, err := range results {
			switch e := errs.As(err); {
			case err == nil && winner == nil:
				winner = &attempts[i]
			case err == nil:
				t.Errorf("create %d succeeded too, after %s", i, winner.ID)
			case e == nil || e.Code != errs.Conflict || e.Reason != booking.ReasonHoldCheckedOut:
				t.Errorf("create %d: got %v, want conflict %s", i, err, booking.ReasonHoldCheckedOut)
			}
		}
		if winner == nil {
			t.Fatal("no create succeeded")
		}
		got, err := r.GetByHold(ctx, hold)
		if err != nil || diff("", got, *winner) != "" {
			t.Errorf("the hold's booking: %v; %s", err, diff("GetByHold", got, *winner))
		}
		for i, b := range attempts {
			if b.ID == winner.ID {
				continue
			}
			if _, err := r.Get(ctx, b.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("losing create %d was stored: %v", i, err)
			}
		}
	})
}

// wantEveryFieldSet fails for each field of the struct v (recursively through structs and slice
// elements of struct type) that holds its zero value.
func wantEveryFieldSet(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		f, name := v.Field(i), path+"."+v.Type().Field(i).Name
		if f.IsZero() {
			t.Errorf("SampleBooking leaves %s unset", name)
			continue
		}
		switch {
		case f.Kind() == reflect.Struct && f.Type() != reflect.TypeFor[time.Time]():
			wantEveryFieldSet(t, name, f)
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct:
			for j := range f.Len() {
				wantEveryFieldSet(t, fmt.Sprintf("%s[%d]", name, j), f.Index(j))
			}
		}
	}
}

func mustCreate(t *testing.T, r booking.Repository, bs ...booking.Booking) {
	t.Helper()
	for _, b := range bs {
		if err := r.Create(context.Background(), b); err != nil {
			t.Fatalf("create booking: %v", err)
		}
	}
}

// createAll creates bs with a few goroutines, to keep large fixtures quick on slow test servers.
func createAll(t *testing.T, r booking.Repository, bs []booking.Booking) {
	t.Helper()
	const workers = 8
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(bs); i += workers {
				if err := r.Create(context.Background(), bs[i]); err != nil {
					errc <- fmt.Errorf("create booking %d: %w", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
}

// wantStored checks that the booking id is stored as want.
func wantStored(t *testing.T, r booking.Repository, what, id string, want booking.Booking) {
	t.Helper()
	got, err := r.Get(context.Background(), id)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if d := diff(what, got, want); d != "" {
		t.Error(d)
	}
}

// wantList checks that List(q) returns exactly want, in order and complete.
func wantList(t *testing.T, r booking.Repository, what string, q booking.BookingQuery, want ...booking.Booking) {
	t.Helper()
	got, err := r.List(context.Background(), q)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if d := diff(what, idsOf(got), idsOf(want)); d != "" {
		t.Error(d)
		return
	}
	for i := range got {
		if d := diff(what+": listed booking", got[i], want[i]); d != "" {
			t.Error(d)
		}
	}
}

func idsOf(bs []booking.Booking) []string {
	out := []string{}
	for _, b := range bs {
		out = append(out, b.ID)
	}
	return out
}

func diff(what string, got, want any) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	return fmt.Sprintf("%s:\n got %+v\nwant %+v", what, got, want)
}

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

func wantHoldCheckedOut(t *testing.T, what string, err error) {
	t.Helper()
	if e := errs.As(err); e == nil || e.Code != errs.Conflict || e.Reason != booking.ReasonHoldCheckedOut {
		t.Errorf("%s: got %v, want conflict %s", what, err, booking.ReasonHoldCheckedOut)
	}
}

// wantPlainConflict checks for a Conflict that does not claim the hold was checked out.
func wantPlainConflict(t *testing.T, what string, err error) {
	t.Helper()
	if e := errs.As(err); e == nil || e.Code != errs.Conflict || e.Reason == booking.ReasonHoldCheckedOut {
		t.Errorf("%s: got %v, want a conflict without reason %s", what, err, booking.ReasonHoldCheckedOut)
	}
}
