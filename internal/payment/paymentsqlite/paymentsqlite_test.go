package paymentsqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marquee-cinema/marquee/internal/payment/paymentsqlite"
	"github.com/marquee-cinema/marquee/internal/payment/paymenttest"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

func TestConformance(t *testing.T) {
	// SQLite serialises writers in immediate transactions, so the concurrency subtests run.
	paymenttest.Run(t, func(t *testing.T) paymenttest.Stores {
		ctx := context.Background()
		db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		// Migrating twice must be harmless.
		if _, err := paymentsqlite.New(ctx, db); err != nil {
			t.Fatal(err)
		}
		s, err := paymentsqlite.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return paymenttest.Stores{Payments: s.Payments, Events: s.Events, Sandbox: s.Sandbox}
	}, true)
}
