package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	paymentv1 "github.com/marquee-cinema/marquee/api/proto/marquee/payment/v1"
	showv1 "github.com/marquee-cinema/marquee/api/proto/marquee/show/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/demo"
	"github.com/marquee-cinema/marquee/internal/gateway"
	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/movie/moviegrpc"
	"github.com/marquee-cinema/marquee/internal/movie/moviemongo"
	"github.com/marquee-cinema/marquee/internal/movie/moviesqlite"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub/pubsubredis"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
	"github.com/marquee-cinema/marquee/internal/show"
	"github.com/marquee-cinema/marquee/internal/show/showgrpc"
	"github.com/marquee-cinema/marquee/internal/show/showmongo"
	"github.com/marquee-cinema/marquee/internal/show/showsqlite"
	"github.com/marquee-cinema/marquee/internal/theatre"
	"github.com/marquee-cinema/marquee/internal/theatre/theatregrpc"
	"github.com/marquee-cinema/marquee/internal/theatre/theatremongo"
	"github.com/marquee-cinema/marquee/internal/theatre/theatresqlite"
	"github.com/marquee-cinema/marquee/internal/user"
)

// Module names. Services can be targets; the others are infrastructure pulled in as dependencies.
const (
	ModuleStore   = "store"
	ModuleMovie   = "movie"
	ModuleTheatre = "theatre"
	ModuleShow    = "show"
	ModuleUser    = "user"
	ModuleBooking = "booking"
	ModulePayment = "payment"
	ModuleGateway = "gateway"
	ModuleDemo    = "demo"
	ModuleRedis   = "redis"
)

// serviceNames are the modules that serve gRPC, and grpcServiceNames their gRPC service names
// for the health service.
var (
	serviceNames     = []string{ModuleUser, ModuleMovie, ModuleTheatre, ModuleShow, ModuleBooking, ModulePayment}
	grpcServiceNames = map[string][]string{
		ModuleUser:    {userv1.UserService_ServiceDesc.ServiceName},
		ModuleMovie:   {moviev1.MovieService_ServiceDesc.ServiceName},
		ModuleTheatre: {theatrev1.TheatreService_ServiceDesc.ServiceName},
		ModuleShow:    {showv1.ShowService_ServiceDesc.ServiceName},
		ModuleBooking: {bookingv1.BookingService_ServiceDesc.ServiceName},
		ModulePayment: {paymentv1.PaymentService_ServiceDesc.ServiceName},
	}
)

// services are the domain services this process runs.
type services struct {
	movies   *movie.Service
	theatres *theatre.Service
	shows    *show.Service
	users    *user.Service
	bookings *booking.Service
}

func (a *App) registerModules() {
	m := a.manager
	m.Register(Module{Name: ModuleStore, Start: a.openStore, Stop: a.closeStore})
	m.Register(Module{Name: ModuleRedis, Start: a.openRedis, Stop: a.closeRedis})
	m.Register(Module{Name: ModuleUser, Deps: a.withRedis(ModuleStore), Start: a.startUser})
	m.Register(Module{Name: ModuleMovie, Deps: []string{ModuleStore}, Start: a.startMovie})
	m.Register(Module{Name: ModuleTheatre, Deps: []string{ModuleStore}, Start: a.startTheatre})
	m.Register(Module{Name: ModuleShow, Deps: a.withRedis(ModuleStore), Start: a.startShow})
	bookingDeps := a.withRedis(ModuleStore)
	if slices.Contains(a.targets, ModulePayment) {
		// Payments call back into bookings only when webhooks arrive, so bookings can start
		// after payments without a cycle.
		bookingDeps = append(bookingDeps, ModulePayment)
	}
	m.Register(Module{Name: ModuleBooking, Deps: bookingDeps, Start: a.startBooking, Stop: a.stopBooking})
	m.Register(Module{Name: ModulePayment, Deps: []string{ModuleStore}, Start: a.startPayment})
	demoDeps := []string{ModuleMovie, ModuleTheatre, ModuleShow}
	if slices.Contains(a.targets, ModuleUser) {
		demoDeps = append(demoDeps, ModuleUser)
	}
	m.Register(Module{Name: ModuleDemo, Deps: demoDeps, Start: a.loadDemo, Stop: a.stopDemo})
	m.Register(Module{Name: ModuleGateway, Deps: a.withRedis(), Start: a.startGateway})
}

