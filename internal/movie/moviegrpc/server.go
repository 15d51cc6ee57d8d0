// Package moviegrpc serves the movie service over gRPC (marquee.movie.v1) and converts between
// its protobuf messages and the domain.
package moviegrpc

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Server implements moviev1.MovieServiceServer over a movie.Service.
type Server struct {
	moviev1.UnimplementedMovieServiceServer
	svc *movie.Service
}

// NewServer returns the gRPC server of svc.
func NewServer(svc *movie.Service) *Server { return &Server{svc: svc} }

// CreateMovie adds a movie.
func (s *Server) CreateMovie(ctx context.Context, req *moviev1.CreateMovieRequest) (*moviev1.CreateMovieResponse, error) {
	if req.GetMovie() == nil {
		return nil, errs.Invalidf("movie", "movie is required")
	}
	m, err := fromProtoMovie(req.GetMovie())
	if err != nil {
		return nil, err
	}
	m.ID = ""
	created, err := s.svc.Create(ctx, m)
	if err != nil {
		return nil, err
	}
	return &moviev1.CreateMovieResponse{Movie: ToProtoMovie(created)}, nil
}

// GetMovie returns one movie.
func (s *Server) GetMovie(ctx context.Context, req *moviev1.GetMovieRequest) (*moviev1.GetMovieResponse, error) {
	m, err := s.svc.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &moviev1.GetMovieResponse{Movie: ToProtoMovie(m)}, nil
}

// BatchGetMovies returns the movies that exist among the ids.
func (s *Server) BatchGetMovies(ctx context.Context, req *moviev1.BatchGetMoviesRequest) (*moviev1.BatchGetMoviesResponse, error) {
	ms, err := s.svc.GetMany(ctx, req.GetIds())
	if err != nil {
		return nil, err
	}
	out := &moviev1.BatchGetMoviesResponse{Movies: make([]*moviev1.Movie, len(ms))}
	for i, m := range ms {
		out.Movies[i] = ToProtoMovie(m)
	}
	return out, nil
}

// ListMovies pages through movies.
func (s *Server) ListMovies(ctx context.Context, req *moviev1.ListMoviesRequest) (*moviev1.ListMoviesResponse, error) {
	f := req.GetFilter()
	filter := movie.Filter{Language: f.GetLanguage(), Genre: f.GetGenre(), Format: f.GetFormat(),
		Status: fromProtoStatus(f.GetStatus()), Search: f.GetSearch()}
	if f.GetRestrictToIds() {
		filter.IDs = append([]string{}, f.GetIds()...)
	}
	res, err := s.svc.List(ctx, filter, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &moviev1.ListMoviesResponse{HasNextPage: res.HasNextPage, Movies: make([]*moviev1.Movie, len(res.Movies)),
		Cursors: make([]string, len(res.Movies))}
	for i, m := range res.Movies {
		out.Movies[i] = ToProtoMovie(m)
		out.Cursors[i] = movie.CursorOf(m)
	}
	return out, nil
}

// ToProtoMovie converts a domain movie to its message.
func ToProtoMovie(m movie.Movie) *moviev1.Movie {
	return &moviev1.Movie{Id: m.ID, Title: m.Title, Synopsis: m.Synopsis, RuntimeMinutes: int32(m.RuntimeMinutes),
		ReleaseDate: m.ReleaseDate, Certification: m.Certification, Genres: m.Genres, Languages: m.Languages,
		Formats: m.Formats, Cast: toProtoCredits(m.Cast), Crew: toProtoCredits(m.Crew), Status: toProtoStatus(m.Status),
		PosterUrl: m.PosterURL, CreateTime: timestamppb.New(m.CreatedAt), UpdateTime: timestamppb.New(m.UpdatedAt)}
}

func fromProtoMovie(p *moviev1.Movie) (movie.Movie, error) {
	m := movie.Movie{ID: p.GetId(), Title: p.GetTitle(), Synopsis: p.GetSynopsis(), RuntimeMinutes: int(p.GetRuntimeMinutes()),
		ReleaseDate: p.GetReleaseDate(), Certification: p.GetCertification(), Genres: p.GetGenres(),
		Languages: p.GetLanguages(), Formats: p.GetFormats(), Cast: fromProtoCredits(p.GetCast()),
		Crew: fromProtoCredits(p.GetCrew()), Status: fromProtoStatus(p.GetStatus()), PosterURL: p.GetPosterUrl()}
	return m, nil
}

func toProtoCredits(cs []movie.Credit) []*moviev1.Credit {
	out := make([]*moviev1.Credit, len(cs))
	for i, c := range cs {
		out[i] = &moviev1.Credit{Name: c.Name, Role: c.Role}
	}
	return out
}

func fromProtoCredits(cs []*moviev1.Credit) []movie.Credit {
	if len(cs) == 0 {
		return nil
	}
	out := make([]movie.Credit, len(cs))
	for i, c := range cs {
		out[i] = movie.Credit{Name: c.GetName(), Role: c.GetRole()}
	}
	return out
}

var statusToProto = map[movie.Status]moviev1.MovieStatus{
	movie.StatusUpcoming:   moviev1.MovieStatus_MOVIE_STATUS_UPCOMING,
	movie.StatusNowShowing: moviev1.MovieStatus_MOVIE_STATUS_NOW_SHOWING,
	movie.StatusArchived:   moviev1.MovieStatus_MOVIE_STATUS_ARCHIVED,
}

func toProtoStatus(s movie.Status) moviev1.MovieStatus { return statusToProto[s] }

func fromProtoStatus(s moviev1.MovieStatus) movie.Status {
	for k, v := range statusToProto {
		if v == s {
			return k
		}
	}
	return ""
}

// UpdateMovie replaces a movie's fields.
func (s *Server) UpdateMovie(ctx context.Context, req *moviev1.UpdateMovieRequest) (*moviev1.UpdateMovieResponse, error) {
	if req.GetMovie() == nil {
		return nil, errs.Invalidf("movie", "movie is required")
	}
	next, err := fromProtoMovie(req.GetMovie())
	if err != nil {
		return nil, err
	}
	updated, err := s.svc.Update(ctx, next.ID, func(m *movie.Movie) error {
		next.ID, next.CreatedAt, next.UpdatedAt = m.ID, m.CreatedAt, m.UpdatedAt
		*m = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &moviev1.UpdateMovieResponse{Movie: ToProtoMovie(updated)}, nil
}
