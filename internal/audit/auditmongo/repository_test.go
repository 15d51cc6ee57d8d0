package auditmongo_test

import (
	"context"
	"testing"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/audit/auditmongo"
	"github.com/marquee-cinema/marquee/internal/audit/audittest"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

func TestConformance(t *testing.T) {
	if mongotest.IsRealMongo() {
		t.Log("running against the MongoDB at " + mongotest.EnvURI)
	} else {
		t.Log("running against the embedded FerretDB (set " + mongotest.EnvURI + " to use a real MongoDB)")
	}
	audittest.Run(t, func(t *testing.T) audit.Repository {
		db, _ := mongotest.Database(t)
		r, err := auditmongo.New(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}

// TestNewIsIdempotent checks that starting twice on the same database (a restart) is fine and
// leaves the indexes in place.
func TestNewIsIdempotent(t *testing.T) {
	db, _ := mongotest.Database(t)
	ctx := context.Background()
	for i := range 2 {
		if _, err := auditmongo.New(ctx, db); err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
	}
	specs, err := db.Collection(auditmongo.Collection).Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range specs {
		names[s.Name] = true
	}
	for _, want := range []string{"at_id", "theatreId_at_id", "resource_resourceId_at_id", "actorId_at_id"} {
		if !names[want] {
			t.Errorf("index %s missing; have %v", want, names)
		}
	}
}
