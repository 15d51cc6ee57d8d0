// Package moviemongo stores movies in MongoDB, one document per movie in the "movies" collection.
//
// Listing order is (titleKey, _id) where titleKey = movie.SortKey(title) is stored with the
// document; title search is a case-insensitive substring match done as an escaped $regex on
// titleKey. Updates are optimistic: every document carries a version that each write increments,
// and a replace only succeeds if the version is still the one that was read. No multi-document
// transaction is used.
package moviemongo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
)

// Collection is the name of the collection movies are stored in.
const Collection = "movies"

// updateAttempts is how many times Update re-reads and re-applies its function after losing a
// race with a concurrent writer.
const updateAttempts = 5

// Repository is a movie.Repository on MongoDB.
type Repository struct {
	coll *mongo.Collection
}

var _ movie.Repository = (*Repository)(nil)

// New creates the collection's indexes (idempotently) and returns the repository.
func New(ctx context.Context, db *mongo.Database) (*Repository, error) {
	coll := db.Collection(Collection)
	err := mongodb.EnsureIndexes(ctx, coll,
		mongodb.Index{Name: "titleKey_id", Keys: bson.D{{Key: "titleKey", Value: 1}, {Key: "_id", Value: 1}}},
		mongodb.Index{Name: "status_titleKey_id", Keys: bson.D{{Key: "status", Value: 1}, {Key: "titleKey", Value: 1}, {Key: "_id", Value: 1}}},
		mongodb.Index{Name: "languages_titleKey_id", Keys: bson.D{{Key: "languages", Value: 1}, {Key: "titleKey", Value: 1}, {Key: "_id", Value: 1}}},
		mongodb.Index{Name: "genres_titleKey_id", Keys: bson.D{{Key: "genres", Value: 1}, {Key: "titleKey", Value: 1}, {Key: "_id", Value: 1}}},
		mongodb.Index{Name: "formats_titleKey_id", Keys: bson.D{{Key: "formats", Value: 1}, {Key: "titleKey", Value: 1}, {Key: "_id", Value: 1}}},
	)
	if err != nil {
		return nil, err
	}
	return &Repository{coll: coll}, nil
}

// creditDoc is a stored credit.
type creditDoc struct {
	Name string `bson:"name"`
	Role string `bson:"role"`
}

// document is the stored form of a movie. Times are BSON dates (UTC, millisecond precision).
type document struct {
	ID             string      `bson:"_id"`
	Title          string      `bson:"title"`
	TitleKey       string      `bson:"titleKey"`
	Synopsis       string      `bson:"synopsis"`
	RuntimeMinutes int         `bson:"runtimeMinutes"`
	ReleaseDate    string      `bson:"releaseDate"`
	Certification  string      `bson:"certification"`
	Genres         []string    `bson:"genres"`
	Languages      []string    `bson:"languages"`
	Formats        []string    `bson:"formats"`
	Cast           []creditDoc `bson:"cast"`
	Crew           []creditDoc `bson:"crew"`
	Status         string      `bson:"status"`
	PosterURL      string      `bson:"posterUrl"`
	CreatedAt      time.Time   `bson:"createdAt"`
	UpdatedAt      time.Time   `bson:"updatedAt"`
	// Version counts the writes of the document, from 1 at creation; updates check it.
	Version int64 `bson:"version"`
}

func toDocument(m movie.Movie, version int64) document {
	return document{ID: m.ID, Title: m.Title, TitleKey: movie.SortKey(m.Title), Synopsis: m.Synopsis,
		RuntimeMinutes: m.RuntimeMinutes, ReleaseDate: m.ReleaseDate, Certification: m.Certification,
		Genres: nonNil(m.Genres), Languages: nonNil(m.Languages), Formats: nonNil(m.Formats),
		Cast: toCredits(m.Cast), Crew: toCredits(m.Crew), Status: string(m.Status), PosterURL: m.PosterURL,
		CreatedAt: storedTime(m.CreatedAt), UpdatedAt: storedTime(m.UpdatedAt), Version: version}
}

