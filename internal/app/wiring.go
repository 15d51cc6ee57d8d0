package app

import (
	"context"
	"fmt"
	"slices"

	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/demo"
	"github.com/marquee-cinema/marquee/internal/gateway"
	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/movie/moviegrpc"
	"github.com/marquee-cinema/marquee/internal/movie/moviemongo"
	"github.com/marquee-cinema/marquee/internal/movie/moviesqlite"
	"github.com/marquee-cinema/marquee/internal/theatre"
	"github.com/marquee-cinema/marquee/internal/theatre/theatregrpc"
	"github.com/marquee-cinema/marquee/internal/theatre/theatremongo"
	"github.com/marquee-cinema/marquee/internal/theatre/theatresqlite"
)

// Module names. Services can be targets; the others are infrastructure pulled in as dependencies.
const (
	ModuleStore   = "store"
	ModuleMovie   = "movie"
	ModuleTheatre = "theatre"
	ModuleGateway = "gateway"
	ModuleDemo    = "demo"
)

// serviceNames are the modules that serve gRPC, and grpcServiceNames their gRPC service names
// for the health service.
var (
	serviceNames     = []string{ModuleMovie, ModuleTheatre}
	grpcServiceNames = map[string][]string{
		ModuleMovie:   {moviev1.MovieService_ServiceDesc.ServiceName},
		ModuleTheatre: {theatrev1.TheatreService_ServiceDesc.ServiceName},
	}
)

// services are the domain services this process runs.
type services struct {
	movies   *movie.Service
	theatres *theatre.Service
}

func (a *App) registerModules() {
	m := a.manager
	m.Register(Module{Name: ModuleStore, Start: a.openStore, Stop: a.closeStore})
	m.Register(Module{Name: ModuleMovie, Deps: []string{ModuleStore}, Start: a.startMovie})
	m.Register(Module{Name: ModuleTheatre, Deps: []string{ModuleStore}, Start: a.startTheatre})
	m.Register(Module{Name: ModuleDemo, Deps: []string{ModuleMovie, ModuleTheatre}, Start: a.loadDemo})
	m.Register(Module{Name: ModuleGateway, Start: a.startGateway})
}

// extraTargets are modules the configuration asks for besides the target's services: the demo
// data set, where this process runs the services it seeds.
func (a *App) extraTargets(targets []string) []string {
	if a.cfg.Demo && slices.Contains(targets, ModuleMovie) && slices.Contains(targets, ModuleTheatre) {
		return []string{ModuleDemo}
	}
	return nil
}

// checkPeers makes sure every service the gateway calls is either local or has an address.
func (a *App) checkPeers() error {
	if !a.runs(ModuleGateway) {
		return nil
	}
	for module, addr := range map[string]string{ModuleMovie: a.cfg.MovieAddr, ModuleTheatre: a.cfg.TheatreAddr} {
		if !a.runs(module) && addr == "" {
			return fmt.Errorf("the gateway needs the %s service: run it in this process (--target) or give --%s-addr", module, module)
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
	a.registerService(&theatrev1.TheatreService_ServiceDesc, theatregrpc.NewServer(a.svc.theatres))
	return nil
}

// loadDemo seeds the demo data set into an empty store; a store with data is left alone.
func (a *App) loadDemo(ctx context.Context) error {
	empty, err := demo.IsEmpty(ctx, a.svc.movies, a.svc.theatres)
	if err != nil {
		return err
	}
	if !empty {
		a.log.Info("demo data: the store already has data; leaving it as it is")
		return nil
	}
	sum, err := demo.Load(ctx, a.svc.movies, a.svc.theatres)
	if err != nil {
		return err
	}
	a.log.Info("demo data loaded", "cities", sum.Cities, "theatres", sum.Theatres, "screens", sum.Screens,
		"seats", sum.Seats, "movies", sum.Movies)
	return nil
}

func (a *App) startGateway(context.Context) error {
	movieConn, err := a.clientConn(ModuleMovie, a.cfg.MovieAddr)
	if err != nil {
		return err
	}
	theatreConn, err := a.clientConn(ModuleTheatre, a.cfg.TheatreAddr)
	if err != nil {
		return err
	}
	gateway.Mount(a.mux, gateway.Options{Log: a.log, Metrics: a.metrics, MaxDepth: a.cfg.GraphQLMaxDepth,
		MaxComplexity: a.cfg.GraphQLMaxComplexity, Playground: a.cfg.Playground,
		Movies: moviev1.NewMovieServiceClient(movieConn), Theatres: theatrev1.NewTheatreServiceClient(theatreConn)})
	return nil
}

// SeedDemo loads the demo data set into an empty store (marquee seed). It refuses a store that
// has data, with a Conflict error.
func (a *App) SeedDemo(ctx context.Context) (demo.Summary, error) {
	if a.svc.movies == nil || a.svc.theatres == nil {
		return demo.Summary{}, fmt.Errorf("seeding needs the movie and theatre services in this process")
	}
	return demo.Load(ctx, a.svc.movies, a.svc.theatres)
}
