// Package gateway is Marquee's public edge: the GraphQL API over HTTP (gqlgen), its limits,
// error mapping and metrics. It calls the services over gRPC only.
package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	paymentv1 "github.com/marquee-cinema/marquee/api/proto/marquee/payment/v1"
	showv1 "github.com/marquee-cinema/marquee/api/proto/marquee/show/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/gateway/graph"
	"github.com/marquee-cinema/marquee/internal/gateway/graph/generated"
	"github.com/marquee-cinema/marquee/internal/gateway/graph/model"
	"github.com/marquee-cinema/marquee/internal/gateway/web"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/metrics"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
	"github.com/marquee-cinema/marquee/internal/platform/session"
)

// Options configure the gateway.
type Options struct {
	Log           *slog.Logger
	Metrics       *metrics.Metrics
	MaxDepth      int
	MaxComplexity int
	Playground    bool

	Movies   moviev1.MovieServiceClient
	Theatres theatrev1.TheatreServiceClient
	Shows    showv1.ShowServiceClient
	Users    userv1.UserServiceClient
	Bookings bookingv1.BookingServiceClient
	Payments paymentv1.PaymentServiceClient
	// Sessions signs the anonymous session cookies that own guests' holds.
	Sessions *session.Signer

	// Verifier checks bearer tokens; the services check them again.
	Verifier auth.TokenVerifier
	// Limiter limits sign-in, sign-up and refreshes per client address to AuthRule.
	Limiter  ratelimit.Limiter
	AuthRule ratelimit.Rule
	// TrustForwardedFor takes the client address from X-Forwarded-For.
	TrustForwardedFor bool
	// CacheTTL is how long identical anonymous catalogue answers are served from memory (0: off).
	CacheTTL time.Duration
}

// Mount adds the gateway's routes to mux: /graphql, POST /webhooks/payments/{provider},
// /playground when enabled, and the web front end at /.
func Mount(mux *http.ServeMux, o Options) {
	resolver := &graph.Resolver{MovieClient: o.Movies, TheatreClient: o.Theatres, ShowClient: o.Shows, UserClient: o.Users,
		BookingClient: o.Bookings, Limiter: o.Limiter, AuthRule: o.AuthRule}
	cfg := generated.Config{Resolvers: resolver}
	setComplexity(&cfg.Complexity)
	srv := handler.New(generated.NewExecutableSchema(cfg))
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		InitFunc:              wsInit(o),
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: wsAcceptOptions},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(jsonPOST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(depthLimit{max: o.MaxDepth})
	srv.Use(extension.FixedComplexityLimit(o.MaxComplexity))
	srv.SetErrorPresenter(errorPresenter(o.Log))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		o.Log.ErrorContext(ctx, "panic in graphql resolver", "panic", p)
		return errInternal
	})
	srv.AroundOperations(operationMetrics(o.Metrics))
	// No AroundFields: fields that are plain scalar struct fields skip gqlgen's per-field
	// resolution, middleware included (gqlinorder's trivialFields). Per-field logic belongs in a
	// resolver.

	gql := http.Handler(srv)
	mux.Handle("/graphql", newMicroCache(o.CacheTTL, authenticate(o, withSession(o, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gql.ServeHTTP(w, r.WithContext(resolver.WithLoaders(r.Context())))
	})))))
	if o.Payments != nil {
		mux.Handle("POST /webhooks/payments/{provider}", WebhookHandler(o.Payments, o.Log))
	}
	if o.Playground {
		mux.Handle("/playground", playground.Handler("Marquee GraphQL", "/graphql"))
	}
	// The web front end answers every path no other route claims (GET and HEAD only).
	if site, err := web.New(); err != nil {
		o.Log.Error("web front end not served", "err", err)
	} else {
		mux.Handle("/", site)
	}
}

// operationMetrics records each operation's duration by name and result.
func operationMetrics(m *metrics.Metrics) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		start := time.Now()
		rc := graphql.GetOperationContext(ctx)
		name := rc.OperationName
		if name == "" && rc.Operation != nil {
			name = rc.Operation.Name
		}
		if name == "" {
			name = "anonymous"
		}
		respond := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			resp := respond(ctx)
			result := "ok"
			if resp == nil || len(resp.Errors) > 0 {
				result = "error"
			}
			if m != nil {
				m.GraphQL.WithLabelValues(name, result).Observe(time.Since(start).Seconds())
			}
			return resp
		}
	}
}

// setComplexity weighs list fields by the number of items they may return, so the complexity
// limit bounds the work of a query rather than its length.
func setComplexity(c *generated.ComplexityRoot) {
	c.Query.Movies = func(child int, _ *model.MovieFilter, first *int, _ *string) int {
		n := 20
		if first != nil && *first > 0 {
			n = *first
		}
		return 1 + n*child
	}
	c.Query.AuditLog = func(child int, _ *model.AuditFilter, first *int, _ *string) int {
		n := 50
		if first != nil && *first > 0 {
			n = *first
		}
		return 1 + n*child
	}
	c.Query.Theatres = func(child int, _ *model.TheatreFilter) int { return 1 + 50*child }
	c.Theatre.Screens = func(child int) int { return 1 + 5*child }
	c.Query.Cities = func(child int) int { return 1 + 20*child }
	c.SeatLayout.Rows = func(child int) int { return 1 + 20*child }
	c.LayoutRow.Cells = func(child int) int { return 1 + 30*child }
	c.Query.Showtimes = func(child int, _ model.ShowtimeFilter) int { return 1 + 20*child }
	c.TheatreShowtimes.Shows = func(child int) int { return 1 + 30*child }
	c.Show.Prices = func(child int) int { return 1 + 5*child }
	c.Show.BasePrices = func(child int) int { return 1 + 5*child }
	c.ScheduleResult.Created = func(child int) int { return 1 + 100*child }
	c.ScheduleResult.Conflicts = func(child int) int { return 1 + 100*child }
}