// storedTime is t as a BSON date keeps it: UTC, to the millisecond.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func (d document) movie() movie.Movie {
	return movie.Movie{ID: d.ID, Title: d.Title, Synopsis: d.Synopsis, RuntimeMinutes: d.RuntimeMinutes,
		ReleaseDate: d.ReleaseDate, Certification: d.Certification, Genres: d.Genres, Languages: d.Languages,
		Formats: d.Formats, Cast: fromCredits(d.Cast), Crew: fromCredits(d.Crew), Status: movie.Status(d.Status),
		PosterURL: d.PosterURL, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

func toCredits(cs []movie.Credit) []creditDoc {
	out := make([]creditDoc, len(cs))
	for i, c := range cs {
		out[i] = creditDoc{Name: c.Name, Role: c.Role}
	}
	return out
}

func fromCredits(cs []creditDoc) []movie.Credit {
	if len(cs) == 0 {
		return nil
	}
	out := make([]movie.Credit, len(cs))
	for i, c := range cs {
		out[i] = movie.Credit{Name: c.Name, Role: c.Role}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Create stores a new movie.
func (r *Repository) Create(ctx context.Context, m movie.Movie) error {
	if _, err := r.coll.InsertOne(ctx, toDocument(m, 1)); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return errs.E(errs.Conflict, "movie %s already exists", m.ID)
		}
		return fmt.Errorf("insert movie: %w", err)
	}
	return nil
}

// Get returns one movie.
func (r *Repository) Get(ctx context.Context, id string) (movie.Movie, error) {
	d, err := r.get(ctx, id)
	if err != nil {
		return movie.Movie{}, err
	}
	return d.movie(), nil
}

func (r *Repository) get(ctx context.Context, id string) (document, error) {
	var d document
	if err := r.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return document{}, errs.NotFoundf("movie %s not found", id)
		}
		return document{}, fmt.Errorf("find movie %s: %w", id, err)
	}
	return d, nil
}

// GetMany returns the movies among ids.
func (r *Repository) GetMany(ctx context.Context, ids []string) ([]movie.Movie, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return r.find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find())
}

// List returns a page of movies in (titleKey, id) order.
func (r *Repository) List(ctx context.Context, f movie.Filter, after *movie.Position, limit int) ([]movie.Movie, error) {
	if limit == 0 || (f.IDs != nil && len(f.IDs) == 0) {
		return nil, nil
	}
	filter := bson.D{}
	if f.IDs != nil {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: f.IDs}}})
	}
	if f.Language != "" {
		filter = append(filter, bson.E{Key: "languages", Value: f.Language})
	}
	if f.Genre != "" {
		filter = append(filter, bson.E{Key: "genres", Value: f.Genre})
	}
	if f.Format != "" {
		filter = append(filter, bson.E{Key: "formats", Value: f.Format})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	if f.Search != "" {
		// The search is user input: escape every regex metacharacter so that it is matched as a
		// literal substring of the lower-cased title. A BSON regex cannot hold a NUL byte; the
		// escape \x00 means the same to MongoDB's PCRE and FerretDB's Go regexp.
		pattern := strings.ReplaceAll(regexp.QuoteMeta(movie.SortKey(f.Search)), "\x00", `\x00`)
		filter = append(filter, bson.E{Key: "titleKey", Value: bson.D{{Key: "$regex", Value: pattern}}})
	}
	if after != nil {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "titleKey", Value: bson.D{{Key: "$gt", Value: after.TitleKey}}}},
			bson.D{{Key: "titleKey", Value: after.TitleKey}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: after.ID}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "titleKey", Value: 1}, {Key: "_id", Value: 1}})
	if limit > 0 { // like the SQLite adapter, a negative limit means no limit
		opts.SetLimit(int64(limit))
	}
	return r.find(ctx, filter, opts)
}

func (r *Repository) find(ctx context.Context, filter bson.D, opts *options.FindOptionsBuilder) ([]movie.Movie, error) {
	cur, err := r.coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find movies: %w", err)
	}
	var docs []document
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read movies: %w", err)
	}
	var out []movie.Movie
	for _, d := range docs {
		out = append(out, d.movie())
	}
	return out, nil
}

// Update loads a movie, applies fn and replaces the document if no one else wrote it meanwhile;
// after a lost race it starts again from a fresh read, a few times.
func (r *Repository) Update(ctx context.Context, id string, fn func(*movie.Movie) error) (movie.Movie, error) {
	for range updateAttempts {
		d, err := r.get(ctx, id)
		if err != nil {
			return movie.Movie{}, err
		}
		m := d.movie()
		if err := fn(&m); err != nil {
			return movie.Movie{}, err
		}
		m.ID = id
		next := toDocument(m, d.Version+1)
		res, err := r.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}, next)
		if err != nil {
			return movie.Movie{}, fmt.Errorf("replace movie %s: %w", id, err)
		}
		if res.MatchedCount == 1 {
			return next.movie(), nil // as stored, so that it equals what Get returns
		}
		// Someone else wrote (or deleted) the movie since we read it: read again.
	}
	return movie.Movie{}, errs.E(errs.Conflict, "movie %s is being changed concurrently; try again", id)
}

// Count returns how many movies exist.
func (r *Repository) Count(ctx context.Context) (int, error) {
	n, err := r.coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("count movies: %w", err)
	}
	return int(n), nil
}