// extraTargets are modules the configuration asks for besides the target's services: the demo
// data set, where this process runs the services it seeds.
func (a *App) extraTargets(targets []string) []string {
	if a.cfg.Demo && slices.Contains(targets, ModuleMovie) && slices.Contains(targets, ModuleTheatre) && slices.Contains(targets, ModuleShow) {
		return []string{ModuleDemo}
	}
	return nil
}

// checkPeers makes sure every service the gateway calls is either local or has an address.
func (a *App) checkPeers() error {
	needs := map[string][]string{
		ModuleGateway: {ModuleUser, ModuleMovie, ModuleTheatre, ModuleShow, ModuleBooking},
		ModuleShow:    {ModuleMovie, ModuleTheatre, ModuleBooking},
		ModuleBooking: {ModuleTheatre, ModuleShow},
		ModulePayment: {ModuleBooking},
	}
	// Without them, the gateway serves no payment webhooks and the booking service answers
	// checkout with UNAVAILABLE; holds and seat maps work.
	for _, optional := range []struct{ caller, module string }{{ModuleGateway, ModulePayment}, {ModuleBooking, ModulePayment}, {ModuleBooking, ModuleUser}} {
		if a.runs(optional.caller) && !a.runs(optional.module) && a.cfg.PeerAddr(optional.module) == "" {
			a.log.Warn("checkout is off: a service it needs is neither in this process nor given an address",
				"module", optional.caller, "needs", optional.module, "flag", "--"+optional.module+"-addr")
		}
	}
	for _, caller := range []string{ModuleGateway, ModuleShow, ModuleBooking, ModulePayment} {
		if !a.runs(caller) {
			continue
		}
		for _, module := range needs[caller] {
			if !a.runs(module) && a.cfg.PeerAddr(module) == "" {
				return fmt.Errorf("the %s module needs the %s service: run it in this process (--target) or give --%s-addr or --services-addr", caller, module, module)
			}
		}
	}
	return nil
}

func (a *App) startMovie(ctx context.Context) error {
	var repo movie.Repository
	var err error
	if a.mongoDB != nil {
		repo, err = moviemongo.New(ctx, a.mongoDB)
	} else {
		repo, err = moviesqlite.New(ctx, a.sqlDB)
	}
	if err != nil {
		return fmt.Errorf("movie repository: %w", err)
	}
	a.svc.movies = movie.NewService(repo, a.clock)
	auditLog, err := a.auditLog(ctx)
	if err != nil {
		return err
	}
	a.svc.movies.SetAudit(auditLog)
	a.registerService(&moviev1.MovieService_ServiceDesc, moviegrpc.NewServer(a.svc.movies))
	return nil
}

func (a *App) startTheatre(ctx context.Context) error {
	var cities theatre.CityRepository
	var theatres theatre.TheatreRepository
	var screens theatre.ScreenRepository
	if a.mongoDB != nil {
		s, err := theatremongo.New(ctx, a.mongoDB)
		if err != nil {
			return fmt.Errorf("theatre repositories: %w", err)
		}
		cities, theatres, screens = s.Cities, s.Theatres, s.Screens
	} else {
		s, err := theatresqlite.New(ctx, a.sqlDB)
		if err != nil {
			return fmt.Errorf("theatre repositories: %w", err)
		}
		cities, theatres, screens = s.Cities, s.Theatres, s.Screens
	}
	a.svc.theatres = theatre.NewService(cities, theatres, screens, a.clock)
	auditLog, err := a.auditLog(ctx)
	if err != nil {
		return err
	}
	a.svc.theatres.SetAudit(auditLog)
	a.registerService(&theatrev1.TheatreService_ServiceDesc, theatregrpc.NewServer(a.svc.theatres))
	return nil
}

