package audit

import (
	"context"
	"fmt"
	"slices"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Recorder writes entries to the log on behalf of the services that make the audited writes.
// It is safe for concurrent use.
type Recorder struct {
	repo  Repository
	clock clock.Clock
}

// NewRecorder returns a Recorder that appends to repo, stamping entries with clk.
func NewRecorder(repo Repository, clk clock.Clock) *Recorder {
	return &Recorder{repo: repo, clock: clk}
}

// Record appends an entry saying that the caller in ctx did action to the resource. It fills the
// ID (a new UUIDv7), At (the clock, as StoredTime) and the actor from auth.FromContext(ctx):
// ActorID SystemActor and no roles when ctx carries no identity. The summary is passed through
// CleanSummary first; it must never hold secrets.
//
// Invalid when action or resource is empty or an argument is too long (a programming error);
// otherwise the repository's error, wrapped.
func (r *Recorder) Record(ctx context.Context, action, resource, resourceID, theatreID, summary string) error {
	e := Entry{ID: ids.New(), At: StoredTime(r.clock.Now()), ActorID: SystemActor, Action: action,
		Resource: resource, ResourceID: resourceID, TheatreID: theatreID, Summary: CleanSummary(summary)}
	if id, ok := auth.FromContext(ctx); ok {
		e.ActorID, e.ActorRoles = id.UserID, slices.Clone(id.Roles)
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if err := r.repo.Append(ctx, e); err != nil {
		return fmt.Errorf("record %s of %s %s: %w", action, resource, resourceID, err)
	}
	return nil
}
