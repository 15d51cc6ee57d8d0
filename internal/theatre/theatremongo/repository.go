// Package theatremongo stores cities, theatres and screens in MongoDB, one document each in the
// "cities", "theatres" and "screens" collections.
//
// Theatres keep their position as plain numeric lat and lng fields with an ordinary compound
// index, queried with range conditions: no geo index or operator is used (exact distances are
// computed by the caller). A unique index on (theatreId, name) makes duplicate screen names a
// conflict. Screen updates are optimistic: every screen document carries a version that each
// write increments, and a replace only succeeds if the version is still the one that was read.
// No multi-document transaction is used.
package theatremongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// The collections' names.
const (
	CitiesCollection   = "cities"
	TheatresCollection = "theatres"
	ScreensCollection  = "screens"
)

// updateAttempts is how many times Update re-reads and re-applies its function after losing a
// race with a concurrent writer.
const updateAttempts = 5

// Store holds the three theatre repositories on one database.
type Store struct {
	Cities   *CityRepository
	Theatres *TheatreRepository
	Screens  *ScreenRepository
}

var (
	_ theatre.CityRepository    = (*CityRepository)(nil)
	_ theatre.TheatreRepository = (*TheatreRepository)(nil)
	_ theatre.ScreenRepository  = (*ScreenRepository)(nil)
)

// New creates the collections' indexes (idempotently) and returns the repositories.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	cities := db.Collection(CitiesCollection)
	theatres := db.Collection(TheatresCollection)
	screens := db.Collection(ScreensCollection)
	if err := mongodb.EnsureIndexes(ctx, cities,
		mongodb.Index{Name: "name_id", Keys: bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}},
	); err != nil {
		return nil, err
	}
	if err := mongodb.EnsureIndexes(ctx, theatres,
		mongodb.Index{Name: "cityId_name_id", Keys: bson.D{{Key: "cityId", Value: 1}, {Key: "name", Value: 1}, {Key: "_id", Value: 1}}},
		mongodb.Index{Name: "lat_lng", Keys: bson.D{{Key: "lat", Value: 1}, {Key: "lng", Value: 1}}},
	); err != nil {
		return nil, err
	}
	if err := mongodb.EnsureIndexes(ctx, screens,
		mongodb.Index{Name: "theatreId_name_unique", Keys: bson.D{{Key: "theatreId", Value: 1}, {Key: "name", Value: 1}}, Unique: true},
	); err != nil {
		return nil, err
	}
	return &Store{Cities: &CityRepository{cities}, Theatres: &TheatreRepository{theatres}, Screens: &ScreenRepository{screens}}, nil
}

// storedTime is t as a BSON date keeps it: UTC, to the millisecond.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

func inIDs(field string, ids []string) bson.D {
	return bson.D{{Key: field, Value: bson.D{{Key: "$in", Value: ids}}}}
}

// findOne decodes the document with id into v; NotFound names what when there is none.
func findOne(ctx context.Context, coll *mongo.Collection, what, id string, v any) error {
	if err := coll.FindOne(ctx, byID(id)).Decode(v); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return errs.NotFoundf("%s %s not found", what, id)
		}
		return fmt.Errorf("find %s %s: %w", what, id, err)
	}
	return nil
}

// findAll runs a query and converts every document with conv.
func findAll[D, T any](ctx context.Context, coll *mongo.Collection, what string, conv func(D) T, filter bson.D,
	opts *options.FindOptionsBuilder) ([]T, error) {
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", what, err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	var out []T
	for _, d := range docs {
		out = append(out, conv(d))
	}
	return out, nil
}

func insert(ctx context.Context, coll *mongo.Collection, what, id string, doc any) error {
	if _, err := coll.InsertOne(ctx, doc); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return errs.E(errs.Conflict, "%s %s already exists", what, id)
		}
		return fmt.Errorf("insert %s: %w", what, err)
	}
	return nil
}

// --- cities ---

// CityRepository is a theatre.CityRepository on MongoDB.
type CityRepository struct{ coll *mongo.Collection }

type cityDoc struct {
	ID       string  `bson:"_id"`
	Name     string  `bson:"name"`
	State    string  `bson:"state"`
	Country  string  `bson:"country"`
	TimeZone string  `bson:"timeZone"`
	Lat      float64 `bson:"lat"`
	Lng      float64 `bson:"lng"`
}

