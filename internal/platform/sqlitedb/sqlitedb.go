// Package sqlitedb opens the embedded SQLite store (modernc.org/sqlite, pure Go) in WAL mode, on
// one connection that keeps every statement it runs prepared, and applies each service's schema
// migrations at start-up, idempotently.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// FileName is the store's file name inside the data directory.
const FileName = "marquee.db"

// Open opens (creating if needed) the SQLite database at path with WAL, foreign keys, a busy
// timeout and immediate write transactions.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)", "mmap_size(268435456)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open(driverName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One connection: SQLite runs one writer at a time anyway, and a connection drops its page
	// cache whenever another connection has written, so with more connections each re-reads the
	// pages the other changed. With the prepared-statement cache (stmtcache.go) this took the
	// purchase path (BenchmarkPurchase, 16 workers) from 15.5–16.6 to 10.4–11.8 CPU-seconds per
	// 2,000 purchases, with reads (movies, showtimes) no slower (docs/benchmarks.md §6). The price: a read waits for a write in
	// progress, and code must never use the *sql.DB while it holds a transaction or open rows of
	// the same database (it would wait for itself): run such reads on the tx.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	committers.Store(db, &committer{db: db})
	return db, nil
}

// Migrate applies, in order, the migrations of component that have not been applied yet. Each
// runs in its own transaction together with its bookkeeping row, so a crash never half-applies.
func Migrate(ctx context.Context, db *sql.DB, component string, migrations []string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))`); err != nil {
		return fmt.Errorf("migrate %s: %w", component, err)
	}
	for i, stmt := range migrations {
		version := i + 1
		if err := applyMigration(ctx, db, component, version, stmt); err != nil {
			return fmt.Errorf("migrate %s to version %d: %w", component, version, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, component string, version int, stmt string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE component = ? AND version = ?`,
		component, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, stmt); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, version) VALUES (?, ?)`,
		component, version); err != nil {
		return err
	}
	return tx.Commit()
}

// IsUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY constraint failure.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// NotFoundOr maps sql.ErrNoRows to a NotFound error with msg and wraps anything else.
func NotFoundOr(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundf("%s not found", what)
	}
	return fmt.Errorf("load %s: %w", what, err)
}

// Placeholders returns "?, ?, ?" for n arguments.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Millis is t in Unix milliseconds, 0 for the zero time. Stores keep times to the millisecond,
// as MongoDB does, so that both adapters of a repository return the same values.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromMillis turns Millis back into a UTC time, 0 into the zero time.
func FromMillis(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// Querier is a database or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// QueryDocs runs query, whose rows have one column, a stored document, and decodes each row
// with decode. what names the rows in errors ("list bookings").
func QueryDocs[T any](ctx context.Context, q Querier, what string, decode func(doc string) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		v, err := decode(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
