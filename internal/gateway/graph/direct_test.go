package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"google.golang.org/grpc"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/gateway/graph"
	"github.com/marquee-cinema/marquee/internal/gateway/graph/generated"
)

// seatMapBookings answers GetSeatMap with a fixed seat map.
type seatMapBookings struct {
	bookingv1.BookingServiceClient
	res *bookingv1.GetSeatMapResponse
}

func (b seatMapBookings) GetSeatMap(context.Context, *bookingv1.GetSeatMapRequest, ...grpc.CallOption) (*bookingv1.GetSeatMapResponse, error) {
	return b.res, nil
}

// TestDirectObjectsWriteTheSelection runs a seat map query through the generated executor, whose
// rows, cells and seats are direct objects (written by gqlinorder's writers, not gqlgen's field
// sets), and compares the answer byte for byte: keys in the order of the selection, aliases,
// __typename, fields merged from a fragment, a null seat in a gap, and strings that need escaping.
func TestDirectObjectsWriteTheSelection(t *testing.T) {
	t.Parallel()
	odd := "A\"\\\n\t\x01\x1f\v<&>é😀" // the row label, and so part of each seat's id
	res := &bookingv1.GetSeatMapResponse{ShowId: "show-1",
		Layout: &theatrev1.Layout{Rows: []*theatrev1.Row{
			{Label: odd, Cells: []*theatrev1.Cell{
				{Number: 1, Category: "GOLD"},
				{Gap: true},
				{Number: 2, Category: "Gold \"plus\"", Accessible: true},
			}},
			{Label: "B", Cells: []*theatrev1.Cell{{Number: 1, Category: "GOLD", Companion: true}}},
		}},
		Seats: []*bookingv1.SeatState{
			{SeatId: odd + "1", Status: bookingv1.SeatStatus_SEAT_STATUS_AVAILABLE},
			{SeatId: odd + "2", Status: bookingv1.SeatStatus_SEAT_STATUS_HELD, Mine: true},
			{SeatId: "B1", Status: bookingv1.SeatStatus_SEAT_STATUS_BOOKED},
		},
	}
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{BookingClient: seatMapBookings{res: res}}}))
	srv.AddTransport(transport.POST{})
	query := `query M($s: ID!) { seatMap(showId: $s) { showId
	  rows { __typename l: label label cells { column ...C seat { n: number } } } } }
	fragment C on SeatCell { __typename seat { __typename id number category status accessible companion mine } }`
	body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"s": "show-1"}})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)

	str := func(s string) string {
		b := new(bytes.Buffer)
		graphql.MarshalString(s).MarshalGQL(b) // as gqlgen writes it…
		var escaped bytes.Buffer
		json.HTMLEscape(&escaped, b.Bytes()) // …and its POST transport escapes it
		return escaped.String()
	}
	seat := func(id string, number int, category, status string, accessible, companion, mine bool) string {
		return `{"__typename":"Seat","id":` + str(id) + `,"number":` + string(rune('0'+number)) + `,"category":` + str(category) +
			`,"status":"` + status + `","accessible":` + boolJSON(accessible) + `,"companion":` + boolJSON(companion) +
			`,"mine":` + boolJSON(mine) + `,"n":` + string(rune('0'+number)) + `}`
	}
	want := `{"data":{"seatMap":{"showId":"show-1","rows":[` +
		`{"__typename":"SeatRow","l":` + str(odd) + `,"label":` + str(odd) + `,"cells":[` +
		`{"column":0,"__typename":"SeatCell","seat":` + seat(odd+"1", 1, "GOLD", "AVAILABLE", false, false, false) + `},` +
		`{"column":1,"__typename":"SeatCell","seat":null},` +
		`{"column":2,"__typename":"SeatCell","seat":` + seat(odd+"2", 2, `Gold "plus"`, "HELD", true, false, true) + `}]},` +
		`{"__typename":"SeatRow","l":"B","label":"B","cells":[` +
		`{"column":0,"__typename":"SeatCell","seat":` + seat("B1", 1, "GOLD", "BOOKED", false, true, false) + `}]}]}}}`
	if got := strings.TrimSpace(rec.Body.String()); got != want {
		t.Errorf("answer\n got %s\nwant %s", got, want)
	}
}

func boolJSON(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
