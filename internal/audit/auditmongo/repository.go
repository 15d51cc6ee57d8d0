// Package auditmongo stores the audit log in MongoDB, one document per entry in the "audit_log"
// collection. Entries are only ever inserted, so a duplicate id is caught by the _id index alone;
// no transaction is used. At is a BSON date (UTC, millisecond precision).
package auditmongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
)

// Collection is the name of the collection entries are stored in.
const Collection = "audit_log"

// Repository is an audit.Repository on MongoDB.
type Repository struct {
	coll *mongo.Collection
}

var _ audit.Repository = (*Repository)(nil)

// New creates the collection's indexes (idempotently, one per command) and returns the repository.
func New(ctx context.Context, db *mongo.Database) (*Repository, error) {
	coll := db.Collection(Collection)
	// Each index ends in (at, _id) descending, the listing order.
	err := mongodb.EnsureIndexes(ctx, coll,
		mongodb.Index{Name: "at_id", Keys: bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}},
		mongodb.Index{Name: "theatreId_at_id", Keys: bson.D{{Key: "theatreId", Value: 1}, {Key: "at", Value: -1},
			{Key: "_id", Value: -1}}},
		mongodb.Index{Name: "resource_resourceId_at_id", Keys: bson.D{{Key: "resource", Value: 1},
			{Key: "resourceId", Value: 1}, {Key: "at", Value: -1}, {Key: "_id", Value: -1}}},
		mongodb.Index{Name: "actorId_at_id", Keys: bson.D{{Key: "actorId", Value: 1}, {Key: "at", Value: -1},
			{Key: "_id", Value: -1}}},
	)
	if err != nil {
		return nil, err
	}
	return &Repository{coll: coll}, nil
}

// document is the stored form of an entry.
type document struct {
	ID         string    `bson:"_id"`
	At         time.Time `bson:"at"`
	ActorID    string    `bson:"actorId"`
	ActorRoles []string  `bson:"actorRoles"`
	Action     string    `bson:"action"`
	Resource   string    `bson:"resource"`
	ResourceID string    `bson:"resourceId"`
	TheatreID  string    `bson:"theatreId"`
	Summary    string    `bson:"summary"`
}

func toDocument(e audit.Entry) document {
	roles := e.ActorRoles
	if roles == nil {
		roles = []string{}
	}
	return document{ID: e.ID, At: audit.StoredTime(e.At), ActorID: e.ActorID, ActorRoles: roles, Action: e.Action,
		Resource: e.Resource, ResourceID: e.ResourceID, TheatreID: e.TheatreID, Summary: e.Summary}
}

func (d document) entry() audit.Entry {
	e := audit.Entry{ID: d.ID, At: d.At.UTC(), ActorID: d.ActorID, ActorRoles: d.ActorRoles, Action: d.Action,
		Resource: d.Resource, ResourceID: d.ResourceID, TheatreID: d.TheatreID, Summary: d.Summary}
	if len(e.ActorRoles) == 0 {
		e.ActorRoles = nil
	}
	return e
}

// Append stores a new entry.
func (r *Repository) Append(ctx context.Context, e audit.Entry) error {
	if _, err := r.coll.InsertOne(ctx, toDocument(e)); err != nil {
		if mongodb.IsDuplicateKey(err) {
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
	filter := bson.D{}
	for _, c := range []struct{ key, value string }{
		{"actorId", f.ActorID}, {"resource", f.Resource}, {"resourceId", f.ResourceID},
		{"theatreId", f.TheatreID}, {"action", f.Action},
	} {
		if c.value != "" {
			filter = append(filter, bson.E{Key: c.key, Value: c.value})
		}
	}
	if f.TheatreIDs != nil {
		// A second condition on theatreId when TheatreID is also set: wrap both in $and.
		filter = append(filter, bson.E{Key: "$and", Value: bson.A{
			bson.D{{Key: "theatreId", Value: bson.D{{Key: "$in", Value: f.TheatreIDs}}}},
		}})
	}
	at := bson.D{}
	if !f.Since.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: audit.CeilTime(f.Since)})
	}
	if !f.Until.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: audit.CeilTime(f.Until)})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	if after != nil {
		pos := audit.StoredTime(after.At)
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: pos}}}},
			bson.D{{Key: "at", Value: pos}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: after.ID}}}},
		}})
	}
	opts := options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(limit))
	cur, err := r.coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find audit entries: %w", err)
	}
	var docs []document
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read audit entries: %w", err)
	}
	var out []audit.Entry
	for _, d := range docs {
		out = append(out, d.entry())
	}
	return out, nil
}
