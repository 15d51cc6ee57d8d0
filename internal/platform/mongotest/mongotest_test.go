package mongotest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

func TestInsertFindAndUniqueIndex(t *testing.T) {
	db, uri := mongotest.Database(t)
	if !strings.HasPrefix(uri, "mongodb://") {
		t.Fatalf("URI = %q, want a mongodb:// URI", uri)
	}
	if !strings.HasPrefix(db.Name(), "t_") {
		t.Fatalf("database name = %q, want a t_ prefix", db.Name())
	}
	t.Logf("real MongoDB: %v, uri %s, database %s", mongotest.IsRealMongo(), uri, db.Name())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	coll := db.Collection("movies")
	_, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "slug", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("slug_unique"),
	})
	if err != nil {
		t.Fatalf("create unique index: %v", err)
	}

	if _, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "m1"}, {Key: "slug", Value: "alien"}, {Key: "year", Value: 1979}}); err != nil {
		t.Fatalf("insert: %v", err)
	}

	var got struct {
		ID   string `bson:"_id"`
		Slug string `bson:"slug"`
		Year int    `bson:"year"`
	}
	if err = coll.FindOne(ctx, bson.D{{Key: "slug", Value: "alien"}}).Decode(&got); err != nil {
		t.Fatalf("find: %v", err)
	}
	if got.ID != "m1" || got.Slug != "alien" || got.Year != 1979 {
		t.Fatalf("found %+v, want {m1 alien 1979}", got)
	}

	_, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "m2"}, {Key: "slug", Value: "alien"}})
	if err == nil {
		t.Fatal("duplicate slug inserted despite the unique index")
	}
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("duplicate insert: got %v, want a duplicate key error", err)
	}

	n, err := coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	if n != 1 {
		t.Fatalf("count = %d, want 1", n)
	}

	if err = coll.FindOne(ctx, bson.D{{Key: "_id", Value: "m2"}}).Err(); !errors.Is(err, mongo.ErrNoDocuments) {
		t.Fatalf("find rejected document: got %v, want mongo.ErrNoDocuments", err)
	}
}

// TestDatabasesAreIsolated checks that two calls give distinct, empty databases
// on the same shared server.
func TestDatabasesAreIsolated(t *testing.T) {
	a, uriA := mongotest.Database(t)
	b, uriB := mongotest.Database(t)
	if uriA != uriB {
		t.Fatalf("URIs differ within one test process: %q vs %q", uriA, uriB)
	}
	if a.Name() == b.Name() {
		t.Fatalf("both databases are named %q", a.Name())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if _, err := a.Collection("c").InsertOne(ctx, bson.D{{Key: "x", Value: 1}}); err != nil {
		t.Fatalf("insert: %v", err)
	}
	n, err := b.Collection("c").CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	if n != 0 {
		t.Fatalf("second database sees %d documents, want 0", n)
	}
}