// loadDemo seeds the demo data set into an empty store, with a week of shows. A store with data
// keeps its catalogue; the demo programme is topped up in the background so that a restarted demo
// always has the coming week of shows.
func (a *App) loadDemo(ctx context.Context) error {
	if err := a.demoAccounts(ctx); err != nil {
		return err
	}
	empty, err := demo.IsEmpty(ctx, a.svc.movies, a.svc.theatres)
	if err != nil {
		return err
	}
	if !empty {
		bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
		a.demoStop = cancel
		a.demoDone = make(chan struct{})
		go func() {
			defer close(a.demoDone)
			n, err := demo.LoadShows(bg, a.svc.shows, a.clock.Now(), false)
			if err != nil && bg.Err() == nil {
				a.log.Warn("demo shows: top-up failed", "error", err)
				return
			}
			a.log.Info("demo shows topped up", "shows", n)
		}()
		return nil
	}
	sum, err := demo.Load(ctx, a.svc.movies, a.svc.theatres)
	if err != nil {
		return err
	}
	n, err := demo.LoadShows(ctx, a.svc.shows, a.clock.Now(), true)
	if err != nil {
		return err
	}
	a.log.Info("demo data loaded", "cities", sum.Cities, "theatres", sum.Theatres, "screens", sum.Screens,
		"seats", sum.Seats, "movies", sum.Movies, "shows", n)
	return nil
}

func (a *App) stopDemo(ctx context.Context) error {
	if a.demoStop == nil {
		return nil
	}
	a.demoStop()
	select {
	case <-a.demoDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *App) startShow(ctx context.Context) error {
	var repo show.Repository
	var pricing show.PricingRepository
	if a.mongoDB != nil {
		s, err := showmongo.New(ctx, a.mongoDB)
		if err != nil {
			return fmt.Errorf("show repositories: %w", err)
		}
		repo, pricing = s.Shows, s.Pricing
	} else {
		s, err := showsqlite.New(ctx, a.sqlDB)
		if err != nil {
			return fmt.Errorf("show repositories: %w", err)
		}
		repo, pricing = s.Shows, s.Pricing
	}
	p, err := a.peers()
	if err != nil {
		return err
	}
	bookings := showgrpc.BookingOccupancy{Client: p.bookings}
	a.svc.shows = show.NewService(show.Deps{Repo: repo, Pricing: pricing,
		Occupancy: bookings,
		Catalogue: showgrpc.Catalogue{Movies: p.movies, Theatres: p.theatres},
		Auth:      showgrpc.TheatreAuthorizer{}, Dates: show.NewDateCache(a.cache()), Clock: a.clock})
	auditLog, err := a.auditLog(ctx)
	if err != nil {
		return err
	}
	a.svc.shows.SetAudit(auditLog)
	a.svc.shows.OnCancel(bookings.CancelBookings)
	a.registerService(&showv1.ShowService_ServiceDesc, showgrpc.NewServer(a.svc.shows))
	return nil
}

func (a *App) startGateway(context.Context) error {
	p, err := a.peers()
	if err != nil {
		return err
	}
	gateway.Mount(a.mux, gateway.Options{Shows: p.shows, Users: p.users, Bookings: p.bookings, Sessions: a.sessions,
		Verifier: a.verifier, Limiter: a.limiter(), AuthRule: ratelimit.Rule{Limit: a.cfg.AuthRatePerIP, Window: a.cfg.AuthRateWindow},
		TrustForwardedFor: a.cfg.TrustForwarded, Log: a.log, Metrics: a.metrics, MaxDepth: a.cfg.GraphQLMaxDepth,
		MaxComplexity: a.cfg.GraphQLMaxComplexity, Playground: a.cfg.Playground,
		Movies: p.movies, Theatres: p.theatres, Payments: p.payments, CacheTTL: a.cfg.GraphQLCacheTTL})
	return nil
}

// SeedDemo loads the demo data set into an empty store (marquee seed). It refuses a store that
// has data, with a Conflict error.
func (a *App) SeedDemo(ctx context.Context) (demo.Summary, error) {
	if a.svc.movies == nil || a.svc.theatres == nil {
		return demo.Summary{}, fmt.Errorf("seeding needs the movie and theatre services in this process")
	}
	sum, err := demo.Load(ctx, a.svc.movies, a.svc.theatres)
	if err != nil {
		return sum, err
	}
	if a.svc.shows != nil {
		n, err := demo.LoadShows(ctx, a.svc.shows, a.clock.Now(), true)
		sum.Shows = n
		return sum, err
	}
	return sum, nil
}

func (a *App) stopBooking(context.Context) error {
	a.mu.Lock()
	bus, locker := a.eventBus, a.seatLocker
	a.mu.Unlock()
	var errs []error
	if locker != nil {
		errs = append(errs, locker.Close())
	}
	if r, ok := bus.(*pubsubredis.Bus); ok {
		errs = append(errs, r.Close())
	}
	return errors.Join(errs...)
}
