package auditsqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/audit/auditsqlite"
	"github.com/marquee-cinema/marquee/internal/audit/audittest"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

func TestConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audit.Repository {
		ctx := context.Background()
		db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), sqlitedb.FileName))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		// Migrating twice must be harmless.
		if _, err := auditsqlite.New(ctx, db); err != nil {
			t.Fatal(err)
		}
		r, err := auditsqlite.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}

// TestQueriesUseIndexes checks that the listing queries the Service makes are answered from an
// index, not by scanning the table.
func TestQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), sqlitedb.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := auditsqlite.New(ctx, db); err != nil {
		t.Fatal(err)
	}
	for where, index := range map[string]string{
		``:                       "audit_log_at",
		`WHERE theatre_id = 'x'`: "audit_log_theatre_at",
		`WHERE resource = 'movie' AND resource_id = 'x'`: "audit_log_resource_at",
		`WHERE actor_id = 'x'`:                           "audit_log_actor_at",
	} {
		rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT id FROM audit_log `+where+` ORDER BY at DESC, id DESC LIMIT 10`)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		_ = rows.Close()
		got := strings.Join(plan, "; ")
		if !strings.Contains(got, index) || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%q: plan %q, want an ordered read of %s", where, got, index)
		}
	}
}
