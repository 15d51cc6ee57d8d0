// Package auditsqlite stores the audit log in the embedded SQLite database, one row per entry in
// the audit_log table. At is stored as Unix milliseconds, so that listing order and cursors match
// the Mongo adapter's.
package auditsqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

// Component is the name the schema migrations are recorded under.
const Component = "audit"

// The indexes end in id so that the (at DESC, id DESC) order is read straight off them.
var migrations = []string{
	`CREATE TABLE audit_log (
		id TEXT PRIMARY KEY,
		at INTEGER NOT NULL,
		actor_id TEXT NOT NULL,
		actor_roles TEXT NOT NULL,
		action TEXT NOT NULL,
		resource TEXT NOT NULL,
		resource_id TEXT NOT NULL,
		theatre_id TEXT NOT NULL,
		summary TEXT NOT NULL
	);
	CREATE INDEX audit_log_at ON audit_log (at, id);
	CREATE INDEX audit_log_theatre_at ON audit_log (theatre_id, at, id);
	CREATE INDEX audit_log_resource_at ON audit_log (resource, resource_id, at, id);
	CREATE INDEX audit_log_actor_at ON audit_log (actor_id, at, id);`,
}

// Repository is an audit.Repository on SQLite.
type Repository struct {
	db *sql.DB
}

var _ audit.Repository = (*Repository)(nil)

// New migrates the schema and returns the repository.
func New(ctx context.Context, db *sql.DB) (*Repository, error) {
	if err := sqlitedb.Migrate(ctx, db, Component, migrations); err != nil {
		return nil, err
	}
	return &Repository{db: db}, nil
}

// Append stores a new entry.
func (r *Repository) Append(ctx context.Context, e audit.Entry) error {
	roles, err := json.Marshal(nonNil(e.ActorRoles))
	if err != nil {
		return fmt.Errorf("encode actor roles: %w", err)
	}
	_, err = r.db.ExecContext(ctx, `INSERT INTO audit_log
		(id, at, actor_id, actor_roles, action, resource, resource_id, theatre_id, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.At.UnixMilli(), e.ActorID, string(roles), e.Action, e.Resource, e.ResourceID, e.TheatreID, e.Summary)
	if err != nil {
		if sqlitedb.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "audit entry %s already exists", e.ID)
		}
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

// List returns a page of entries, newest first.
func (r *Repository) List(ctx context.Context, f audit.Filter, after *audit.Position, limit int) ([]audit.Entry, error) {
	if limit <= 0 || (f.TheatreIDs != nil && len(f.TheatreIDs) == 0) {
		return nil, nil
	}
	var where []string
	var args []any
	for _, c := range []struct{ col, value string }{
		{"actor_id", f.ActorID}, {"resource", f.Resource}, {"resource_id", f.ResourceID},
		{"theatre_id", f.TheatreID}, {"action", f.Action},
	} {
		if c.value != "" {
			where = append(where, c.col+` = ?`)
			args = append(args, c.value)
		}
	}
	if f.TheatreIDs != nil {
		where = append(where, `theatre_id IN (`+sqlitedb.Placeholders(len(f.TheatreIDs))+`)`)
		for _, t := range f.TheatreIDs {
			args = append(args, t)
		}
	}
	if !f.Since.IsZero() {
		where = append(where, `at >= ?`)
		args = append(args, audit.CeilTime(f.Since).UnixMilli())
	}
	if !f.Until.IsZero() {
		where = append(where, `at < ?`)
		args = append(args, audit.CeilTime(f.Until).UnixMilli())
	}
	if after != nil {
		at := audit.StoredTime(after.At).UnixMilli()
		where = append(where, `(at < ? OR (at = ? AND id < ?))`)
		args = append(args, at, at, after.ID)
	}
	q := `SELECT id, at, actor_id, actor_roles, action, resource, resource_id, theatre_id, summary FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY at DESC, id DESC LIMIT ?`
	args = append(args, limit)

	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query audit log: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at int64
		var roles string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &roles, &e.Action, &e.Resource, &e.ResourceID, &e.TheatreID,
			&e.Summary); err != nil {
			return nil, fmt.Errorf("scan audit entry: %w", err)
		}
		if err := json.Unmarshal([]byte(roles), &e.ActorRoles); err != nil {
			return nil, fmt.Errorf("decode actor roles of audit entry %s: %w", e.ID, err)
		}
		if len(e.ActorRoles) == 0 {
			e.ActorRoles = nil
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query audit log: %w", err)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
