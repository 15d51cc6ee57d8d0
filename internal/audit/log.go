package audit

import "context"

// Log is where services record their writes. *Recorder implements it.
type Log interface {
	Record(ctx context.Context, action, resource, resourceID, theatreID, summary string) error
}

// Discard is a Log that records nothing, for services run without an audit log (tests).
type Discard struct{}

// Record does nothing.
func (Discard) Record(context.Context, string, string, string, string, string) error { return nil }

var _ Log = (*Recorder)(nil)
