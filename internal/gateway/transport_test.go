package gateway

import (
	"context"
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
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// stubBookings answers GetSeatMap with one row whose label needs escaping, and GetHold with
// NotFound.
type stubBookings struct{ bookingv1.BookingServiceClient }

func (stubBookings) GetSeatMap(context.Context, *bookingv1.GetSeatMapRequest, ...grpc.CallOption) (*bookingv1.GetSeatMapResponse, error) {
	return &bookingv1.GetSeatMapResponse{ShowId: "s1",
		Layout: &theatrev1.Layout{Rows: []*theatrev1.Row{{Label: "<A & \"B\"> \u2028\u2029", Cells: []*theatrev1.Cell{{Number: 1, Category: "é"}}}}},
		Seats:  []*bookingv1.SeatState{{SeatId: "<A & \"B\"> \u2028\u20291", Status: bookingv1.SeatStatus_SEAT_STATUS_AVAILABLE}}}, nil
}

func (stubBookings) GetHold(context.Context, *bookingv1.GetHoldRequest, ...grpc.CallOption) (*bookingv1.GetHoldResponse, error) {
	return nil, errs.NotFoundf("hold not found")
}

// TestJSONPOSTAnswersAsGqlgen: the gateway's POST transport gives every answer gqlgen's POST
// gives — the same status, content type and JSON, byte for byte — for answers with data (with
// characters HTML escaping changes), with errors beside data, for requests that fail validation or
// are not JSON, and for each Accept header.
func TestJSONPOSTAnswersAsGqlgen(t *testing.T) {
	t.Parallel()
	server := func(tr graphql.Transport) *handler.Server {
		srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{BookingClient: stubBookings{}}}))
		srv.AddTransport(tr)
		srv.SetErrorPresenter(errorPresenter(nil))
		srv.Use(extensionsWith{"cost": 3})
		return srv
	}
	ours, theirs := server(jsonPOST{}), server(transport.POST{})
	seatMap := `query($s: ID!) { seatMap(showId: $s) { showId rows { label cells { seat { id category status } } } } }`
	bodies := []string{
		`{"query":` + mustJSON(seatMap) + `,"variables":{"s":"s1"}}`,
		`{"query":"query { seatMap(showId: \"s1\") { showId } hold(id: \"nope\") { id } }"}`,
		`{"query":"{ seatMap(showId: \"s1\") { nothing } }"}`,
		`{"query":"{ seatMap(showId: ) }"}`,
		`{"query": 12}`,
		`not json`,
		`{"query":"mutation { releaseHold(holdId: \"x\") }","operationName":"Missing"}`,
	}
	for _, accept := range []string{"", "application/json", "application/graphql-response+json", "text/html", "*/*"} {
		for _, body := range bodies {
			do := func(h http.Handler) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if accept != "" {
					req.Header.Set("Accept", accept)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			got, want := do(ours), do(theirs)
			if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") ||
				strings.TrimSpace(got.Body.String()) != strings.TrimSpace(want.Body.String()) {
				t.Errorf("Accept %q, body %s:\n got %d %s %s\nwant %d %s %s", accept, body,
					got.Code, got.Header().Get("Content-Type"), got.Body, want.Code, want.Header().Get("Content-Type"), want.Body)
			}
		}
	}
}

// extensionsWith adds response extensions, so that the test covers them.
type extensionsWith map[string]any

func (extensionsWith) ExtensionName() string                   { return "test-extensions" }
func (extensionsWith) Validate(graphql.ExecutableSchema) error { return nil }
func (e extensionsWith) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	for k, v := range e {
		graphql.RegisterExtension(ctx, k, v)
	}
	return next(ctx)
}

// TestJSONPOSTRefusesHugeBodies: a body over 1 MiB is refused with 413 before it is parsed.
func TestJSONPOSTRefusesHugeBodies(t *testing.T) {
	t.Parallel()
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{BookingClient: stubBookings{}}}))
	srv.AddTransport(jsonPOST{})
	body := `{"query":"{ seatMap(showId: \"s1\") { showId } }","variables":{"pad":"` + strings.Repeat("x", maxGraphQLBody) + `"}}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "BAD_USER_INPUT") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
