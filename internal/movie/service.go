package movie

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	MaxBatchGet     = 500
)

// Service is the movie catalogue's application layer.
type Service struct {
	repo  Repository
	clock clock.Clock
	audit audit.Log
	pages pageCache
}

// NewService returns a Service over repo. Its writes go to no audit log until SetAudit.
func NewService(repo Repository, clk clock.Clock) *Service {
	return &Service{repo: repo, clock: clk, audit: audit.Discard{}}
}

// SetAudit makes the service record its writes in l.
func (s *Service) SetAudit(l audit.Log) { s.audit = l }

// Create validates and stores a new movie, assigning its id when empty. Admins only.
func (s *Service) Create(ctx context.Context, m Movie) (Movie, error) {
	if _, err := auth.RequireAdmin(ctx); err != nil {
		return Movie{}, err
	}
	m.Normalize()
	if err := m.Validate(); err != nil {
		return Movie{}, err
	}
	if m.ID == "" {
		m.ID = ids.New()
	}
	now := s.clock.Now()
	m.CreatedAt, m.UpdatedAt = now, now
	if err := s.repo.Create(ctx, m); err != nil {
		return Movie{}, fmt.Errorf("create movie: %w", err)
	}
	s.pages.clear()
	_ = s.audit.Record(ctx, "movie.create", audit.ResourceMovie, m.ID, "", fmt.Sprintf("created movie %q", m.Title))
	return m, nil
}

// Get returns one movie. Invalid for a malformed id, NotFound for an unknown one.
func (s *Service) Get(ctx context.Context, id string) (Movie, error) {
	if !ids.Valid(id) {
		return Movie{}, errs.Invalidf("id", "%q is not a valid movie id", id)
	}
	return s.repo.Get(ctx, id)
}

// GetMany returns the movies among ids that exist; unknown ids are left out.
func (s *Service) GetMany(ctx context.Context, movieIDs []string) ([]Movie, error) {
	if len(movieIDs) > MaxBatchGet {
		return nil, errs.Invalidf("ids", "at most %d ids at once", MaxBatchGet)
	}
	for _, id := range movieIDs {
		if !ids.Valid(id) {
			return nil, errs.Invalidf("ids", "%q is not a valid movie id", id)
		}
	}
	return s.repo.GetMany(ctx, movieIDs)
}

// ListResult is one page of movies.
type ListResult struct {
	Movies      []Movie
	HasNextPage bool
}

// List returns the page of movies matching f after the opaque cursor (empty for the first page).
func (s *Service) List(ctx context.Context, f Filter, first int, after string) (ListResult, error) {
	if first == 0 {
		first = DefaultPageSize
	}
	if first < 0 || first > MaxPageSize {
		return ListResult{}, errs.Invalidf("first", "first must be between 1 and %d", MaxPageSize)
	}
	if f.Status != "" && !f.Status.Valid() {
		return ListResult{}, errs.Invalidf("status", "unknown status %q", f.Status)
	}
	if len(f.Search) > MaxTitleLen {
		return ListResult{}, errs.Invalidf("search", "search is longer than %d characters", MaxTitleLen)
	}
	f.Normalize()
	var pos *Position
	if after != "" {
		p, err := DecodeCursor(after)
		if err != nil {
			return ListResult{}, err
		}
		pos = &p
	}
	key := pageKey(f, pos, first)
	if res, ok := s.pages.get(key, s.clock.Now()); ok {
		return res, nil
	}
	movies, err := s.repo.List(ctx, f, pos, first+1)
	if err != nil {
		return ListResult{}, fmt.Errorf("list movies: %w", err)
	}
	res := ListResult{Movies: movies}
	if len(movies) > first {
		res.Movies, res.HasNextPage = movies[:first], true
	}
	s.pages.put(key, res, s.clock.Now())
	return res, nil
}

// Update applies fn to a movie and validates the result before storing it. Admins only.
func (s *Service) Update(ctx context.Context, id string, fn func(*Movie) error) (Movie, error) {
	if _, err := auth.RequireAdmin(ctx); err != nil {
		return Movie{}, err
	}
	if !ids.Valid(id) {
		return Movie{}, errs.Invalidf("id", "%q is not a valid movie id", id)
	}
	m, err := s.repo.Update(ctx, id, func(m *Movie) error {
		if err := fn(m); err != nil {
			return err
		}
		m.Normalize()
		if err := m.Validate(); err != nil {
			return err
		}
		m.UpdatedAt = s.clock.Now()
		return nil
	})
	if err != nil {
		return Movie{}, err
	}
	s.pages.clear()
	_ = s.audit.Record(ctx, "movie.update", audit.ResourceMovie, m.ID, "", fmt.Sprintf("updated movie %q", m.Title))
	return m, nil
}

// cursorPayload is the JSON inside a cursor. Short keys keep cursors short.
type cursorPayload struct {
	K string `json:"k"`
	I string `json:"i"`
}

// EncodeCursor turns a listing position into an opaque cursor.
func EncodeCursor(p Position) string {
	b, _ := json.Marshal(cursorPayload{K: p.TitleKey, I: p.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// CursorOf returns the cursor that points just after m.
func CursorOf(m Movie) string {
	return EncodeCursor(Position{TitleKey: SortKey(m.Title), ID: m.ID})
}

// DecodeCursor parses an opaque cursor. Invalid when it is not one Marquee made.
func DecodeCursor(cursor string) (Position, error) {
	bad := errs.Invalidf("after", "after is not a valid cursor; pass the endCursor of a previous page")
	// The longest cursor EncodeCursor makes is about 1,700 characters: a title of MaxTitleLen
	// characters that JSON escapes to six bytes each (\u003c), an id, base64.
	if len(cursor) > 2048 {
		return Position{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return Position{}, bad
	}
	var p cursorPayload
	if err := json.Unmarshal(b, &p); err != nil || !ids.Valid(p.I) || utf8.RuneCountInString(p.K) > MaxTitleLen {
		return Position{}, bad
	}
	return Position{TitleKey: p.K, ID: p.I}, nil
}
