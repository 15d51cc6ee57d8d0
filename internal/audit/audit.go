// Package audit is Marquee's audit log: a record of every write to the catalogue (and later to
// shows and bookings) saying who did what, to which resource, and when. It holds the entry and
// the rules for valid entries, the repository the log needs, the Recorder services call after each
// write, and the Service admins query the log through. Adapters live in sub-packages.
//
// Times in the log are kept to the millisecond, in UTC (StoredTime): both adapters store them so,
// which keeps listing order and cursors identical whichever adapter runs.
package audit

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// SystemActor is the ActorID of entries recorded without a caller identity (start-up seeding,
// sweepers, background jobs).
const SystemActor = "system"

// The resources audited. Resource is free text; these are the values Marquee writes.
const (
	ResourceMovie   = "movie"
	ResourceTheatre = "theatre"
	ResourceScreen  = "screen"
	ResourceCity    = "city"
	ResourceUser    = "user"
	ResourceShow    = "show"
)

// Limits on an entry's fields.
const (
	// MaxSummaryLen is the longest summary, in characters; the Recorder shortens longer ones.
	MaxSummaryLen = 500
	// MaxNameLen bounds Action and Resource.
	MaxNameLen = 100
	// MaxIDLen bounds ActorID, ResourceID and TheatreID, and the same fields of a Filter.
	MaxIDLen = 200
)

// Entry is one audited write.
type Entry struct {
	ID         string
	At         time.Time
	ActorID    string
	ActorRoles []string
	// Action is what was done, as "<resource>.<verb>": "movie.create", "screen.update_layout",
	// "theatre_admins.assign".
	Action string
	// Resource is the kind of thing written: "movie", "theatre", "screen", "city", "user", "show".
	Resource   string
	ResourceID string
	// TheatreID is the theatre the resource belongs to, when it belongs to one; it scopes what a
	// theatre_admin may read.
	TheatreID string
	// Summary is a human sentence of at most MaxSummaryLen characters. It never holds secrets
	// (passwords, tokens, payment details).
	Summary string
}

// Validate checks the fields a recorder must fill and returns an Invalid error naming the first
// bad one.
func (e *Entry) Validate() error {
	switch {
	case e.ID == "" || len(e.ID) > MaxIDLen:
		return errs.Invalidf("id", "id is required and at most %d bytes", MaxIDLen)
	case e.At.IsZero():
		return errs.Invalidf("at", "at is required")
	case e.ActorID == "" || len(e.ActorID) > MaxIDLen:
		return errs.Invalidf("actorId", "actorId is required and at most %d bytes", MaxIDLen)
	case e.Action == "" || len(e.Action) > MaxNameLen:
		return errs.Invalidf("action", "action is required and at most %d bytes", MaxNameLen)
	case e.Resource == "" || len(e.Resource) > MaxNameLen:
		return errs.Invalidf("resource", "resource is required and at most %d bytes", MaxNameLen)
	case len(e.ResourceID) > MaxIDLen:
		return errs.Invalidf("resourceId", "resourceId is at most %d bytes", MaxIDLen)
	case len(e.TheatreID) > MaxIDLen:
		return errs.Invalidf("theatreId", "theatreId is at most %d bytes", MaxIDLen)
	case utf8.RuneCountInString(e.Summary) > MaxSummaryLen:
		return errs.Invalidf("summary", "summary is longer than %d characters", MaxSummaryLen)
	}
	return nil
}

// CleanSummary makes s fit for the log: valid UTF-8, control characters (newlines included)
// turned into spaces, surrounding space trimmed, and at most MaxSummaryLen characters, the last of
// them "…" when it had to be shortened.
func CleanSummary(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
	if utf8.RuneCountInString(s) <= MaxSummaryLen {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:MaxSummaryLen-1])) + "…"
}

// StoredTime returns t as the log keeps it: UTC, whole milliseconds (truncated).
func StoredTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// CeilTime returns the earliest stored time that is not before t: t rounded up to the
// millisecond, in UTC. Adapters compare the Since and Until bounds of a Filter with it, so that
// "At >= Since" and "At < Until" hold exactly for the stored (millisecond) At.
func CeilTime(t time.Time) time.Time {
	s := StoredTime(t)
	if s.Before(t) {
		s = s.Add(time.Millisecond)
	}
	return s
}

// Filter selects entries. Empty fields select everything.
type Filter struct {
	ActorID    string
	Resource   string
	ResourceID string
	TheatreID  string
	Action     string
	// TheatreIDs, when non-nil, restricts the result to entries of those theatres (an empty
	// non-nil slice selects none). The Service sets it to scope a theatre_admin.
	TheatreIDs []string
	// Since, when set, keeps entries with At >= Since.
	Since time.Time
	// Until, when set, keeps entries with At < Until.
	Until time.Time
}

// Position is a place in the listing order (At desc, ID desc), after which a page starts. At is
// the At of a listed entry, so whole milliseconds.
type Position struct {
	At time.Time
	ID string
}

// PositionOf returns the position of e in the listing order.
func PositionOf(e Entry) Position { return Position{At: StoredTime(e.At), ID: e.ID} }

// Repository stores the audit log. Entries are never changed nor deleted through it.
type Repository interface {
	// Append stores a new entry, with At kept as StoredTime(At). Conflict when the id exists; the
	// stored entry is then left as it was.
	Append(ctx context.Context, e Entry) error
	// List returns up to limit (> 0; nothing otherwise) entries matching f, newest first: by At
	// descending, then ID descending. When after is non-nil the page starts strictly after that
	// position.
	List(ctx context.Context, f Filter, after *Position, limit int) ([]Entry, error)
}
