// Package mongodb connects Marquee's Mongo adapters to a MongoDB server (go.mongodb.org/mongo-driver/v2)
// and holds the helpers they share: duplicate-key detection and idempotent index creation.
//
// The adapters follow the storage rules of the design: correctness never rests on multi-document
// transactions, TTL indexes, $lookup, $facet or geo operators; unique indexes and optimistic
// version checks carry it instead, so the same code is right on a replica set and on FerretDB.
package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// DefaultDatabase is the database used when the URI names none.
const DefaultDatabase = "marquee"

// ServerSelectionTimeout bounds how long Connect, and each operation, waits for a usable server
// when the URI does not set serverSelectionTimeoutMS itself.
const ServerSelectionTimeout = 10 * time.Second

// Connect connects to the server at uri, checks that it answers, and returns the client and the
// database named by the URI's path (DefaultDatabase when it names none). The caller disconnects
// the client. The error never contains the URI's credentials.
func Connect(ctx context.Context, uri string) (*mongo.Client, *mongo.Database, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		// The parser's message may quote the URI; do not repeat it.
		return nil, nil, errors.New("mongodb: invalid connection URI (expected mongodb://host[:port][/database][?options])")
	}
	where := strings.Join(cs.Hosts, ",")
	if where == "" {
		where = cs.Scheme + " URI"
	}
	dbName := cs.Database
	if dbName == "" {
		dbName = DefaultDatabase
	}

	opts := options.Client().ApplyURI(uri)
	wait := ServerSelectionTimeout
	if cs.ServerSelectionTimeoutSet {
		wait = cs.ServerSelectionTimeout
	} else {
		opts.SetServerSelectionTimeout(wait)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("mongodb: connect to %s: %w", where, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, wait+time.Second)
	defer cancel()
	if err := client.Ping(pingCtx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, nil, fmt.Errorf("mongodb: no usable server at %s within %s (is MongoDB running and reachable?): %w",
			where, wait, err)
	}
	return client, client.Database(dbName), nil
}

// IsDuplicateKey reports whether err is a unique-index violation (E11000), also inside a write or
// bulk-write exception.
func IsDuplicateKey(err error) bool { return mongo.IsDuplicateKeyError(err) }

// Index describes an index to create at start-up. Name is required so that creating the same
// index again is recognised by the server as a no-op.
type Index struct {
	Name   string
	Keys   bson.D
	Unique bool
}

// EnsureIndexes creates the indexes on coll when they do not exist yet. It is idempotent: the
// server accepts re-creating an index with the same name and specification. Changing the
// specification of an existing name is an error; give the new index a new name instead.
//
// Each index is created with its own createIndexes command. One command for all of them would save
// a few round-trips at start-up, but FerretDB v1.24 mishandles a multi-index createIndexes in
// which some of the indexes already exist (it filters them out by stale positions: it panics and
// drops the connection, or skips a new index), which is exactly the restart case.
func EnsureIndexes(ctx context.Context, coll *mongo.Collection, indexes ...Index) error {
	for i, ix := range indexes {
		if ix.Name == "" || len(ix.Keys) == 0 {
			return fmt.Errorf("mongodb: index %d on %s needs a name and keys", i, coll.Name())
		}
		o := options.Index().SetName(ix.Name)
		if ix.Unique {
			o.SetUnique(true)
		}
		if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: ix.Keys, Options: o}); err != nil {
			return fmt.Errorf("mongodb: create index %s on %s: %w", ix.Name, coll.Name(), err)
		}
	}
	return nil
}

// NoTime is how an unset time is stored where it is compared or sorted: the Unix epoch, before
// every real time.
var NoTime = time.Unix(0, 0).UTC()

// StoredTime is t as a BSON date keeps it: UTC, to the millisecond; the zero time as NoTime.
func StoredTime(t time.Time) time.Time {
	if t.IsZero() {
		return NoTime
	}
	return t.UTC().Truncate(time.Millisecond)
}

// ReadTime turns a date stored by StoredTime back into a time, NoTime into the zero time.
func ReadTime(t time.Time) time.Time {
	if t.IsZero() || t.Equal(NoTime) {
		return time.Time{}
	}
	return t.UTC()
}
