package sqlitedb

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
)

// The driver parses the SQL text of every ExecContext and QueryContext anew: on the purchase path
// that was about a tenth of the CPU. cachingDriver wraps it so that each connection keeps its
// prepared statements, keyed by the SQL text, and runs them again with new arguments. The
// repositories keep calling db.ExecContext / tx.QueryContext as before.

// stmtCacheSize is how many statements a connection keeps; the least recently used one is
// finalized when a new one needs the room. Statements built with a varying number of
// placeholders ("IN (?, ?, ?)") take one entry per length.
const stmtCacheSize = 256

// maxCachedSQL is the longest SQL text kept prepared; longer ones are scripts (migrations).
const maxCachedSQL = 4096

type cachingDriver struct{ base driver.Driver }

func (d cachingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}
	inner, ok := c.(sqliteConn)
	if !ok {
		_ = c.Close()
		return nil, fmt.Errorf("sqlite driver connection %T lacks the context methods", c)
	}
	return &cachingConn{sqliteConn: inner, stmts: map[string]*list.Element{}, order: list.New()}, nil
}

// sqliteConn is what modernc.org/sqlite's connection implements and database/sql uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachedStmt is a prepared statement of one connection. busy is set while rows read from it are
// open: SQLite steps one statement at a time, so a second query of the same text meanwhile (a
// nested read in a transaction) is prepared afresh instead.
type cachedStmt struct {
	sql  string
	stmt preparedStmt
	busy bool
}

type preparedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn is used by one goroutine at a time (database/sql's guarantee), so it needs no lock.
type cachingConn struct {
	sqliteConn
	stmts    map[string]*list.Element // SQL text → element of order holding *cachedStmt
	order    *list.List               // most recently used first
	prepares int                      // statements prepared for the cache (read by tests)
}

func cacheable(query string) bool {
	if len(query) > maxCachedSQL {
		return false
	}
	// A statement followed by more statements is a script; the driver runs those itself.
	q := strings.TrimRight(strings.TrimSpace(query), ";")
	return !strings.Contains(q, ";")
}

// prepared returns the connection's prepared statement for query, preparing it when needed, or
// nil when query is not kept (not cacheable, or in use by open rows).
func (c *cachingConn) prepared(ctx context.Context, query string) (*cachedStmt, error) {
	if el, ok := c.stmts[query]; ok {
		cs := el.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.order.MoveToFront(el)
		return cs, nil
	}
	if !cacheable(query) {
		return nil, nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(preparedStmt)
	if !ok {
		_ = ds.Close()
		return nil, nil
	}
	c.prepares++
	cs := &cachedStmt{sql: query, stmt: st}
	c.stmts[query] = c.order.PushFront(cs)
	for c.order.Len() > stmtCacheSize {
		c.evict(c.order.Back())
	}
	return cs, nil
}

// evict drops a statement from the cache; one with open rows is finalized when they close.
func (c *cachingConn) evict(el *list.Element) {
	cs := el.Value.(*cachedStmt)
	c.order.Remove(el)
	delete(c.stmts, cs.sql)
	if !cs.busy {
		_ = cs.stmt.Close()
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return cs.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, conn: c, stmt: cs}, nil
}

func (c *cachingConn) Close() error {
	var errsList []error
	for el := c.order.Front(); el != nil; el = el.Next() {
		if err := el.Value.(*cachedStmt).stmt.Close(); err != nil {
			errsList = append(errsList, err)
		}
	}
	c.stmts, c.order = nil, list.New()
	return errors.Join(append(errsList, c.sqliteConn.Close())...)
}

// cachedRows gives the statement back to its connection's cache when the rows close.
type cachedRows struct {
	driver.Rows
	conn   *cachingConn
	stmt   *cachedStmt
	closed bool
}

func (r *cachedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	r.stmt.busy = false
	if el, kept := r.conn.stmts[r.stmt.sql]; !kept || el.Value != r.stmt {
		// Evicted while the rows were open.
		if cerr := r.stmt.stmt.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// driverName is the name the caching driver is registered under.
const driverName = "sqlite-stmtcache"

func init() {
	// sql.Open only looks the driver up; it connects nothing.
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic(fmt.Sprintf("sqlitedb: the sqlite driver is not registered: %v", err))
	}
	sql.Register(driverName, cachingDriver{base: db.Driver()})
	_ = db.Close()
}
