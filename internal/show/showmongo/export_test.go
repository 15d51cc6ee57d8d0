package showmongo

import "time"

// SetLockWait changes how long CreateBatch waits for a busy screen, so that tests of a held lease
// need not wait DefaultLockWait.
func SetLockWait(r *Repository, d time.Duration) { r.lockWait = d }
