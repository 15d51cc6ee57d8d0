package mongodb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

func connect(t *testing.T, uri string) *mongo.Database {
	t.Helper()
	client, db, err := mongodb.Connect(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if strings.HasPrefix(db.Name(), "t_") {
			_ = db.Drop(ctx)
		}
		_ = client.Disconnect(ctx)
	})
	return db
}

func TestConnectNamesTheDatabase(t *testing.T) {
	if mongotest.IsRealMongo() {
		t.Skip("builds URIs for the embedded FerretDB only")
	}
	uri := mongotest.URI(t) // mongodb://host:port/
	if db := connect(t, uri); db.Name() != mongodb.DefaultDatabase {
		t.Fatalf("no database in the URI: got %q, want %q", db.Name(), mongodb.DefaultDatabase)
	}
	if db := connect(t, uri+"t_named?appName=marquee-test"); db.Name() != "t_named" {
		t.Fatalf("got database %q, want t_named", db.Name())
	}
}

func TestConnectFailsFastAndKeepsSecrets(t *testing.T) {
	start := time.Now()
	_, _, err := mongodb.Connect(context.Background(), "mongodb://marquee:s3cret@127.0.0.1:1/db?serverSelectionTimeoutMS=300")
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %s to give up", time.Since(start))
	}
	t.Log(err)
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("error should name the host but not the password: %v", err)
	}
	if _, _, err := mongodb.Connect(context.Background(), "postgres://marquee:s3cret@x/db"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("bad URI: %v", err)
	}
}

func TestEnsureIndexesIsIdempotentAndUnique(t *testing.T) {
	ctx := context.Background()
	db, _ := mongotest.Database(t)
	coll := db.Collection("things")
	a := mongodb.Index{Name: "a", Keys: bson.D{{Key: "a", Value: 1}}}
	b := mongodb.Index{Name: "b_c_unique", Keys: bson.D{{Key: "b", Value: 1}, {Key: "c", Value: 1}}, Unique: true}
	c := mongodb.Index{Name: "c", Keys: bson.D{{Key: "c", Value: -1}}}
	// Some indexes existing and some new is the case FerretDB v1.24 gets wrong in one command.
	for i, set := range [][]mongodb.Index{{b}, {a, b}, {a, b, c}, {a, b, c}} {
		if err := mongodb.EnsureIndexes(ctx, coll, set...); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	specs, err := coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range specs {
		names[s.Name] = true
	}
	for _, n := range []string{"_id_", "a", "b_c_unique", "c"} {
		if !names[n] {
			t.Errorf("index %s missing; have %v", n, names)
		}
	}
	if len(specs) != 4 {
		t.Errorf("%d indexes, want 4", len(specs))
	}
	if err := mongodb.EnsureIndexes(ctx, coll, mongodb.Index{Keys: bson.D{{Key: "x", Value: 1}}}); err == nil {
		t.Error("an index without a name was accepted")
	}

	if _, err := coll.InsertOne(ctx, bson.D{{Key: "b", Value: 1}, {Key: "c", Value: 2}}); err != nil {
		t.Fatal(err)
	}
	_, err = coll.InsertOne(ctx, bson.D{{Key: "b", Value: 1}, {Key: "c", Value: 2}})
	if !mongodb.IsDuplicateKey(err) {
		t.Fatalf("duplicate insert: got %v, want a duplicate key error", err)
	}
	if mongodb.IsDuplicateKey(nil) || mongodb.IsDuplicateKey(context.Canceled) {
		t.Fatal("IsDuplicateKey is true for an unrelated error")
	}
}
