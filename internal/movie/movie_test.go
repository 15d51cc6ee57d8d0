package movie_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// film returns a valid, not yet normalised movie; each call a fresh one that tests may change.
func film() movie.Movie {
	return movie.Movie{
		Title:          "  Lagaan ",
		Synopsis:       "A village stakes everything on a game of cricket.",
		RuntimeMinutes: 224,
		ReleaseDate:    "2001-06-15",
		Certification:  "U",
		Genres:         []string{"drama", "Sports"},
		Languages:      []string{"hindi"},
		Formats:        []string{"2d"},
		Cast:           []movie.Credit{{Name: "Aamir Khan", Role: "Bhuvan"}},
		Crew:           []movie.Credit{{Name: "Ashutosh Gowariker", Role: "Director"}},
		Status:         movie.StatusNowShowing,
	}
}

// assertInvalid fails unless err is an *errs.Error with code Invalid naming field.
func assertInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want an *errs.Error", err, err)
	}
	if e.Code != errs.Invalid || e.Field != field {
		t.Fatalf("got code %q field %q (%v), want code %q field %q", e.Code, e.Field, err, errs.Invalid, field)
	}
	if e.Message == "" {
		t.Fatal("the error has no message")
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", s, i)
	}
	return out
}

func TestMovieValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(m *movie.Movie)
		field  string // empty when valid
	}{
		{"valid", func(*movie.Movie) {}, ""},
		{"title of 200 characters, each two bytes", func(m *movie.Movie) { m.Title = strings.Repeat("é", 200) }, ""},
		{"synopsis of 5000 characters", func(m *movie.Movie) { m.Synopsis = strings.Repeat("s", 5000) }, ""},
		{"runtime of one minute", func(m *movie.Movie) { m.RuntimeMinutes = 1 }, ""},
		{"runtime of 600 minutes", func(m *movie.Movie) { m.RuntimeMinutes = 600 }, ""},
		{"free-form certification", func(m *movie.Movie) { m.Certification = "PG-13" }, ""},
		{"no genres", func(m *movie.Movie) { m.Genres = nil }, ""},
		{"unknown release date", func(m *movie.Movie) { m.ReleaseDate = "" }, ""},
		{"empty status defaults", func(m *movie.Movie) { m.Status = "" }, ""},
		{"20 of each list", func(m *movie.Movie) {
			m.Genres, m.Languages, m.Formats = repeat("g", 20), repeat("l", 20), repeat("f", 20)
		}, ""},
		{"200 cast and 200 crew", func(m *movie.Movie) {
			m.Cast, m.Crew = make([]movie.Credit, 200), make([]movie.Credit, 200)
		}, ""},
		{"a 15-character Hindi genre", func(m *movie.Movie) { m.Genres = []string{"रोमांटिक कॉमेडी"} }, ""},
		{"a 40-character language", func(m *movie.Movie) { m.Languages = []string{strings.Repeat("x", 40)} }, ""},

		{"no title", func(m *movie.Movie) { m.Title = " \n " }, "title"},
		{"title of 201 characters", func(m *movie.Movie) { m.Title = strings.Repeat("t", 201) }, "title"},
		{"synopsis of 5001 characters", func(m *movie.Movie) { m.Synopsis = strings.Repeat("s", 5001) }, "synopsis"},
		{"no runtime", func(m *movie.Movie) { m.RuntimeMinutes = 0 }, "runtimeMinutes"},
		{"negative runtime", func(m *movie.Movie) { m.RuntimeMinutes = -90 }, "runtimeMinutes"},
		{"runtime of 601 minutes", func(m *movie.Movie) { m.RuntimeMinutes = 601 }, "runtimeMinutes"},
		{"no certification", func(m *movie.Movie) { m.Certification = "  " }, "certification"},
		{"certification of 21 characters", func(m *movie.Movie) { m.Certification = strings.Repeat("A", 21) }, "certification"},
		{"no languages", func(m *movie.Movie) { m.Languages = nil }, "languages"},
		{"only blank languages", func(m *movie.Movie) { m.Languages = []string{" ", ""} }, "languages"},
		{"no formats", func(m *movie.Movie) { m.Formats = []string{} }, "formats"},
		{"unknown status", func(m *movie.Movie) { m.Status = "RELEASED" }, "status"},
		{"lower-case status", func(m *movie.Movie) { m.Status = "now_showing" }, "status"},
		{"201 cast", func(m *movie.Movie) { m.Cast = make([]movie.Credit, 201) }, "cast"},
		{"201 crew", func(m *movie.Movie) { m.Crew = make([]movie.Credit, 201) }, "crew"},
		{"21 genres", func(m *movie.Movie) { m.Genres = repeat("g", 21) }, "genres"},
		{"21 languages", func(m *movie.Movie) { m.Languages = repeat("l", 21) }, "languages"},
		{"21 formats", func(m *movie.Movie) { m.Formats = repeat("f", 21) }, "formats"},
		{"genre of 41 characters", func(m *movie.Movie) { m.Genres = []string{strings.Repeat("g", 41)} }, "genres"},
		{"language of 41 characters", func(m *movie.Movie) { m.Languages = []string{strings.Repeat("l", 41)} }, "languages"},
		{"format of 41 characters", func(m *movie.Movie) { m.Formats = []string{strings.Repeat("f", 41)} }, "formats"},
		{"Hindi genre of 41 characters", func(m *movie.Movie) { m.Genres = []string{strings.Repeat("क", 41)} }, "genres"},
		{"impossible release date", func(m *movie.Movie) { m.ReleaseDate = "2026-02-30" }, "releaseDate"},
		{"release date in another form", func(m *movie.Movie) { m.ReleaseDate = "15/06/2001" }, "releaseDate"},
		{"release date with a time", func(m *movie.Movie) { m.ReleaseDate = "2001-06-15T00:00:00Z" }, "releaseDate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := film()
			tt.change(&m)
			m.Normalize()
			err := m.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			assertInvalid(t, err, tt.field)
		})
	}
}

