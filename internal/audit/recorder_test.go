package audit_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/audit/auditsqlite"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

// start is the time the tests' clocks start at.
var start = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// newRepo returns an audit repository on a fresh SQLite database in a temp dir.
func newRepo(t *testing.T) audit.Repository {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), sqlitedb.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	repo, err := auditsqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

func as(id auth.Identity) context.Context { return auth.WithIdentity(context.Background(), id) }

func listAll(t *testing.T, repo audit.Repository) []audit.Entry {
	t.Helper()
	got, err := repo.List(context.Background(), audit.Filter{}, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRecordFillsTheActorAndTheTime(t *testing.T) {
	t.Parallel()
	repo := newRepo(t)
	clk := clock.NewManual(start.Add(123456789 * time.Nanosecond))
	rec := audit.NewRecorder(repo, clk)

	roles := []string{auth.RoleCustomer, auth.RoleTheatreAdmin}
	ctx := as(auth.Identity{UserID: "user-7", Roles: roles, TheatreIDs: []string{"theatre-1"}})
	if err := rec.Record(ctx, "screen.update_layout", audit.ResourceScreen, "screen-1", "theatre-1",
		"Changed the layout of Screen 1."); err != nil {
		t.Fatal(err)
	}
	roles[0] = "mutated" // the entry must not share the identity's slice
	clk.Advance(time.Minute)
	if err := rec.Record(context.Background(), "movie.create", audit.ResourceMovie, "movie-1", "", "Seeded."); err != nil {
		t.Fatal(err)
	}

	got := listAll(t, repo)
	if len(got) != 2 {
		t.Fatalf("%d entries, want 2", len(got))
	}
	sys, user := got[0], got[1]
	if !ids.Valid(user.ID) || !ids.Valid(sys.ID) || user.ID == sys.ID {
		t.Errorf("ids %q, %q: want two distinct UUIDs", user.ID, sys.ID)
	}
	want := audit.Entry{ID: user.ID, At: start.Add(123 * time.Millisecond), ActorID: "user-7",
		ActorRoles: []string{auth.RoleCustomer, auth.RoleTheatreAdmin}, Action: "screen.update_layout",
		Resource: audit.ResourceScreen, ResourceID: "screen-1", TheatreID: "theatre-1", Summary: "Changed the layout of Screen 1."}
	if !user.At.Equal(want.At) || strings.Join(user.ActorRoles, ",") != strings.Join(want.ActorRoles, ",") ||
		user.ActorID != want.ActorID || user.Action != want.Action || user.Resource != want.Resource ||
		user.ResourceID != want.ResourceID || user.TheatreID != want.TheatreID || user.Summary != want.Summary {
		t.Errorf("recorded\n %+v\nwant\n %+v", user, want)
	}
	if sys.ActorID != audit.SystemActor || len(sys.ActorRoles) != 0 || !sys.At.Equal(start.Add(time.Minute+123*time.Millisecond)) {
		t.Errorf("without an identity: %+v, want the system actor at the clock's time", sys)
	}
}

func TestRecordCleansTheSummary(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", audit.MaxSummaryLen+50)
	cases := []struct {
		name, in, want string
	}{
		{"plain", "Renamed the city.", "Renamed the city."},
		{"trimmed", "  spaced \n", "spaced"},
		{"control characters", "line one\nline two\r\x00end", "line one line two  end"},
		{"invalid UTF-8", "bad \xff byte", "bad \uFFFD byte"},
		{"exactly the limit", long[:2*audit.MaxSummaryLen], long[:2*audit.MaxSummaryLen]},
		{"too long", long, strings.Repeat("é", audit.MaxSummaryLen-1) + "…"},
	}
	repo := newRepo(t)
	rec := audit.NewRecorder(repo, clock.NewManual(start))
	for _, c := range cases {
		if got := audit.CleanSummary(c.in); got != c.want {
			t.Errorf("%s: CleanSummary = %q, want %q", c.name, got, c.want)
		}
		if err := rec.Record(context.Background(), "city.update", audit.ResourceCity, "city-1", "", c.in); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	for _, e := range listAll(t, repo) {
		if n := utf8.RuneCountInString(e.Summary); n > audit.MaxSummaryLen || !utf8.ValidString(e.Summary) {
			t.Errorf("stored a summary of %d characters (valid UTF-8: %v)", n, utf8.ValidString(e.Summary))
		}
	}
}

func TestRecordRejectsBadArguments(t *testing.T) {
	t.Parallel()
	repo := newRepo(t)
	rec := audit.NewRecorder(repo, clock.NewManual(start))
	long := strings.Repeat("x", audit.MaxIDLen+1)
	cases := []struct {
		name, action, resource, resourceID, theatreID, field string
	}{
		{"no action", "", audit.ResourceMovie, "m", "", "action"},
		{"no resource", "movie.create", "", "m", "", "resource"},
		{"long action", strings.Repeat("a", audit.MaxNameLen+1), audit.ResourceMovie, "m", "", "action"},
		{"long resource id", "movie.create", audit.ResourceMovie, long, "", "resourceId"},
		{"long theatre id", "movie.create", audit.ResourceMovie, "m", long, "theatreId"},
	}
	for _, c := range cases {
		err := rec.Record(context.Background(), c.action, c.resource, c.resourceID, c.theatreID, "x")
		if !errs.Is(err, errs.Invalid) || errs.As(err).Field != c.field {
			t.Errorf("%s: got %v, want invalid %s", c.name, err, c.field)
		}
	}
	if n := len(listAll(t, repo)); n != 0 {
		t.Fatalf("rejected records stored %d entries", n)
	}
}

func TestRecordReportsRepositoryErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), sqlitedb.FileName))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := auditsqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	err = audit.NewRecorder(repo, clock.NewManual(start)).Record(ctx, "movie.create", audit.ResourceMovie, "m", "", "x")
	if err == nil || !strings.Contains(err.Error(), "movie.create") {
		t.Fatalf("on a closed database: got %v, want the repository's error", err)
	}
}
