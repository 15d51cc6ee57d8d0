// Package graph holds the GraphQL resolvers of the gateway. Resolvers are thin: they decode the
// arguments, call a service over gRPC and convert the answer; errors are mapped to
// extensions.code once, by the server's error presenter.
package graph

import (
	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	showv1 "github.com/marquee-cinema/marquee/api/proto/marquee/show/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
)

// Resolver is the root resolver. It holds the gRPC clients of the services the gateway calls.
type Resolver struct {
	MovieClient   moviev1.MovieServiceClient
	TheatreClient theatrev1.TheatreServiceClient
	ShowClient    showv1.ShowServiceClient
	UserClient    userv1.UserServiceClient
	BookingClient bookingv1.BookingServiceClient

	// Limiter and AuthRule limit sign-in, sign-up and refreshes per client address.
	Limiter  ratelimit.Limiter
	AuthRule ratelimit.Rule
}