func TestMovieValidateMessagesAreValidUTF8(t *testing.T) {
	t.Parallel()
	// The message quotes the first 40 characters of a long entry; it must not cut a character
	// in half (which %q would show as a \x escape).
	m := film()
	m.Genres = []string{strings.Repeat("क", 60)}
	m.Normalize()
	err := m.Validate()
	assertInvalid(t, err, "genres")
	msg := errs.As(err).Message
	if !utf8.ValidString(msg) || strings.Contains(msg, `\x`) || !strings.Contains(msg, `"`+strings.Repeat("क", 40)+`"`) {
		t.Fatalf("message %q does not quote the first 40 characters of the entry", msg)
	}
}

func TestMovieValidateReportsTheFirstBadListDeterministically(t *testing.T) {
	t.Parallel()
	// Genres, languages and formats are checked in that order; with more than one bad list
	// the error must always name the same one.
	for i := range 200 {
		m := film()
		m.Genres, m.Languages, m.Formats = repeat("g", 21), repeat("l", 21), repeat("f", 21)
		m.Normalize()
		err := m.Validate()
		if e := errs.As(err); e.Field != "genres" {
			t.Fatalf("attempt %d: field %q, want genres (%v)", i, e.Field, err)
		}
	}
}

func TestMovieNormalize(t *testing.T) {
	t.Parallel()
	m := movie.Movie{
		Title:         "\t Sholay  ",
		Synopsis:      " Two convicts. ",
		Certification: " UA 13+ ",
		Genres:        []string{" science   fiction", "DRAMA", "drama", "", "  ", "sci-fi", "émotion"},
		Languages:     []string{"hindi", "HINDI", " tamil ", "old  english"},
		Formats:       []string{"imax  3d", "2d", "IMAX 3D", "4dx", "dolby cinema", " "},
	}
	m.Normalize()
	checks := []struct{ name, got, want string }{
		{"title", m.Title, "Sholay"},
		{"synopsis", m.Synopsis, "Two convicts."},
		{"certification", m.Certification, "UA 13+"},
		{"genres", strings.Join(m.Genres, "|"), "Science Fiction|Drama|Sci-fi|Émotion"},
		{"languages", strings.Join(m.Languages, "|"), "Hindi|Tamil|Old English"},
		{"formats", strings.Join(m.Formats, "|"), "IMAX 3D|2D|4DX|DOLBY CINEMA"},
		{"status", string(m.Status), string(movie.StatusUpcoming)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	// Normalising is idempotent.
	before := fmt.Sprintf("%+v", m)
	m.Normalize()
	if after := fmt.Sprintf("%+v", m); after != before {
		t.Errorf("second Normalize changed the movie:\n%s\n%s", before, after)
	}
	// Normalize keeps a status that is set.
	archived := movie.Movie{Status: movie.StatusArchived}
	archived.Normalize()
	if archived.Status != movie.StatusArchived {
		t.Errorf("status = %q, want ARCHIVED", archived.Status)
	}
}

func TestCanonicalSpellings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		canon func(string) string
		in    string
		want  string
	}{
		{"genre", movie.CanonicalGenre, "  romantic   COMEDY ", "Romantic Comedy"},
		{"genre with a hyphen", movie.CanonicalGenre, "SCI-FI", "Sci-fi"},
		{"genre in Devanagari", movie.CanonicalGenre, "रोमांटिक", "रोमांटिक"},
		{"empty genre", movie.CanonicalGenre, "   ", ""},
		{"language", movie.CanonicalLanguage, "mALAYALAM", "Malayalam"},
		{"language with an accent", movie.CanonicalLanguage, "éWÉ", "Éwé"},
		{"format", movie.CanonicalFormat, " imax\t3d ", "IMAX 3D"},
		{"format already canonical", movie.CanonicalFormat, "4DX 3D", "4DX 3D"},
		{"empty format", movie.CanonicalFormat, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.canon(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if again := tt.canon(tt.canon(tt.in)); again != tt.want {
				t.Errorf("not idempotent: %q", again)
			}
		})
	}
}

func TestFilterNormalize(t *testing.T) {
	t.Parallel()
	f := movie.Filter{Language: "HINDI", Genre: "science fiction", Format: "imax  3d", Search: "  sholay "}
	f.Normalize()
	want := movie.Filter{Language: "Hindi", Genre: "Science Fiction", Format: "IMAX 3D", Search: "sholay"}
	if fmt.Sprint(f) != fmt.Sprint(want) {
		t.Errorf("got %+v, want %+v", f, want)
	}
}

func TestStatusValid(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s    movie.Status
		want bool
	}{{movie.StatusUpcoming, true}, {movie.StatusNowShowing, true}, {movie.StatusArchived, true},
		{"", false}, {"upcoming", false}, {"RELEASED", false}} {
		if got := tt.s.Valid(); got != tt.want {
			t.Errorf("Status(%q).Valid() = %v, want %v", tt.s, got, tt.want)
		}
	}
}