func toCityDoc(c theatre.City) cityDoc {
	return cityDoc{ID: c.ID, Name: c.Name, State: c.State, Country: c.Country, TimeZone: c.TimeZone,
		Lat: c.Location.Lat, Lng: c.Location.Lng}
}

func (d cityDoc) city() theatre.City {
	return theatre.City{ID: d.ID, Name: d.Name, State: d.State, Country: d.Country, TimeZone: d.TimeZone,
		Location: theatre.GeoPoint{Lat: d.Lat, Lng: d.Lng}}
}

// Create stores a city.
func (r *CityRepository) Create(ctx context.Context, c theatre.City) error {
	return insert(ctx, r.coll, "city", c.ID, toCityDoc(c))
}

// Get returns a city.
func (r *CityRepository) Get(ctx context.Context, id string) (theatre.City, error) {
	var d cityDoc
	if err := findOne(ctx, r.coll, "city", id, &d); err != nil {
		return theatre.City{}, err
	}
	return d.city(), nil
}

// List returns every city by name.
func (r *CityRepository) List(ctx context.Context) ([]theatre.City, error) {
	return findAll(ctx, r.coll, "cities", cityDoc.city, bson.D{},
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
}

// --- theatres ---

// TheatreRepository is a theatre.TheatreRepository on MongoDB.
type TheatreRepository struct{ coll *mongo.Collection }

type theatreDoc struct {
	ID                string    `bson:"_id"`
	Name              string    `bson:"name"`
	Chain             string    `bson:"chain"`
	CityID            string    `bson:"cityId"`
	Address           string    `bson:"address"`
	Lat               float64   `bson:"lat"`
	Lng               float64   `bson:"lng"`
	Amenities         []string  `bson:"amenities"`
	Currency          string    `bson:"currency"`
	TimeZone          string    `bson:"timeZone"`
	ChangeoverMinutes int       `bson:"changeoverMinutes"`
	AllowOrphanSeats  bool      `bson:"allowOrphanSeats,omitempty"`
	CancelCutoff      int       `bson:"cancellationCutoffMinutes,omitempty"`
	RefundFees        bool      `bson:"refundFeesOnCancel,omitempty"`
	CreatedAt         time.Time `bson:"createdAt"`
}

func toTheatreDoc(t theatre.Theatre) theatreDoc {
	return theatreDoc{ID: t.ID, Name: t.Name, Chain: t.Chain, CityID: t.CityID, Address: t.Address,
		Lat: t.Location.Lat, Lng: t.Location.Lng, Amenities: nonNil(t.Amenities), Currency: t.Currency,
		TimeZone: t.TimeZone, ChangeoverMinutes: t.ChangeoverMinutes, AllowOrphanSeats: t.AllowOrphanSeats,
		CancelCutoff: t.CancellationCutoffMinutes, RefundFees: t.RefundFeesOnCancel, CreatedAt: storedTime(t.CreatedAt)}
}

func (d theatreDoc) theatre() theatre.Theatre {
	return theatre.Theatre{ID: d.ID, Name: d.Name, Chain: d.Chain, CityID: d.CityID, Address: d.Address,
		Location: theatre.GeoPoint{Lat: d.Lat, Lng: d.Lng}, Amenities: d.Amenities, Currency: d.Currency,
		TimeZone: d.TimeZone, ChangeoverMinutes: d.ChangeoverMinutes, AllowOrphanSeats: d.AllowOrphanSeats,
		CancellationCutoffMinutes: d.CancelCutoff, RefundFeesOnCancel: d.RefundFees, CreatedAt: d.CreatedAt.UTC()}
}

// Create stores a theatre.
func (r *TheatreRepository) Create(ctx context.Context, t theatre.Theatre) error {
	return insert(ctx, r.coll, "theatre", t.ID, toTheatreDoc(t))
}

// Get returns a theatre.
func (r *TheatreRepository) Get(ctx context.Context, id string) (theatre.Theatre, error) {
	var d theatreDoc
	if err := findOne(ctx, r.coll, "theatre", id, &d); err != nil {
		return theatre.Theatre{}, err
	}
	return d.theatre(), nil
}

// GetMany returns the theatres among ids.
func (r *TheatreRepository) GetMany(ctx context.Context, ids []string) ([]theatre.Theatre, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return findAll(ctx, r.coll, "theatres", theatreDoc.theatre, inIDs("_id", ids), options.Find())
}

// ListByCity returns a city's theatres by name.
func (r *TheatreRepository) ListByCity(ctx context.Context, cityID string) ([]theatre.Theatre, error) {
	return findAll(ctx, r.coll, "theatres", theatreDoc.theatre, bson.D{{Key: "cityId", Value: cityID}},
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
}

// ListInBox returns the theatres inside box, edges included, with plain range conditions.
func (r *TheatreRepository) ListInBox(ctx context.Context, box theatre.BoundingBox) ([]theatre.Theatre, error) {
	filter := bson.D{
		{Key: "lat", Value: bson.D{{Key: "$gte", Value: box.MinLat}, {Key: "$lte", Value: box.MaxLat}}},
		{Key: "lng", Value: bson.D{{Key: "$gte", Value: box.MinLng}, {Key: "$lte", Value: box.MaxLng}}},
	}
	return findAll(ctx, r.coll, "theatres", theatreDoc.theatre, filter, options.Find())
}

// Count returns how many theatres exist.
func (r *TheatreRepository) Count(ctx context.Context) (int, error) {
	n, err := r.coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("count theatres: %w", err)
	}
	return int(n), nil
}

// --- screens ---

// ScreenRepository is a theatre.ScreenRepository on MongoDB.
type ScreenRepository struct{ coll *mongo.Collection }

type screenDoc struct {
	ID        string       `bson:"_id"`
	TheatreID string       `bson:"theatreId"`
	Name      string       `bson:"name"`
	Formats   []string     `bson:"formats"`
	Layout    layoutDoc    `bson:"layout"`
	BestView  *bestViewDoc `bson:"bestView,omitempty"`
	CreatedAt time.Time    `bson:"createdAt"`
	// Version counts the writes of the document, from 1 at creation; updates check it.
	Version int64 `bson:"version"`
}

type layoutDoc struct {
	Categories []categoryDoc `bson:"categories"`
	Rows       []rowDoc      `bson:"rows"`
}

type categoryDoc struct {
	Code string `bson:"code"`
	Name string `bson:"name"`
}

type rowDoc struct {
	Label string    `bson:"label"`
	Cells []cellDoc `bson:"cells"`
}

// cellDoc is a seat or a gap; false and zero fields are left out to keep big layouts small.
type cellDoc struct {
	Gap        bool   `bson:"gap,omitempty"`
	Number     int    `bson:"number,omitempty"`
	Category   string `bson:"category,omitempty"`
	Accessible bool   `bson:"accessible,omitempty"`
	Companion  bool   `bson:"companion,omitempty"`
	Blocked    bool   `bson:"blocked,omitempty"`
}

func toScreenDoc(s theatre.Screen, version int64) screenDoc {
	l := layoutDoc{Categories: make([]categoryDoc, len(s.Layout.Categories)), Rows: make([]rowDoc, len(s.Layout.Rows))}
	for i, c := range s.Layout.Categories {
		l.Categories[i] = categoryDoc{Code: c.Code, Name: c.Name}
	}
	for i, r := range s.Layout.Rows {
		cells := make([]cellDoc, len(r.Cells))
		for j, c := range r.Cells {
			cells[j] = cellDoc{Gap: c.Gap, Number: c.Number, Category: c.Category, Accessible: c.Accessible,
				Companion: c.Companion, Blocked: c.Blocked}
		}
		l.Rows[i] = rowDoc{Label: r.Label, Cells: cells}
	}
	d := screenDoc{ID: s.ID, TheatreID: s.TheatreID, Name: s.Name, Formats: nonNil(s.Formats), Layout: l,
		CreatedAt: storedTime(s.CreatedAt), Version: version}
	if s.BestView != nil {
		d.BestView = &bestViewDoc{Row: s.BestView.RowFraction, Column: s.BestView.ColumnFraction}
	}
	return d
}

func (d screenDoc) screen() theatre.Screen {
	var l theatre.Layout
	if len(d.Layout.Categories) > 0 {
		l.Categories = make([]theatre.SeatCategory, len(d.Layout.Categories))
		for i, c := range d.Layout.Categories {
			l.Categories[i] = theatre.SeatCategory{Code: c.Code, Name: c.Name}
		}
	}
	if len(d.Layout.Rows) > 0 {
		l.Rows = make([]theatre.Row, len(d.Layout.Rows))
		for i, r := range d.Layout.Rows {
			var cells []theatre.Cell
			if len(r.Cells) > 0 {
				cells = make([]theatre.Cell, len(r.Cells))
				for j, c := range r.Cells {
					cells[j] = theatre.Cell{Gap: c.Gap, Number: c.Number, Category: c.Category,
						Accessible: c.Accessible, Companion: c.Companion, Blocked: c.Blocked}
				}
			}
			l.Rows[i] = theatre.Row{Label: r.Label, Cells: cells}
		}
	}
	out := theatre.Screen{ID: d.ID, TheatreID: d.TheatreID, Name: d.Name, Formats: d.Formats, Layout: l,
		CreatedAt: d.CreatedAt.UTC()}
	if d.BestView != nil {
		out.BestView = &theatre.BestView{RowFraction: d.BestView.Row, ColumnFraction: d.BestView.Column}
	}
	return out
}

// Create stores a screen.
func (r *ScreenRepository) Create(ctx context.Context, s theatre.Screen) error {
	if _, err := r.coll.InsertOne(ctx, toScreenDoc(s, 1)); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return errs.E(errs.Conflict, "the theatre already has a screen named %q, or screen %s exists", s.Name, s.ID)
		}
		return fmt.Errorf("insert screen: %w", err)
	}
	return nil
}

