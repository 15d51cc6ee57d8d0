package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/marquee-cinema/marquee/internal/demo"
)

// client is a browser: its own cookie jar (the anonymous session) and optionally a token.
type client struct {
	in    *instance
	http  *http.Client
	token string
}

func (in *instance) newClient(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{in: in, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (c *client) do(t testing.TB, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.in.HTTP+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decode (HTTP %d): %v\n%s", resp.StatusCode, err, raw)
	}
	out.Status = resp.StatusCode
	return out
}

type holdNode struct {
	ID        string
	SeatIds   []string
	ExpiresAt time.Time
	Extended  bool
	Quote     struct {
		Lines []struct {
			Category, Name string
			Quantity       int
			UnitPrice      struct{ Amount int }
		}
		Subtotal, Fees, Taxes, Total struct{ Amount int }
	}
}

const holdFields = `id seatIds expiresAt extended quote { lines { category name quantity unitPrice { amount } }
	subtotal { amount } fees { amount } taxes { amount } total { amount } }`

type seatMapNode struct {
	ShowID string
	MyHold *struct{ ID string }
	Rows   []struct {
		Label string
		Cells []struct {
			Column int
			Seat   *struct {
				ID, Category, Status string
				Number               int
				Mine, Accessible     bool
			}
		}
	}
}

const seatMapQuery = `query($s: ID!) { seatMap(showId: $s) { showId myHold { id } rows { label cells { column seat { id number category status mine accessible } } } } }`

func (c *client) seatMap(t testing.TB, showID string) seatMapNode {
	t.Helper()
	var d struct{ SeatMap seatMapNode }
	expectOK(t, c.do(t, seatMapQuery, map[string]any{"s": showID}), &d)
	return d.SeatMap
}

func (m seatMapNode) status(seat string) (string, bool) {
	for _, r := range m.Rows {
		for _, c := range r.Cells {
			if c.Seat != nil && c.Seat.ID == seat {
				return c.Seat.Status, c.Seat.Mine
			}
		}
	}
	return "", false
}

// aShow returns a bookable demo show in Mumbai, the latest one so it stays bookable throughout.
func aShow(t testing.TB, in *instance) string {
	t.Helper()
	var d struct {
		Movies struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	in.mustQuery(t, `query($c: ID!) { movies(filter: {cityId: $c}, first: 1) { edges { node { id } } } }`, map[string]any{"c": demo.FirstCityID()}, &d)
	var st struct {
		Showtimes []struct{ Shows []struct{ ID string } }
	}
	in.mustQuery(t, `query($m: ID!, $c: ID!) { showtimes(filter: {movieId: $m, cityId: $c}) { shows { id } } }`,
		map[string]any{"m": d.Movies.Edges[0].Node.ID, "c": demo.FirstCityID()}, &st)
	shows := st.Showtimes[len(st.Showtimes)-1].Shows
	return shows[len(shows)-1].ID
}

// rowRun finds count adjacent available seats at the start of a block (after a gap or the row
// start) with at least count+2 seats, so that holding the second one would strand the first.
func rowRun(t testing.TB, m seatMapNode, count int) []string {
	t.Helper()
	for _, r := range m.Rows {
		var run []string
		for i, c := range r.Cells {
			if c.Seat == nil || c.Seat.Status != "AVAILABLE" || c.Seat.Accessible {
				if len(run) >= count+2 {
					return run
				}
				run = nil
				continue
			}
			if len(run) == 0 && i > 0 && r.Cells[i-1].Seat != nil {
				continue // not at the start of a block
			}
			run = append(run, c.Seat.ID)
		}
		if len(run) >= count+2 {
			return run
		}
	}
	t.Fatal("no free block of seats")
	return nil
}

func TestHoldsOverGraphQL(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo")
	showID := aShow(t, in)
	alice, bob := in.newClient(t), in.newClient(t)
	m := alice.seatMap(t, showID)
	run := rowRun(t, m, 3)
	mine := run[:2]

	hold := `mutation($s: ID!, $seats: [ID!]!) { holdSeats(showId: $s, seatIds: $seats) { ` + holdFields + ` } }`
	var a struct{ HoldSeats holdNode }
	expectOK(t, alice.do(t, hold, map[string]any{"s": showID, "seats": mine}), &a)
	h := a.HoldSeats
	if len(h.SeatIds) != 2 || time.Until(h.ExpiresAt) < 7*time.Minute || time.Until(h.ExpiresAt) > 8*time.Minute+time.Second {
		t.Fatalf("hold %+v", h)
	}
	q := h.Quote
	if q.Subtotal.Amount <= 0 || q.Fees.Amount != 2*3000 || q.Taxes.Amount != 1080 || q.Total.Amount != q.Subtotal.Amount+q.Fees.Amount+q.Taxes.Amount {
		t.Fatalf("quote %+v", q)
	}

	t.Run("someone else cannot take, see or release the hold", func(t *testing.T) {
		e := expectCode(t, bob.do(t, hold, map[string]any{"s": showID, "seats": []string{mine[1], run[2]}}), "SEAT_UNAVAILABLE")
		if !strings.Contains(e.Message, mine[1]) || strings.Contains(e.Message, run[2]) {
			t.Fatalf("the error must name exactly the taken seat: %s", e.Message)
		}
		if st, _ := bob.seatMap(t, showID).status(run[2]); st != "AVAILABLE" {
			t.Fatalf("a refused hold held %s: %s", run[2], st)
		}
		expectCode(t, bob.do(t, `query($h: ID!) { hold(id: $h) { id } }`, map[string]any{"h": h.ID}), "NOT_FOUND")
		expectCode(t, bob.do(t, `mutation($h: ID!) { releaseHold(holdId: $h) }`, map[string]any{"h": h.ID}), "NOT_FOUND")
		expectCode(t, bob.do(t, `mutation($h: ID!) { extendHold(holdId: $h) { id } }`, map[string]any{"h": h.ID}), "NOT_FOUND")
		expectCode(t, bob.do(t, `query { hold(id: "Hnot-a-real-hold-id-at-all-0000000000000") { id } }`, nil), "NOT_FOUND")
	})

	t.Run("the seat map marks the caller's own seats", func(t *testing.T) {
		am, bm := alice.seatMap(t, showID), bob.seatMap(t, showID)
		for _, seat := range mine {
			if st, own := am.status(seat); st != "HELD" || !own {
				t.Fatalf("alice sees %s as %s mine=%v", seat, st, own)
			}
			if st, own := bm.status(seat); st != "HELD" || own {
				t.Fatalf("bob sees %s as %s mine=%v", seat, st, own)
			}
		}
		if am.MyHold == nil || am.MyHold.ID != h.ID || bm.MyHold != nil {
			t.Fatal("myHold is wrong")
		}
	})

	t.Run("bad holds", func(t *testing.T) {
		free := rowRun(t, bob.seatMap(t, showID), 3)
		many := []string{}
		for _, r := range m.Rows {
			for _, c := range r.Cells {
				if c.Seat != nil && len(many) < 11 {
					many = append(many, c.Seat.ID)
				}
			}
		}
		for name, c := range map[string]struct {
			seats []string
			code  string
		}{
			"eleven seats":   {many, "BAD_USER_INPUT"},
			"duplicate seat": {[]string{free[0], free[0]}, "BAD_USER_INPUT"},
			"unknown seat":   {[]string{"ZZ99"}, "BAD_USER_INPUT"},
			"no seats":       {[]string{}, "BAD_USER_INPUT"},
		} {
			t.Run(name, func(t *testing.T) {
				expectCode(t, bob.do(t, hold, map[string]any{"s": showID, "seats": c.seats}), c.code)
			})
		}
		e := expectCode(t, bob.do(t, hold, map[string]any{"s": showID, "seats": []string{free[1]}}), "BAD_USER_INPUT")
		if e.Extensions["reason"] != "ORPHAN_SEAT" || !strings.Contains(e.Message, free[0]) {
			t.Fatalf("orphan refusal: %+v", e)
		}
		expectCode(t, bob.do(t, hold, map[string]any{"s": "0193a4b2-0000-7000-8000-000000000000", "seats": []string{"A1"}}), "NOT_FOUND")
		expectCode(t, bob.do(t, hold, map[string]any{"s": "nope", "seats": []string{"A1"}}), "BAD_USER_INPUT")
	})

	t.Run("best available, extend, release", func(t *testing.T) {
		var b struct{ HoldBestAvailable holdNode }
		expectOK(t, bob.do(t, `mutation($s: ID!) { holdBestAvailable(showId: $s, count: 4, category: "prime") { `+holdFields+` } }`,
			map[string]any{"s": showID}), &b)
		seats := b.HoldBestAvailable.SeatIds
		if len(seats) != 4 || len(b.HoldBestAvailable.Quote.Lines) != 1 || b.HoldBestAvailable.Quote.Lines[0].Category != "PRIME" {
			t.Fatalf("best available %+v", b.HoldBestAvailable)
		}
		row := strings.TrimRight(seats[0], "0123456789")
		for _, s := range seats {
			if strings.TrimRight(s, "0123456789") != row {
				t.Fatalf("best available split %v over rows", seats)
			}
		}
		var ext struct{ ExtendHold holdNode }
		expectOK(t, bob.do(t, `mutation($h: ID!) { extendHold(holdId: $h) { `+holdFields+` } }`, map[string]any{"h": b.HoldBestAvailable.ID}), &ext)
		if !ext.ExtendHold.Extended || !ext.ExtendHold.ExpiresAt.After(b.HoldBestAvailable.ExpiresAt.Add(7*time.Minute)) {
			t.Fatalf("extended %+v", ext.ExtendHold)
		}
		expectCode(t, bob.do(t, `mutation($h: ID!) { extendHold(holdId: $h) { id } }`, map[string]any{"h": b.HoldBestAvailable.ID}), "CONFLICT")
		expectOK(t, bob.do(t, `mutation($h: ID!) { releaseHold(holdId: $h) }`, map[string]any{"h": b.HoldBestAvailable.ID}), nil)
		if st, _ := bob.seatMap(t, showID).status(seats[0]); st != "AVAILABLE" {
			t.Fatalf("released seat is %s", st)
		}
		expectCode(t, bob.do(t, `mutation($h: ID!) { releaseHold(holdId: $h) }`, map[string]any{"h": b.HoldBestAvailable.ID}), "HOLD_EXPIRED")
		expectCode(t, bob.do(t, `query($h: ID!) { hold(id: $h) { id } }`, map[string]any{"h": b.HoldBestAvailable.ID}), "HOLD_EXPIRED")
	})

	t.Run("availability counts holds", func(t *testing.T) {
		var before struct{ Show struct{ AvailableSeats int } }
		expectOK(t, alice.do(t, `query($s: ID!) { show(id: $s) { availableSeats } }`, map[string]any{"s": showID}), &before)
		var r struct{ HoldSeats holdNode }
		expectOK(t, alice.do(t, hold, map[string]any{"s": showID, "seats": run[:3]}), &r) // replaces alice's hold of 2
		time.Sleep(1100 * time.Millisecond)                                               // the show's price/availability cache
		var after struct{ Show struct{ AvailableSeats int } }
		expectOK(t, alice.do(t, `query($s: ID!) { show(id: $s) { availableSeats } }`, map[string]any{"s": showID}), &after)
		if after.Show.AvailableSeats != before.Show.AvailableSeats-1 {
			t.Fatalf("available seats %d → %d; replacing a hold of 2 by one of 3 takes one more", before.Show.AvailableSeats, after.Show.AvailableSeats)
		}
		expectCode(t, alice.do(t, `query($h: ID!) { hold(id: $h) { id } }`, map[string]any{"h": h.ID}), "HOLD_EXPIRED")
	})

	t.Run("a signed-in customer holds as their account", func(t *testing.T) {
		var reg struct{ Register session }
		in.mustQuery(t, `mutation { register(input: {email: "holder@example.com", password: "a-long-unusual-passphrase", name: "H"}) { `+authFields+` } }`, nil, &reg)
		phone, laptop := in.newClient(t), in.newClient(t)
		phone.token, laptop.token = reg.Register.AccessToken, reg.Register.AccessToken
		var r struct{ HoldBestAvailable holdNode }
		expectOK(t, phone.do(t, `mutation($s: ID!) { holdBestAvailable(showId: $s, count: 2) { id } }`, map[string]any{"s": showID}), &r)
		expectOK(t, laptop.do(t, `query($h: ID!) { hold(id: $h) { id } }`, map[string]any{"h": r.HoldBestAvailable.ID}), nil)
	})

	t.Run("an Int variable beyond 32 bits is refused, not wrapped", func(t *testing.T) {
		// 2^32 + 1 would wrap to a count of 1 on its way to the booking service.
		e := expectCode(t, bob.do(t, `mutation($s: ID!, $n: Int!) { holdBestAvailable(showId: $s, count: $n) { id } }`,
			map[string]any{"s": showID, "n": 4294967297}), "BAD_USER_INPUT")
		if !strings.Contains(e.Message, "2147483647") {
			t.Fatalf("message %q", e.Message)
		}
	})

	t.Run("a cancelled show cannot be held", func(t *testing.T) {
		owner := in.login(t, "owner@demo.marquee", "demo-owner")
		expectOK(t, in.graphqlAs(t, owner.AccessToken, `mutation($s: ID!) { cancelShow(id: $s) { status } }`, map[string]any{"s": showID}), nil)
		time.Sleep(1100 * time.Millisecond) // the booking service's show cache
		e := expectCode(t, bob.do(t, `mutation($s: ID!) { holdBestAvailable(showId: $s, count: 1) { id } }`, map[string]any{"s": showID}), "BAD_USER_INPUT")
		if !strings.Contains(e.Message, "cancelled") {
			t.Fatalf("message %q", e.Message)
		}
	})
}

// subscription is a graphql-transport-ws subscription to seatMapChanged.
type subscription struct {
	conn   *websocket.Conn
	events chan seatEvent
}

type seatEvent struct {
	ShowID string
	Seats  []struct{ SeatID, Status string }
	At     time.Time
}

func (in *instance) subscribe(t testing.TB, showID string) *subscription {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := strings.Replace(in.HTTP, "http://", "ws://", 1) + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		cancel()
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { cancel(); _ = conn.CloseNow() })
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": map[string]any{}}))
	var ack struct{ Type string }
	must(wsjson.Read(ctx, conn, &ack))
	if ack.Type != "connection_ack" {
		t.Fatalf("got %q, want connection_ack", ack.Type)
	}
	must(wsjson.Write(ctx, conn, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($s: ID!) { seatMapChanged(showId: $s) { showId seats { seatId status } } }`,
		"variables": map[string]any{"s": showID}}}))
	s := &subscription{conn: conn, events: make(chan seatEvent, 100)}
	go func() {
		defer close(s.events)
		for {
			var msg struct {
				Type    string
				Payload struct {
					Data struct{ SeatMapChanged seatEvent }
				}
			}
			if err := wsjson.Read(ctx, conn, &msg); err != nil {
				return
			}
			if msg.Type == "next" {
				ev := msg.Payload.Data.SeatMapChanged
				ev.At = time.Now()
				s.events <- ev
			}
		}
	}()
	// The first event, with no seats, says the subscription is live.
	select {
	case ev := <-s.events:
		if len(ev.Seats) != 0 {
			t.Fatalf("the first event has seats: %+v", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the subscription was not confirmed")
	}
	return s
}

// await returns the first event with seat in status, failing after timeout.
func (s *subscription) await(t testing.TB, seat, status string, timeout time.Duration) seatEvent {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatal("subscription ended")
			}
			for _, c := range ev.Seats {
				if c.SeatID == seat && c.Status == status {
					return ev
				}
			}
		case <-deadline:
			t.Fatalf("no %s event for %s within %v", status, seat, timeout)
		}
	}
}

func TestSeatMapChangesReachSubscribersOnEveryGatewayThroughRedis(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	redis := []string{"--redis-url=" + testRedisURL(), "--redis-prefix=" + randomRedisPrefix(), "--data-dir=" + dir}
	a := start(t, append(redis, "--demo")...)
	b := start(t, redis...)
	showID := aShow(t, a)
	sub := b.subscribe(t, showID)
	seats := rowRun(t, a.newClient(t).seatMap(t, showID), 2)[:2]

	buyer := a.newClient(t)
	var r struct{ HoldSeats holdNode }
	expectOK(t, buyer.do(t, `mutation($s: ID!, $seats: [ID!]!) { holdSeats(showId: $s, seatIds: $seats) { id } }`,
		map[string]any{"s": showID, "seats": seats}), &r)
	held := time.Now()
	ev := sub.await(t, seats[0], "HELD", 2*time.Second)
	t.Logf("hold on gateway A reached a subscriber of gateway B in %v", ev.At.Sub(held))
	if ev.At.Sub(held) > time.Second {
		t.Errorf("the change took %v to arrive; the target is 1s", ev.At.Sub(held))
	}
	// Both gateways see the hold in their seat maps.
	if st, _ := b.newClient(t).seatMap(t, showID).status(seats[0]); st != "HELD" {
		t.Fatalf("gateway B's seat map shows %s", st)
	}
	expectOK(t, buyer.do(t, `mutation($h: ID!) { releaseHold(holdId: $h) }`, map[string]any{"h": r.HoldSeats.ID}), nil)
	sub.await(t, seats[0], "AVAILABLE", 2*time.Second)
}

func TestExpiredHoldsAreFreedAndPushed(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo", "--hold-ttl=2s")
	showID := aShow(t, in)
	sub := in.subscribe(t, showID)
	c := in.newClient(t)
	seats := rowRun(t, c.seatMap(t, showID), 2)[:2]
	var r struct{ HoldSeats holdNode }
	expectOK(t, c.do(t, `mutation($s: ID!, $seats: [ID!]!) { holdSeats(showId: $s, seatIds: $seats) { id expiresAt } }`,
		map[string]any{"s": showID, "seats": seats}), &r)
	sub.await(t, seats[0], "HELD", 2*time.Second)
	ev := sub.await(t, seats[0], "AVAILABLE", 4*time.Second)
	late := ev.At.Sub(r.HoldSeats.ExpiresAt)
	t.Logf("expiry pushed %v after the hold expired", late)
	if late > time.Second {
		t.Errorf("expiry pushed %v late; the target is 1s", late)
	}
	if st, _ := c.seatMap(t, showID).status(seats[0]); st != "AVAILABLE" {
		t.Fatalf("expired seat is %s", st)
	}
	expectCode(t, c.do(t, `query($h: ID!) { hold(id: $h) { id } }`, map[string]any{"h": r.HoldSeats.ID}), "HOLD_EXPIRED")
}
