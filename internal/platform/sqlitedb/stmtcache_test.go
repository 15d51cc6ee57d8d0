package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

func openTestDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// cacheStats returns how many statements the pinned connection prepared and keeps.
func cacheStats(t *testing.T, conn *sql.Conn) (prepares, kept int) {
	t.Helper()
	if err := conn.Raw(func(dc any) error {
		c := dc.(*cachingConn)
		prepares, kept = c.prepares, c.order.Len()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return prepares, kept
}

func TestStatementsArePreparedOncePerConnection(t *testing.T) {
	ctx := context.Background()
	conn, err := openTestDB(t).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	prepared0, kept0 := cacheStats(t, conn) // the CREATE TABLE, on the one connection
	for i := range 50 {
		if _, err := conn.ExecContext(ctx, `INSERT INTO t (k, v) VALUES (?, ?)`, i, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := conn.QueryRowContext(ctx, `SELECT v FROM t WHERE k = ?`, i).Scan(&v); err != nil || v != fmt.Sprint("v", i) {
			t.Fatalf("row %d: %q, %v", i, v, err)
		}
	}
	if prepares, kept := cacheStats(t, conn); prepares-prepared0 != 2 || kept-kept0 != 2 {
		t.Fatalf("prepared %d statements, keeps %d; want 2 and 2", prepares-prepared0, kept-kept0)
	}
}

func TestAFailedStatementRunsAgain(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	const insert = `INSERT INTO t (k, v) VALUES (?, ?)`
	if _, err := db.ExecContext(ctx, insert, 1, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, insert, 2, "a"); !IsUniqueViolation(err) {
		t.Fatalf("duplicate value: %v, want a unique violation", err)
	}
	if _, err := db.ExecContext(ctx, insert, 2, "b"); err != nil {
		t.Fatalf("the same statement after a failure: %v", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, insert, 3, "c"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("count after a rolled back insert: %d, %v; want 2", n, err)
	}
}

// A query whose rows are still open is not reused for the same text: a nested read of the same
// statement in a transaction gets a statement of its own.
func TestNestedReadsOfOneStatement(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	for i := range 5 {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (k, v) VALUES (?, ?)`, i, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	const q = `SELECT k FROM t WHERE k >= ? ORDER BY k`
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	outer, err := tx.QueryContext(ctx, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for outer.Next() {
		var k int
		if err := outer.Scan(&k); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.QueryContext(ctx, q, 3)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			var j int
			if err := inner.Scan(&j); err != nil {
				t.Fatal(err)
			}
			pairs = append(pairs, fmt.Sprint(k, j))
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 10 || pairs[0] != "0 3" || pairs[9] != "4 4" {
		t.Fatalf("nested reads gave %v; want every k with 3 and 4", pairs)
	}
}

func TestCacheEvictsTheLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	conn, err := openTestDB(t).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Rows left open on the first statement while it is evicted: it is closed when they are.
	open, err := conn.QueryContext(ctx, `SELECT 0 WHERE ? = 1`, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= stmtCacheSize+10; i++ {
		var v int
		if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d WHERE ? = 1`, i), 1).Scan(&v); err != nil || v != i {
			t.Fatalf("statement %d: %d, %v", i, v, err)
		}
	}
	if !open.Next() {
		t.Fatalf("rows of an evicted statement: %v", open.Err())
	}
	if err := open.Close(); err != nil {
		t.Fatal(err)
	}
	if _, kept := cacheStats(t, conn); kept != stmtCacheSize {
		t.Fatalf("keeps %d statements, want %d", kept, stmtCacheSize)
	}
	var v int
	if err := conn.QueryRowContext(ctx, `SELECT 0 WHERE ? = 1`, 1).Scan(&v); err != nil || v != 0 {
		t.Fatalf("an evicted statement again: %d, %v", v, err)
	}
}

func TestScriptsAreNotKept(t *testing.T) {
	ctx := context.Background()
	conn, err := openTestDB(t).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, kept0 := cacheStats(t, conn)
	if _, err := conn.ExecContext(ctx, `INSERT INTO t (k, v) VALUES (1, 'a'); INSERT INTO t (k, v) VALUES (2, 'b');`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("a script ran %d inserts, %v; want 2", n, err)
	}
	if _, kept := cacheStats(t, conn); kept-kept0 != 1 {
		t.Fatalf("keeps %d more statements, want only the count", kept-kept0)
	}
}