// Get returns a screen.
func (r *ScreenRepository) Get(ctx context.Context, id string) (theatre.Screen, error) {
	var d screenDoc
	if err := findOne(ctx, r.coll, "screen", id, &d); err != nil {
		return theatre.Screen{}, err
	}
	return d.screen(), nil
}

// ListByTheatres returns the screens of the theatres, by theatre then name.
func (r *ScreenRepository) ListByTheatres(ctx context.Context, theatreIDs []string) ([]theatre.Screen, error) {
	if len(theatreIDs) == 0 {
		return nil, nil
	}
	return findAll(ctx, r.coll, "screens", screenDoc.screen, inIDs("theatreId", theatreIDs),
		options.Find().SetSort(bson.D{{Key: "theatreId", Value: 1}, {Key: "name", Value: 1}}))
}

// Update loads a screen, applies fn and replaces the document if no one else wrote it meanwhile;
// after a lost race it starts again from a fresh read, a few times. Renaming onto a name the
// theatre already uses is a Conflict (the unique index refuses the replace).
func (r *ScreenRepository) Update(ctx context.Context, id string, fn func(*theatre.Screen) error) (theatre.Screen, error) {
	for range updateAttempts {
		var d screenDoc
		if err := findOne(ctx, r.coll, "screen", id, &d); err != nil {
			return theatre.Screen{}, err
		}
		s := d.screen()
		if err := fn(&s); err != nil {
			return theatre.Screen{}, err
		}
		s.ID = id
		if s.TheatreID != d.TheatreID || s.Name != d.Name {
			// The unique index is what guarantees the rule, and MongoDB reports a violation by an
			// update as a duplicate key (mapped below). FerretDB reports it as an internal error,
			// so look for the clash first to give the right answer in the common, unraced case.
			if err := r.checkNameFree(ctx, s); err != nil {
				return theatre.Screen{}, err
			}
		}
		next := toScreenDoc(s, d.Version+1)
		res, err := r.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}, next)
		if err != nil {
			if mongodb.IsDuplicateKey(err) {
				return theatre.Screen{}, errs.E(errs.Conflict, "the theatre already has a screen named %q", s.Name)
			}
			return theatre.Screen{}, fmt.Errorf("replace screen %s: %w", id, err)
		}
		if res.MatchedCount == 1 {
			return next.screen(), nil // as stored, so that it equals what Get returns
		}
		// Someone else wrote (or deleted) the screen since we read it: read again.
	}
	return theatre.Screen{}, errs.E(errs.Conflict, "screen %s is being changed concurrently; try again", id)
}

// checkNameFree returns a Conflict when another screen of s's theatre is named like s.
func (r *ScreenRepository) checkNameFree(ctx context.Context, s theatre.Screen) error {
	filter := bson.D{{Key: "theatreId", Value: s.TheatreID}, {Key: "name", Value: s.Name},
		{Key: "_id", Value: bson.D{{Key: "$ne", Value: s.ID}}}}
	err := r.coll.FindOne(ctx, filter, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case err == nil:
		return errs.E(errs.Conflict, "the theatre already has a screen named %q", s.Name)
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil
	default:
		return fmt.Errorf("check screen name %q: %w", s.Name, err)
	}
}

type bestViewDoc struct {
	Row    float64 `bson:"row"`
	Column float64 `bson:"column"`
}
