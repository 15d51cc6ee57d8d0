package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit runs many write transactions at once, a third of them failing after their
// write: each caller gets its own answer, every successful write is kept and no failed one is.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	errOdd := errors.New("refused")
	const n = 300
	errsOut := make([]error, n)
	c := committerOf(db)
	// A first transaction holds the commit until every other one is queued behind it.
	blocked, running := make(chan error), make(chan struct{})
	go func() {
		blocked <- InTx(ctx, db, func(*sql.Tx) error {
			close(running)
			for {
				c.mu.Lock()
				queued := len(c.queue)
				c.mu.Unlock()
				if queued == n {
					return nil
				}
				time.Sleep(time.Millisecond)
			}
		})
	}()
	<-running
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errsOut[i] = InTx(ctx, db, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO t (k, v) VALUES (?, ?)`, i, fmt.Sprint("v", i)); err != nil {
					return err
				}
				if i%3 == 0 {
					return errOdd
				}
				return nil
			})
		}()
	}
	wg.Wait()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	for i, err := range errsOut {
		if want := i%3 == 0; want != errors.Is(err, errOdd) || (!want && err != nil) {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	var count int
	if err := db.QueryRow(`SELECT COUNT(*) FROM t WHERE k % 3 = 0`).Scan(&count); err != nil || count != 0 {
		t.Fatalf("failed transactions left %d rows (%v)", count, err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&count); err != nil || count != n-n/3 {
		t.Fatalf("%d rows, want %d (%v)", count, n-n/3, err)
	}
	if b := c.batches.Load(); b == 0 || b > 2*n/maxBatch {
		t.Fatalf("%d batches for %d transactions queued together; want at most %d", b, n, 2*n/maxBatch)
	}
}

// A unique violation in one transaction of a batch leaves the others' writes.
func TestGroupCommitStatementFailure(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	if _, err := Exec(ctx, db, `INSERT INTO t (k, v) VALUES (0, 'taken')`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errsOut := make([]error, 40)
	for i := range errsOut {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := fmt.Sprint("v", i)
			if i%2 == 0 {
				v = "taken"
			}
			_, errsOut[i] = Exec(ctx, db, `INSERT INTO t (k, v) VALUES (?, ?)`, i+1, v)
		}()
	}
	wg.Wait()
	for i, err := range errsOut {
		if (i%2 == 0) != IsUniqueViolation(err) || (i%2 == 1 && err != nil) {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	var count int
	if err := db.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&count); err != nil || count != 21 {
		t.Fatalf("%d rows, want 21 (%v)", count, err)
	}
}

// A transaction that panics re-panics in its caller and keeps nothing; the others commit.
func TestGroupCommitPanic(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	var wg sync.WaitGroup
	panics := make([]any, 20)
	for i := range panics {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			_ = InTx(ctx, db, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO t (k, v) VALUES (?, ?)`, i, fmt.Sprint("v", i)); err != nil {
					return err
				}
				if i == 7 {
					panic("boom")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, p := range panics {
		if (i == 7) != (p == "boom") {
			t.Fatalf("transaction %d recovered %v", i, p)
		}
	}
	var count int
	if err := db.QueryRow(`SELECT COUNT(*) FROM t WHERE k = 7`).Scan(&count); err != nil || count != 0 {
		t.Fatalf("the panicking transaction's row: %d (%v)", count, err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&count); err != nil || count != 19 {
		t.Fatalf("%d rows, want 19 (%v)", count, err)
	}
}

func TestGroupCommitCancelledCaller(t *testing.T) {
	db := openTestDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := InTx(ctx, db, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO t (k, v) VALUES (1, 'a')`)
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled caller: %v", err)
	}
	var count int
	if err := db.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&count); err != nil || count != 0 {
		t.Fatalf("%d rows after a cancelled transaction (%v)", count, err)
	}
}
