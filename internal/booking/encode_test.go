package booking

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// TestEncodersMatchEncodingJSON checks the hand-written encoders byte for byte against
// encoding/json, on awkward strings and random values.
func TestEncodersMatchEncodingJSON(t *testing.T) {
	awkward := []string{"", "A1", "Recliner", `quo"te`, `back\slash`, "tab\tnew\nline\r", "\x00\x01\x1f\x7f",
		"<b>&amp;</b>", "ünïcödé ₹ 🎬", "\u2028\u2029", "bad\xffutf8\xc3", "\xe2\x80"}
	rng := rand.New(rand.NewPCG(1, 2))
	str := func() string {
		if rng.IntN(3) == 0 {
			return awkward[rng.IntN(len(awkward))]
		}
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return string(b)
	}
	for i := range 2000 {
		var q Quote
		q.Currency = str()
		if i%7 != 0 {
			q.Lines = []QuoteLine{}
			for range rng.IntN(4) {
				l := QuoteLine{Category: str(), Name: str(), UnitPrice: rng.Int64() - rng.Int64(), Quantity: rng.IntN(11) - 1, Amount: rng.Int64()}
				if rng.IntN(5) != 0 {
					l.SeatIDs = []string{}
					for range rng.IntN(5) {
						l.SeatIDs = append(l.SeatIDs, str())
					}
				}
				q.Lines = append(q.Lines, l)
			}
		}
		q.Subtotal, q.Fees, q.Taxes, q.Total = rng.Int64(), -rng.Int64(), rng.Int64N(100), 0
		created := time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(time.FixedZone("x", rng.IntN(50000)-25000))
		if i%3 == 0 {
			created = created.UTC()
		}
		p := holdPayload{Quote: q, CreatedAt: created}
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendPayload(nil, p); string(got) != string(want) {
			t.Fatalf("payload:\n got %s\nwant %s", got, want)
		}

		e := SeatEvent{ShowID: str()}
		if i%5 != 0 {
			e.Seats = []SeatChange{}
			for range rng.IntN(6) {
				e.Seats = append(e.Seats, SeatChange{SeatID: str(), Status: SeatStatus(str())})
			}
		}
		want, err = json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendSeatEvent(nil, e); string(got) != string(want) {
			t.Fatalf("seat event:\n got %s\nwant %s", got, want)
		}
	}
}
