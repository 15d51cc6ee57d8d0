package audit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// maxCursorLen bounds the cursors DecodeCursor accepts: EncodeCursor makes at most about 300
// characters (an id of MaxIDLen bytes, a time, base64).
const maxCursorLen = 512

// Service is the audit log's query side, for admins.
type Service struct {
	repo Repository
}

// NewService returns a Service over repo.
func NewService(repo Repository) *Service {
	return &Service{repo: repo}
}

// Page is one page of entries, newest first.
type Page struct {
	Entries []Entry
	// EndCursor points just after the last entry of the page; empty when the page is empty.
	EndCursor string
	// HasNextPage reports whether more entries follow EndCursor.
	HasNextPage bool
}

// List returns up to first entries matching f (DefaultPageSize when first is 0), newest first,
// after the opaque cursor (empty for the first page).
//
// Admins see every entry. A theatre_admin sees only the entries of their own theatres: the
// filter is narrowed to them, and naming any other theatre in f is Forbidden. Anyone else is
// Forbidden; without an identity, Unauthenticated. Invalid (naming the field) when first is not
// in 0..MaxPageSize, after is not a cursor List made, a filter value is too long, or Until is not
// after Since.
func (s *Service) List(ctx context.Context, f Filter, first int, after string) (Page, error) {
	id, err := auth.Require(ctx)
	if err != nil {
		return Page{}, err
	}
	if !id.IsAdmin() && !id.HasRole(auth.RoleTheatreAdmin) {
		return Page{}, errs.E(errs.Forbidden, "only an admin or a theatre admin may read the audit log")
	}
	if first == 0 {
		first = DefaultPageSize
	}
	if first < 1 || first > MaxPageSize {
		return Page{}, errs.Invalidf("first", "first must be between 1 and %d", MaxPageSize)
	}
	var pos *Position
	if after != "" {
		p, err := DecodeCursor(after)
		if err != nil {
			return Page{}, err
		}
		pos = &p
	}
	if err := validateFilter(f); err != nil {
		return Page{}, err
	}
	if !id.IsAdmin() {
		if f, err = scopeToTheatres(f, id.TheatreIDs); err != nil {
			return Page{}, err
		}
	}

	entries, err := s.repo.List(ctx, f, pos, first+1)
	if err != nil {
		return Page{}, fmt.Errorf("list audit entries: %w", err)
	}
	page := Page{Entries: entries}
	if len(entries) > first {
		page.Entries, page.HasNextPage = entries[:first], true
	}
	if n := len(page.Entries); n > 0 {
		page.EndCursor = CursorOf(page.Entries[n-1])
	}
	return page, nil
}

// scopeToTheatres narrows f to the theatres a theatre_admin manages. Forbidden when f names
// another theatre.
func scopeToTheatres(f Filter, mine []string) (Filter, error) {
	forbidden := func(theatreID string) error {
		return errs.E(errs.Forbidden, "you may only read the audit log of your own theatres, not of %s", theatreID)
	}
	if f.TheatreID != "" && !slices.Contains(mine, f.TheatreID) {
		return Filter{}, forbidden(f.TheatreID)
	}
	for _, t := range f.TheatreIDs {
		if !slices.Contains(mine, t) {
			return Filter{}, forbidden(t)
		}
	}
	if f.TheatreIDs == nil {
		// Non-nil even when the admin manages no theatre: an empty set selects nothing.
		f.TheatreIDs = append([]string{}, mine...)
	}
	return f, nil
}

func validateFilter(f Filter) error {
	for _, v := range []struct {
		field, value string
		max          int
	}{
		{"actorId", f.ActorID, MaxIDLen},
		{"resource", f.Resource, MaxNameLen},
		{"resourceId", f.ResourceID, MaxIDLen},
		{"theatreId", f.TheatreID, MaxIDLen},
		{"action", f.Action, MaxNameLen},
	} {
		if len(v.value) > v.max {
			return errs.Invalidf(v.field, "%s is longer than %d bytes", v.field, v.max)
		}
	}
	if len(f.TheatreIDs) > MaxPageSize {
		return errs.Invalidf("theatreIds", "at most %d theatre ids at once", MaxPageSize)
	}
	for _, t := range f.TheatreIDs {
		if len(t) > MaxIDLen {
			return errs.Invalidf("theatreIds", "a theatre id is longer than %d bytes", MaxIDLen)
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return errs.Invalidf("until", "until must be after since")
	}
	return nil
}

// cursorPayload is the JSON inside a cursor. Short keys keep cursors short.
type cursorPayload struct {
	T int64  `json:"t"` // At, Unix milliseconds
	I string `json:"i"`
}

// EncodeCursor turns a listing position into an opaque cursor.
func EncodeCursor(p Position) string {
	b, _ := json.Marshal(cursorPayload{T: p.At.UnixMilli(), I: p.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// CursorOf returns the cursor that points just after e.
func CursorOf(e Entry) string { return EncodeCursor(PositionOf(e)) }

// DecodeCursor parses an opaque cursor. Invalid (field "after") when it is not one EncodeCursor
// made.
func DecodeCursor(cursor string) (Position, error) {
	bad := errs.Invalidf("after", "after is not a valid cursor; pass the endCursor of a previous page")
	if len(cursor) > maxCursorLen {
		return Position{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return Position{}, bad
	}
	var p cursorPayload
	if err := json.Unmarshal(b, &p); err != nil || p.I == "" || len(p.I) > MaxIDLen || !utf8.ValidString(p.I) {
		return Position{}, bad
	}
	return Position{At: time.UnixMilli(p.T).UTC(), ID: p.I}, nil
}
