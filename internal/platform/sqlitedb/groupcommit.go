package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Group commit. Every commit writes each page the transaction changed to the WAL and takes and
// drops SQLite's locks; on the purchase path, with about ten small write transactions per
// purchase, that was a tenth of the CPU. InTx therefore runs the write transactions that arrive
// together in one SQLite transaction, each inside a savepoint of its own: a transaction whose fn
// fails is rolled back to its savepoint and the others go on, and all of them commit at once.
// Each caller still gets its own answer, and returns only once its writes are committed.
//
// There is no background goroutine: the first caller to find nobody committing becomes the
// leader and runs what is queued, batch after batch, until its own transaction is done; it then
// hands the rest of the queue to a new goroutine.

// maxBatch bounds the transactions committed together, so that one commit stays short.
const maxBatch = 64

type txRequest struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan txResult
}

type txResult struct {
	err   error
	panic any // fn panicked: re-raised in the caller's goroutine
}

type committer struct {
	db      *sql.DB
	mu      sync.Mutex
	queue   []*txRequest
	leading bool
	batches atomic.Int64 // commits of more than one transaction (read by tests)
}

var committers sync.Map // *sql.DB → *committer, for databases opened with Open

func committerOf(db *sql.DB) *committer {
	if c, ok := committers.Load(db); ok {
		return c.(*committer)
	}
	return nil
}

// InTx runs fn in a write transaction, committing when fn returns nil; fn's error is returned
// unchanged and nothing fn wrote is kept. fn must use tx, never the db: the store has one
// connection, which the transaction holds. Transactions that arrive together are committed
// together (see above), so fn may run on another goroutine than the caller's.
func InTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	c := committerOf(db)
	if c == nil {
		return runTx(ctx, db, fn)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan txResult, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, req)
	lead := !c.leading
	c.leading = true
	c.mu.Unlock()
	if lead {
		c.lead(req)
	}
	res := <-req.done
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

// Exec runs one write statement as a transaction of its own through InTx, so that it is
// committed together with the transactions around it.
func Exec(ctx context.Context, db *sql.DB, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := InTx(ctx, db, func(tx *sql.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// lead commits queued batches until mine is done, then leaves what is left to a new leader.
func (c *committer) lead(mine *txRequest) {
	for {
		c.mu.Lock()
		n := min(len(c.queue), maxBatch)
		if n == 0 {
			c.leading = false
			c.mu.Unlock()
			return
		}
		batch := c.queue[:n:n]
		c.queue = c.queue[n:]
		c.mu.Unlock()
		c.commit(batch)
		for _, r := range batch {
			if r == mine {
				c.mu.Lock()
				more := len(c.queue) > 0
				if !more {
					c.leading = false
				}
				c.mu.Unlock()
				if more {
					go c.lead(nil)
				}
				return
			}
		}
	}
}

// commit runs a batch in one transaction and answers each request.
func (c *committer) commit(batch []*txRequest) {
	if len(batch) == 1 {
		r := batch[0]
		res := txResult{}
		res.err = runTx(r.ctx, c.db, func(tx *sql.Tx) error {
			var err error
			if res.panic, err = call(r.fn, tx); res.panic != nil {
				return errPanicked
			}
			return err
		})
		r.done <- res
		return
	}
	c.batches.Add(1)
	results := make([]txResult, len(batch))
	committed := make([]bool, len(batch))
	fail := func(err error) {
		for i, r := range batch {
			if results[i].err == nil && results[i].panic == nil {
				results[i].err = err
			}
			r.done <- results[i]
		}
	}
	// The batch runs on its own context: one caller giving up must not end the others' work.
	tx, err := c.db.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	defer func() { _ = tx.Rollback() }()
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if _, err := tx.Exec(`SAVEPOINT grp`); err != nil {
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		p, err := call(r.fn, tx)
		results[i].panic = p
		if err != nil || p != nil {
			results[i].err = err
			// ROLLBACK TO fails when SQLite already rolled the whole transaction back (an
			// interrupted statement does that): then nothing of the batch survives.
			if _, rbErr := tx.Exec(`ROLLBACK TO grp`); rbErr != nil {
				fail(fmt.Errorf("a transaction committed with others was rolled back with them: %w", rbErr))
				return
			}
		}
		if _, err := tx.Exec(`RELEASE grp`); err != nil {
			fail(fmt.Errorf("a transaction committed with others was rolled back with them: %w", err))
			return
		}
		committed[i] = err == nil && p == nil
	}
	if err := tx.Commit(); err != nil {
		for i := range batch {
			if committed[i] {
				results[i].err = fmt.Errorf("commit: %w", err)
			}
		}
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// runTx runs fn in a transaction of its own.
func runTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

var errPanicked = errors.New("the transaction panicked")

// call runs fn, turning a panic into a value the caller re-raises.
func call(fn func(*sql.Tx) error, tx *sql.Tx) (p any, err error) {
	defer func() {
		if v := recover(); v != nil {
			p = v
			if p == nil {
				p = errors.New("panic(nil)")
			}
		}
	}()
	return nil, fn(tx)
}
