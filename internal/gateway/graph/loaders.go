package graph

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/gateway/graph/model"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Loaders batch the calls that a list would otherwise make once per item. They live for one
// request, so they never serve stale data across requests.
type Loaders struct {
	screensByTheatre *dataloadgen.Loader[string, []*model.Screen]
	cityByID         *dataloadgen.Loader[string, *model.City]
	movieByID        *dataloadgen.Loader[string, *model.Movie]
	theatreByID      *dataloadgen.Loader[string, *model.Theatre]
	showByID         *dataloadgen.Loader[string, *model.Show]
}

type loadersKey struct{}

// batchWait is how long a loader waits to gather keys into one call.
const batchWait = 500 * time.Microsecond

// WithLoaders returns ctx carrying fresh loaders over r's clients.
func (r *Resolver) WithLoaders(ctx context.Context) context.Context {
	l := &Loaders{
		screensByTheatre: dataloadgen.NewMappedLoader(r.fetchScreens, dataloadgen.WithWait(batchWait)),
		cityByID:         dataloadgen.NewMappedLoader(r.fetchCities, dataloadgen.WithWait(batchWait)),
		movieByID:        dataloadgen.NewMappedLoader(r.fetchMovies, dataloadgen.WithWait(batchWait)),
		theatreByID:      dataloadgen.NewMappedLoader(r.fetchTheatres, dataloadgen.WithWait(batchWait)),
		showByID:         dataloadgen.NewMappedLoader(r.fetchShows, dataloadgen.WithWait(batchWait)),
	}
	return context.WithValue(ctx, loadersKey{}, l)
}

func loaders(ctx context.Context) *Loaders {
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	return l
}

func (r *Resolver) fetchScreens(ctx context.Context, theatreIDs []string) (map[string][]*model.Screen, error) {
	res, err := r.TheatreClient.ListScreens(ctx, &theatrev1.ListScreensRequest{TheatreIds: theatreIDs})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*model.Screen, len(theatreIDs))
	for _, id := range theatreIDs {
		out[id] = []*model.Screen{}
	}
	for _, s := range res.GetScreens() {
		out[s.GetTheatreId()] = append(out[s.GetTheatreId()], toGraphScreen(s))
	}
	return out, nil
}

// fetchCities loads every city at once: there are few, and a page of theatres spans several.
func (r *Resolver) fetchCities(ctx context.Context, cityIDs []string) (map[string]*model.City, error) {
	res, err := r.TheatreClient.ListCities(ctx, &theatrev1.ListCitiesRequest{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*model.City, len(res.GetCities()))
	for _, c := range res.GetCities() {
		out[c.GetId()] = toGraphCity(c)
	}
	for _, id := range cityIDs {
		if _, ok := out[id]; !ok {
			return nil, errs.E(errs.Internal, "city %s of a theatre is missing", id)
		}
	}
	return out, nil
}

// loadScreens returns a theatre's screens through the request's loader when there is one.
func (r *Resolver) loadScreens(ctx context.Context, theatreID string) ([]*model.Screen, error) {
	if l := loaders(ctx); l != nil {
		return l.screensByTheatre.Load(ctx, theatreID)
	}
	m, err := r.fetchScreens(ctx, []string{theatreID})
	return m[theatreID], err
}

func (r *Resolver) loadCity(ctx context.Context, cityID string) (*model.City, error) {
	if l := loaders(ctx); l != nil {
		return l.cityByID.Load(ctx, cityID)
	}
	m, err := r.fetchCities(ctx, []string{cityID})
	return m[cityID], err
}

func (r *Resolver) fetchMovies(ctx context.Context, movieIDs []string) (map[string]*model.Movie, error) {
	res, err := r.MovieClient.BatchGetMovies(ctx, &moviev1.BatchGetMoviesRequest{Ids: movieIDs})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*model.Movie, len(movieIDs))
	for _, m := range res.GetMovies() {
		out[m.GetId()] = toGraphMovie(m)
	}
	for _, id := range movieIDs {
		if out[id] == nil {
			return nil, errs.E(errs.Internal, "movie %s of a show is missing", id)
		}
	}
	return out, nil
}

func (r *Resolver) fetchTheatres(ctx context.Context, theatreIDs []string) (map[string]*model.Theatre, error) {
	res, err := r.TheatreClient.BatchGetTheatres(ctx, &theatrev1.BatchGetTheatresRequest{Ids: theatreIDs})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*model.Theatre, len(theatreIDs))
	for _, t := range res.GetTheatres() {
		out[t.GetId()] = toGraphTheatre(t)
	}
	for _, id := range theatreIDs {
		if out[id] == nil {
			return nil, errs.E(errs.Internal, "theatre %s of a show is missing", id)
		}
	}
	return out, nil
}

func (r *Resolver) loadMovie(ctx context.Context, movieID string) (*model.Movie, error) {
	if l := loaders(ctx); l != nil {
		return l.movieByID.Load(ctx, movieID)
	}
	m, err := r.fetchMovies(ctx, []string{movieID})
	return m[movieID], err
}

func (r *Resolver) loadTheatre(ctx context.Context, theatreID string) (*model.Theatre, error) {
	if l := loaders(ctx); l != nil {
		return l.theatreByID.Load(ctx, theatreID)
	}
	m, err := r.fetchTheatres(ctx, []string{theatreID})
	return m[theatreID], err
}

// loadScreen returns a screen of a theatre through the theatre's screens.
func (r *Resolver) loadScreen(ctx context.Context, theatreID, screenID string) (*model.Screen, error) {
	screens, err := r.loadScreens(ctx, theatreID)
	if err != nil {
		return nil, err
	}
	for _, s := range screens {
		if s.ID == screenID {
			return s, nil
		}
	}
	return nil, errs.E(errs.Internal, "screen %s of a show is missing", screenID)
}
