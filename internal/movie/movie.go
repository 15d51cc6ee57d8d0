// Package movie is the catalogue of films: their details, the rules for valid movies, the
// repository the service needs, and the service itself. Adapters live in sub-packages.
package movie

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Status is where a movie is in its theatrical life.
type Status string

// The statuses.
const (
	StatusUpcoming   Status = "UPCOMING"
	StatusNowShowing Status = "NOW_SHOWING"
	StatusArchived   Status = "ARCHIVED"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusUpcoming || s == StatusNowShowing || s == StatusArchived
}

// Credit is one person's part in a movie: an actor with a character, or crew with a job.
type Credit struct {
	Name string
	Role string // "Director", "Music", or for cast the character played
}

// Movie is a film in the catalogue.
type Movie struct {
	ID             string
	Title          string
	Synopsis       string
	RuntimeMinutes int
	ReleaseDate    string // YYYY-MM-DD, empty when unknown
	Certification  string
	Genres         []string
	Languages      []string
	Formats        []string
	Cast           []Credit
	Crew           []Credit
	Status         Status
	PosterURL      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Limits on a movie's fields.
const (
	MaxTitleLen    = 200
	MaxSynopsisLen = 5000
	MaxRuntime     = 600
	MaxListItems   = 20
	MaxCredits     = 200
)

// CBFC certifications (India). Other certifications are accepted free-form.
var CBFCCertifications = []string{"U", "UA 7+", "UA 13+", "UA 16+", "A", "S"}

// KnownFormats are the projection formats Marquee knows; others are accepted upper-cased.
var KnownFormats = []string{"2D", "3D", "IMAX 2D", "IMAX 3D", "4DX", "4DX 3D", "SCREENX", "DOLBY CINEMA"}

// Normalize canonicalises a movie's free-text lists and trims its fields.
func (m *Movie) Normalize() {
	m.Title = strings.TrimSpace(m.Title)
	m.Synopsis = strings.TrimSpace(m.Synopsis)
	m.Certification = strings.TrimSpace(m.Certification)
	m.Genres = canonicalList(m.Genres, CanonicalGenre)
	m.Languages = canonicalList(m.Languages, CanonicalLanguage)
	m.Formats = canonicalList(m.Formats, CanonicalFormat)
	if m.Status == "" {
		m.Status = StatusUpcoming
	}
}

// Validate checks a normalised movie and returns an Invalid error naming the first bad field.
func (m *Movie) Validate() error {
	switch {
	case m.Title == "":
		return errs.Invalidf("title", "title is required")
	case utf8.RuneCountInString(m.Title) > MaxTitleLen:
		return errs.Invalidf("title", "title is longer than %d characters", MaxTitleLen)
	case utf8.RuneCountInString(m.Synopsis) > MaxSynopsisLen:
		return errs.Invalidf("synopsis", "synopsis is longer than %d characters", MaxSynopsisLen)
	case m.RuntimeMinutes < 1 || m.RuntimeMinutes > MaxRuntime:
		return errs.Invalidf("runtimeMinutes", "runtimeMinutes must be between 1 and %d", MaxRuntime)
	case m.Certification == "" || len(m.Certification) > 20:
		return errs.Invalidf("certification", "certification is required (e.g. U, UA 13+, A) and at most 20 characters")
	case len(m.Languages) == 0:
		return errs.Invalidf("languages", "at least one language is required")
	case len(m.Formats) == 0:
		return errs.Invalidf("formats", "at least one format is required")
	case !m.Status.Valid():
		return errs.Invalidf("status", "unknown status %q", m.Status)
	case len(m.Cast) > MaxCredits:
		return errs.Invalidf("cast", "at most %d cast credits", MaxCredits)
	case len(m.Crew) > MaxCredits:
		return errs.Invalidf("crew", "at most %d crew credits", MaxCredits)
	}
	for _, l := range []struct {
		field string
		list  []string
	}{{"genres", m.Genres}, {"languages", m.Languages}, {"formats", m.Formats}} {
		field, list := l.field, l.list
		if len(list) > MaxListItems {
			return errs.Invalidf(field, "%s has more than %d entries", field, MaxListItems)
		}
		for _, v := range list {
			if utf8.RuneCountInString(v) > 40 {
				return errs.Invalidf(field, "%s entry %q is longer than 40 characters", field, string([]rune(v)[:40]))
			}
		}
	}
	if m.ReleaseDate != "" {
		if _, err := time.Parse(time.DateOnly, m.ReleaseDate); err != nil {
			return errs.Invalidf("releaseDate", "releaseDate %q is not a date in YYYY-MM-DD form", m.ReleaseDate)
		}
	}
	return nil
}

// CanonicalGenre returns the catalogue's spelling of a genre: words capitalised.
func CanonicalGenre(s string) string { return titleWords(s) }

// CanonicalLanguage returns the catalogue's spelling of a language: words capitalised.
func CanonicalLanguage(s string) string { return titleWords(s) }

// CanonicalFormat returns the catalogue's spelling of a format: upper case, single spaces.
func CanonicalFormat(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), " ")) }

func titleWords(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		words[i] = strings.ToUpper(string(r)) + w[size:]
	}
	return strings.Join(words, " ")
}

func canonicalList(in []string, canon func(string) string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		c := canon(v)
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Filter selects movies. Empty fields select everything. IDs, when non-nil, restricts the
// result to those movies (an empty non-nil slice selects none).
type Filter struct {
	Language string
	Genre    string
	Format   string
	Status   Status
	Search   string // case-insensitive substring of the title
	IDs      []string
}

// Normalize canonicalises the filter's values the way movies are stored.
func (f *Filter) Normalize() {
	f.Language = CanonicalLanguage(f.Language)
	f.Genre = CanonicalGenre(f.Genre)
	f.Format = CanonicalFormat(f.Format)
	f.Search = strings.TrimSpace(f.Search)
}

// SortKey is the key movies are listed by: the lower-cased title, then the id.
func SortKey(title string) string { return strings.ToLower(title) }

// Position is a place in the listing order, after which a page starts.
type Position struct {
	TitleKey string
	ID       string
}

// Repository stores movies.
type Repository interface {
	// Create stores a new movie. Conflict when the id exists.
	Create(ctx context.Context, m Movie) error
	// Get returns one movie. NotFound when it does not exist.
	Get(ctx context.Context, id string) (Movie, error)
	// GetMany returns the movies that exist among ids, in no particular order.
	GetMany(ctx context.Context, ids []string) ([]Movie, error)
	// List returns up to limit movies matching f, in (SortKey(title), id) order, strictly after
	// the position when it is non-nil.
	List(ctx context.Context, f Filter, after *Position, limit int) ([]Movie, error)
	// Update loads a movie, applies fn and stores the result atomically. NotFound when missing;
	// fn's error is returned unchanged and nothing is stored.
	Update(ctx context.Context, id string, fn func(*Movie) error) (Movie, error)
	// Count returns how many movies exist.
	Count(ctx context.Context) (int, error)
}
