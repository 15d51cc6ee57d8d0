package pubsubredis

// Test hooks: a small queue, a short Close, and a look at what the sender did.
var (
	WithQueueLimit   = withQueueLimit
	WithCloseTimeout = withCloseTimeout
)

// SenderStats returns how many pipelines the bus sent, the largest, and how many accepted
// messages are not yet sent or given up on.
func SenderStats(r *Bus) (batches uint64, largest int, unsent uint64) {
	r.qmu.Lock()
	defer r.qmu.Unlock()
	return r.batches, r.largest, r.accepted - r.finished
}
