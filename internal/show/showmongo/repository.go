// Package showmongo stores shows, scheduling batches and pricing rules in MongoDB.
//
// Collections: "shows" (one document per show), "show_batches" (one per batch that has an
// idempotency key, unique on key), "pricing_rules" (one per theatre, keyed by theatre id) and
// "screen_locks" (short leases that serialise scheduling per screen).
//
// No multi-document transaction is used. CreateBatch must read a screen's shows, let the caller
// check the new ones against them and insert, with no other batch of that screen in between. It
// takes a lease on the screen first: a screen_locks document {_id: screenID, owner, until} that it
// creates, or takes over once expired, with one conditional upsert. While the document exists, a
// competing upsert either misses the filter and collides on _id (duplicate key: held) or finds it
// expired. A holder that dies leaves a lease that expires after LeaseDuration. The batch record is
// inserted before the shows, so that its unique key decides a reused key before anything else is
// written; when inserting the shows then fails, what this call wrote is deleted again.
package showmongo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
	"github.com/marquee-cinema/marquee/internal/show"
)

// The collections.
const (
	ShowsCollection   = "shows"
	BatchesCollection = "show_batches"
	PricingCollection = "pricing_rules"
	LocksCollection   = "screen_locks"
)

// LeaseDuration is how long a screen's scheduling lease lasts. A CreateBatch holds it for a few
// round-trips; a holder that died blocks the screen for at most this long.
const LeaseDuration = 30 * time.Second

// leaseMargin is how much of the lease must be left before writing: a holder that has used more
// than LeaseDuration-leaseMargin gives up rather than write after someone may have taken over.
const leaseMargin = 10 * time.Second

// DefaultLockWait is how long CreateBatch waits for a busy screen before giving up with
// Unavailable.
const DefaultLockWait = 5 * time.Second

// findLimit caps Find like the SQLite adapter does.
const findLimit = 5000

// cleanupTimeout bounds the writes that undo or release after the caller's context ended.
const cleanupTimeout = 10 * time.Second

// Store holds the show and pricing repositories on one database.
type Store struct {
	Shows   *Repository
	Pricing *PricingRepository
}

var (
	_ show.Repository        = (*Repository)(nil)
	_ show.PricingRepository = (*PricingRepository)(nil)
)

// New creates the collections' indexes (idempotently) and returns the repositories.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	shows, batches := db.Collection(ShowsCollection), db.Collection(BatchesCollection)
	err := mongodb.EnsureIndexes(ctx, shows,
		mongodb.Index{Name: "screenId_startsAt", Keys: bson.D{{Key: "screenId", Value: 1}, {Key: "startsAt", Value: 1}}},
		mongodb.Index{Name: "movieId_cityId_localDate_startsAt", Keys: bson.D{{Key: "movieId", Value: 1}, {Key: "cityId", Value: 1},
			{Key: "localDate", Value: 1}, {Key: "startsAt", Value: 1}}},
		mongodb.Index{Name: "cityId_startsAt", Keys: bson.D{{Key: "cityId", Value: 1}, {Key: "startsAt", Value: 1}}},
	)
	if err != nil {
		return nil, err
	}
	if err := mongodb.EnsureIndexes(ctx, batches,
		mongodb.Index{Name: "key_unique", Keys: bson.D{{Key: "key", Value: 1}}, Unique: true}); err != nil {
		return nil, err
	}
	return &Store{
		Shows: &Repository{shows: shows, batches: batches, locks: db.Collection(LocksCollection),
			now: time.Now, lockWait: DefaultLockWait},
		Pricing: &PricingRepository{coll: db.Collection(PricingCollection)},
	}, nil
}

// Repository is a show.Repository on MongoDB.
type Repository struct {
	shows, batches, locks *mongo.Collection
	now                   func() time.Time
	lockWait              time.Duration
}

// storedTime is t as a BSON date keeps it: UTC, to the millisecond.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

type priceDoc struct {
	Category string `bson:"category"`
	Name     string `bson:"name,omitempty"`
	Amount   int64  `bson:"amount"`
}

// showDoc is the stored form of a show. Times are BSON dates (UTC, millisecond precision).
type showDoc struct {
	ID        string    `bson:"_id"`
	MovieID   string    `bson:"movieId"`
	TheatreID string    `bson:"theatreId"`
	ScreenID  string    `bson:"screenId"`
	CityID    string    `bson:"cityId"`
	StartsAt  time.Time `bson:"startsAt"`
	EndsAt    time.Time `bson:"endsAt"`
	// RuntimeMinutes is the movie's runtime when the show was scheduled.
	RuntimeMinutes int    `bson:"runtimeMinutes"`
	LocalDate      string `bson:"localDate"`
	LocalTime      string `bson:"localTime"`
	TimeZone       string `bson:"timeZone"`
	Language       string `bson:"language"`
	// LanguageKey is the language lower-cased, for case-insensitive matching without collations
	// (which FerretDB lacks).
	LanguageKey   string     `bson:"languageKey"`
	Format        string     `bson:"format"`
	Currency      string     `bson:"currency"`
	BasePrices    []priceDoc `bson:"basePrices"`
	SellableSeats int        `bson:"sellableSeats"`
	Status        string     `bson:"status"`
	BatchID       string     `bson:"batchId"`
	CreatedAt     time.Time  `bson:"createdAt"`
	CancelledAt   *time.Time `bson:"cancelledAt,omitempty"`
	// WrittenBy identifies the CreateBatch call that inserted the document, so that undoing a
	// failed batch removes only its own documents, never an existing show with a clashing id.
	WrittenBy string `bson:"writtenBy"`
}

func toShowDoc(s show.Show, writtenBy string) showDoc {
	prices := make([]priceDoc, len(s.BasePrices))
	for i, p := range s.BasePrices {
		prices[i] = priceDoc{Category: p.Category, Name: p.Name, Amount: p.Amount}
	}
	d := showDoc{ID: s.ID, MovieID: s.MovieID, TheatreID: s.TheatreID, ScreenID: s.ScreenID, CityID: s.CityID,
		StartsAt: storedTime(s.StartsAt), EndsAt: storedTime(s.EndsAt), RuntimeMinutes: s.RuntimeMinutes, LocalDate: s.LocalDate, LocalTime: s.LocalTime,
		TimeZone: s.TimeZone, Language: s.Language, LanguageKey: strings.ToLower(s.Language), Format: s.Format,
		Currency: s.Currency, BasePrices: prices, SellableSeats: s.SellableSeats, Status: string(s.Status),
		BatchID: s.BatchID, CreatedAt: storedTime(s.CreatedAt), WrittenBy: writtenBy}
	if !s.CancelledAt.IsZero() {
		at := storedTime(s.CancelledAt)
		d.CancelledAt = &at
	}
	return d
}

func (d showDoc) show() show.Show {
	var prices []show.CategoryPrice
	for _, p := range d.BasePrices {
		prices = append(prices, show.CategoryPrice{Category: p.Category, Name: p.Name, Amount: p.Amount})
	}
	s := show.Show{ID: d.ID, MovieID: d.MovieID, TheatreID: d.TheatreID, ScreenID: d.ScreenID, CityID: d.CityID,
		StartsAt: d.StartsAt.UTC(), EndsAt: d.EndsAt.UTC(), RuntimeMinutes: d.RuntimeMinutes, LocalDate: d.LocalDate, LocalTime: d.LocalTime,
		TimeZone: d.TimeZone, Language: d.Language, Format: d.Format, Currency: d.Currency, BasePrices: prices,
		SellableSeats: d.SellableSeats, Status: show.Status(d.Status), BatchID: d.BatchID, CreatedAt: d.CreatedAt.UTC()}
	if d.CancelledAt != nil {
		s.CancelledAt = d.CancelledAt.UTC()
	}
	return s
}

// batchDoc is the stored form of a batch with an idempotency key.
type batchDoc struct {
	ID        string    `bson:"_id"`
	Key       string    `bson:"key"`
	ScreenID  string    `bson:"screenId"`
	ShowIDs   []string  `bson:"showIds"`
	CreatedAt time.Time `bson:"createdAt"`
	WrittenBy string    `bson:"writtenBy"`
}

// onScreenFilter selects the scheduled shows of a screen whose busy interval meets [from, to).
func onScreenFilter(screenID string, from, to time.Time) bson.D {
	return bson.D{
		{Key: "screenId", Value: screenID},
		{Key: "startsAt", Value: bson.D{{Key: "$lt", Value: to.UTC()}}},
		{Key: "endsAt", Value: bson.D{{Key: "$gt", Value: from.UTC()}}},
		{Key: "status", Value: string(show.StatusScheduled)},
	}
}

var byStart = bson.D{{Key: "startsAt", Value: 1}, {Key: "_id", Value: 1}}

// CreateBatch checks and stores a batch while holding the screen's lease.
func (r *Repository) CreateBatch(ctx context.Context, screenID string, from, to time.Time, batch show.Batch, shows []show.Show, check func([]show.Show) error) error {
	until, release, err := r.lock(ctx, screenID)
	if err != nil {
		return err
	}
	defer release()

	if batch.Key != "" {
		// A retry that raced its first attempt finds the key here, before any overlap check.
		if _, err := r.BatchByKey(ctx, batch.Key); err == nil {
			return errs.E(errs.Conflict, "idempotency key already used")
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
	}
	existing, err := r.find(ctx, onScreenFilter(screenID, from, to), options.Find().SetSort(byStart))
	if err != nil {
		return err
	}
	if err := check(existing); err != nil {
		return err
	}
	if r.now().After(until.Add(-leaseMargin)) {
		return errs.E(errs.Unavailable, "scheduling on the screen took too long; try again")
	}

	writtenBy := ids.New()
	batchDocID := "" // set once the batch record is written
	if batch.Key != "" {
		id := batch.ID
		if id == "" {
			id = ids.New()
		}
		d := batchDoc{ID: id, Key: batch.Key, ScreenID: batch.ScreenID, ShowIDs: batch.ShowIDs,
			CreatedAt: storedTime(batch.CreatedAt), WrittenBy: writtenBy}
		if d.ShowIDs == nil {
			d.ShowIDs = []string{}
		}
		if _, err := r.batches.InsertOne(ctx, d); err != nil {
			if mongodb.IsDuplicateKey(err) {
				return errs.E(errs.Conflict, "idempotency key already used")
			}
			return fmt.Errorf("insert batch: %w", err)
		}
		batchDocID = id
	}
	if len(shows) == 0 {
		return nil
	}
	docs := make([]showDoc, len(shows))
	showIDs := make([]string, len(shows))
	for i, s := range shows {
		docs[i] = toShowDoc(s, writtenBy)
		showIDs[i] = s.ID
	}
	if _, err := r.shows.InsertMany(ctx, docs); err != nil {
		if uerr := r.undo(ctx, writtenBy, batchDocID, showIDs); uerr != nil {
			err = errors.Join(err, uerr)
		}
		if mongodb.IsDuplicateKey(err) {
			return errs.Wrap(err, errs.Conflict, "a show of the batch already exists")
		}
		return fmt.Errorf("insert shows: %w", err)
	}
	return nil
}

// undo deletes what the CreateBatch call writtenBy stored: its shows among showIDs, then its batch
// record (when batchID is not empty), so that the key is free again only once no show of the batch
// is left.
func (r *Repository) undo(ctx context.Context, writtenBy, batchID string, showIDs []string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if _, err := r.shows.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: showIDs}}},
		{Key: "writtenBy", Value: writtenBy}}); err != nil {
		return fmt.Errorf("undo a partly stored batch: delete its shows: %w", err)
	}
	if batchID != "" {
		if _, err := r.batches.DeleteOne(ctx, bson.D{{Key: "_id", Value: batchID}, {Key: "writtenBy", Value: writtenBy}}); err != nil {
			return fmt.Errorf("undo a partly stored batch: delete its record: %w", err)
		}
	}
	return nil
}

// lock takes the screen's lease, a screen_locks document {_id: screenID, owner, until}, waiting
// up to lockWait while someone else holds it. It returns when the lease ends and a function that
// releases it.
func (r *Repository) lock(ctx context.Context, screenID string) (time.Time, func(), error) {
	owner := ids.New()
	deadline := r.now().Add(r.lockWait)
	pause := 2 * time.Millisecond
	for {
		now := r.now()
		until := now.Add(LeaseDuration)
		// Matches only an expired lease (or our own); when the document exists but does not match,
		// the upsert's insert collides on _id.
		filter := bson.D{{Key: "_id", Value: screenID}, {Key: "$or", Value: bson.A{
			bson.D{{Key: "until", Value: bson.D{{Key: "$lt", Value: now}}}},
			bson.D{{Key: "owner", Value: owner}},
		}}}
		update := bson.D{{Key: "$set", Value: bson.D{{Key: "owner", Value: owner}, {Key: "until", Value: until}}}}
		_, err := r.locks.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		if err == nil {
			return until, func() { r.unlock(ctx, screenID, owner) }, nil
		}
		if !mongodb.IsDuplicateKey(err) {
			return time.Time{}, nil, fmt.Errorf("lock screen %s: %w", screenID, err)
		}
		if r.now().Add(pause).After(deadline) {
			return time.Time{}, nil, errs.E(errs.Unavailable, "the screen's schedule is busy; try again")
		}
		// Jitter keeps waiters from retrying in lockstep.
		sleep := pause/2 + rand.N(pause)
		select {
		case <-ctx.Done():
			return time.Time{}, nil, fmt.Errorf("lock screen %s: %w", screenID, ctx.Err())
		case <-time.After(sleep):
		}
		pause = min(pause*2, 100*time.Millisecond)
	}
}

// unlock releases the lease if it is still ours. A failure is ignored: the lease then expires.
func (r *Repository) unlock(ctx context.Context, screenID, owner string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_, _ = r.locks.DeleteOne(ctx, bson.D{{Key: "_id", Value: screenID}, {Key: "owner", Value: owner}})
}

// BatchByKey returns the batch stored under key.
func (r *Repository) BatchByKey(ctx context.Context, key string) (show.Batch, error) {
	var d batchDoc
	if err := r.batches.FindOne(ctx, bson.D{{Key: "key", Value: key}}).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return show.Batch{}, errs.NotFoundf("batch not found")
		}
		return show.Batch{}, fmt.Errorf("find batch: %w", err)
	}
	b := show.Batch{ID: d.ID, Key: d.Key, ScreenID: d.ScreenID, ShowIDs: d.ShowIDs, CreatedAt: d.CreatedAt.UTC()}
	if len(b.ShowIDs) == 0 {
		b.ShowIDs = nil
	}
	return b, nil
}

// Get returns a show.
func (r *Repository) Get(ctx context.Context, id string) (show.Show, error) {
	var d showDoc
	if err := r.shows.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return show.Show{}, errs.NotFoundf("show %s not found", id)
		}
		return show.Show{}, fmt.Errorf("find show %s: %w", id, err)
	}
	return d.show(), nil
}

// GetMany returns the shows among ids, by start time then id.
func (r *Repository) GetMany(ctx context.Context, ids []string) ([]show.Show, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return r.find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find().SetSort(byStart))
}

// OnScreen returns the scheduled shows of a screen meeting [from, to), by start time then id.
func (r *Repository) OnScreen(ctx context.Context, screenID string, from, to time.Time) ([]show.Show, error) {
	return r.find(ctx, onScreenFilter(screenID, from, to), options.Find().SetSort(byStart))
}

// Find returns the shows matching q, by start time then id.
func (r *Repository) Find(ctx context.Context, q show.Query) ([]show.Show, error) {
	if q.TheatreIDs != nil && len(q.TheatreIDs) == 0 {
		return nil, nil
	}
	filter := bson.D{}
	add := func(key string, value any) { filter = append(filter, bson.E{Key: key, Value: value}) }
	if q.MovieID != "" {
		add("movieId", q.MovieID)
	}
	if q.CityID != "" {
		add("cityId", q.CityID)
	}
	if q.TheatreIDs != nil {
		add("theatreId", bson.D{{Key: "$in", Value: q.TheatreIDs}})
	}
	if q.LocalDate != "" {
		add("localDate", q.LocalDate)
	}
	if q.Language != "" {
		add("languageKey", strings.ToLower(q.Language))
	}
	if q.Format != "" {
		add("format", q.Format)
	}
	if !q.StartsAfter.IsZero() {
		add("startsAt", bson.D{{Key: "$gt", Value: q.StartsAfter.UTC()}})
	}
	if !q.IncludeCancelled {
		add("status", string(show.StatusScheduled))
	}
	return r.find(ctx, filter, options.Find().SetSort(byStart).SetLimit(findLimit))
}

func (r *Repository) find(ctx context.Context, filter bson.D, opts *options.FindOptionsBuilder) ([]show.Show, error) {
	cur, err := r.shows.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find shows: %w", err)
	}
	var docs []showDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read shows: %w", err)
	}
	var out []show.Show
	for _, d := range docs {
		out = append(out, d.show())
	}
	return out, nil
}

// LocalDates returns the dates with scheduled shows of a movie in a city after t. The grouping
// is done here from a projected find: $group is avoided to stay within what FerretDB runs.
func (r *Repository) LocalDates(ctx context.Context, movieID, cityID string, after time.Time) ([]show.DateSpan, error) {
	filter := bson.D{{Key: "movieId", Value: movieID}, {Key: "cityId", Value: cityID},
		{Key: "status", Value: string(show.StatusScheduled)}, {Key: "startsAt", Value: bson.D{{Key: "$gt", Value: after.UTC()}}}}
	opts := options.Find().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "localDate", Value: 1}, {Key: "startsAt", Value: 1}})
	cur, err := r.shows.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find show dates: %w", err)
	}
	var rows []struct {
		LocalDate string    `bson:"localDate"`
		StartsAt  time.Time `bson:"startsAt"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read show dates: %w", err)
	}
	last := map[string]time.Time{}
	for _, row := range rows {
		if l, ok := last[row.LocalDate]; !ok || row.StartsAt.After(l) {
			last[row.LocalDate] = row.StartsAt
		}
	}
	var out []show.DateSpan
	for date, l := range last {
		out = append(out, show.DateSpan{Date: date, LastStart: l.UTC()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out, nil
}

// MovieIDs returns the movies with scheduled shows in a city after t, in order. Like LocalDates
// it works from a projected find (distinct misbehaves on FerretDB under a deadline).
func (r *Repository) MovieIDs(ctx context.Context, cityID string, after time.Time) ([]string, error) {
	filter := bson.D{{Key: "cityId", Value: cityID}, {Key: "status", Value: string(show.StatusScheduled)},
		{Key: "startsAt", Value: bson.D{{Key: "$gt", Value: after.UTC()}}}}
	opts := options.Find().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "movieId", Value: 1}})
	cur, err := r.shows.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find movies with shows: %w", err)
	}
	var rows []struct {
		MovieID string `bson:"movieId"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read movies with shows: %w", err)
	}
	out := make([]string, 0, len(rows))
	for _, row := range rows {
		out = append(out, row.MovieID)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Cancel marks a show cancelled; a cancelled show is returned unchanged.
func (r *Repository) Cancel(ctx context.Context, id string, at time.Time) (show.Show, bool, error) {
	var d showDoc
	err := r.shows.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: string(show.StatusScheduled)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(show.StatusCancelled)}, {Key: "cancelledAt", Value: storedTime(at)}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	switch {
	case err == nil:
		return d.show(), true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		sh, err := r.Get(ctx, id) // missing (NotFound) or already cancelled
		return sh, false, err
	default:
		return show.Show{}, false, fmt.Errorf("cancel show %s: %w", id, err)
	}
}

// PricingRepository is a show.PricingRepository on MongoDB, one document per theatre.
type PricingRepository struct{ coll *mongo.Collection }

// rulesDoc is the stored form of show.Rules. Maps are stored as arrays so that no user-supplied
// string (a category code) becomes a field name.
type rulesDoc struct {
	TheatreID string         `bson:"_id"`
	DayOfWeek []dayDoc       `bson:"dayOfWeek"`
	TimeBands []timeBandDoc  `bson:"timeBands"`
	Occupancy []occupancyDoc `bson:"occupancy"`
	LeadTime  []leadTimeDoc  `bson:"leadTime"`
	Limits    []limitDoc     `bson:"limits"`
	RoundTo   int64          `bson:"roundTo"`
}

type dayDoc struct {
	Day     int `bson:"day"` // time.Weekday: 0 is Sunday
	Percent int `bson:"percent"`
}

type timeBandDoc struct {
	Name    string `bson:"name"`
	From    int    `bson:"from"`
	To      int    `bson:"to"`
	Percent int    `bson:"percent"`
}

type occupancyDoc struct {
	AboveFraction float64 `bson:"aboveFraction"`
	Percent       int     `bson:"percent"`
}

type leadTimeDoc struct {
	WithinNanos int64 `bson:"withinNanos"`
	Percent     int   `bson:"percent"`
}

type limitDoc struct {
	Category string `bson:"category"`
	Floor    int64  `bson:"floor"`
	Ceiling  int64  `bson:"ceiling"`
}

func toRulesDoc(theatreID string, r show.Rules) rulesDoc {
	d := rulesDoc{TheatreID: theatreID, DayOfWeek: []dayDoc{}, TimeBands: []timeBandDoc{}, Occupancy: []occupancyDoc{},
		LeadTime: []leadTimeDoc{}, Limits: []limitDoc{}, RoundTo: r.RoundTo}
	for day, pct := range r.DayOfWeek {
		d.DayOfWeek = append(d.DayOfWeek, dayDoc{Day: int(day), Percent: pct})
	}
	sort.Slice(d.DayOfWeek, func(i, j int) bool { return d.DayOfWeek[i].Day < d.DayOfWeek[j].Day })
	for _, b := range r.TimeBands {
		d.TimeBands = append(d.TimeBands, timeBandDoc{Name: b.Name, From: b.From, To: b.To, Percent: b.Percent})
	}
	for _, o := range r.Occupancy {
		d.Occupancy = append(d.Occupancy, occupancyDoc{AboveFraction: o.AboveFraction, Percent: o.Percent})
	}
	for _, l := range r.LeadTime {
		d.LeadTime = append(d.LeadTime, leadTimeDoc{WithinNanos: int64(l.Within), Percent: l.Percent})
	}
	for cat, l := range r.Limits {
		d.Limits = append(d.Limits, limitDoc{Category: cat, Floor: l.Floor, Ceiling: l.Ceiling})
	}
	sort.Slice(d.Limits, func(i, j int) bool { return d.Limits[i].Category < d.Limits[j].Category })
	return d
}

func (d rulesDoc) rules() show.Rules {
	r := show.Rules{RoundTo: d.RoundTo}
	if len(d.DayOfWeek) > 0 {
		r.DayOfWeek = make(map[time.Weekday]int, len(d.DayOfWeek))
		for _, x := range d.DayOfWeek {
			r.DayOfWeek[time.Weekday(x.Day)] = x.Percent
		}
	}
	for _, b := range d.TimeBands {
		r.TimeBands = append(r.TimeBands, show.TimeBand{Name: b.Name, From: b.From, To: b.To, Percent: b.Percent})
	}
	for _, o := range d.Occupancy {
		r.Occupancy = append(r.Occupancy, show.OccupancyTier{AboveFraction: o.AboveFraction, Percent: o.Percent})
	}
	for _, l := range d.LeadTime {
		r.LeadTime = append(r.LeadTime, show.LeadTimeRule{Within: time.Duration(l.WithinNanos), Percent: l.Percent})
	}
	if len(d.Limits) > 0 {
		r.Limits = make(map[string]show.Limit, len(d.Limits))
		for _, l := range d.Limits {
			r.Limits[l.Category] = show.Limit{Floor: l.Floor, Ceiling: l.Ceiling}
		}
	}
	return r
}

// Get returns a theatre's rules.
func (p *PricingRepository) Get(ctx context.Context, theatreID string) (show.Rules, error) {
	var d rulesDoc
	if err := p.coll.FindOne(ctx, bson.D{{Key: "_id", Value: theatreID}}).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return show.Rules{}, errs.NotFoundf("pricing rules not found")
		}
		return show.Rules{}, fmt.Errorf("find pricing rules: %w", err)
	}
	return d.rules(), nil
}

// GetMany returns the rules of the theatres among theatreIDs that have rules.
func (p *PricingRepository) GetMany(ctx context.Context, theatreIDs []string) (map[string]show.Rules, error) {
	out := make(map[string]show.Rules, len(theatreIDs))
	if len(theatreIDs) == 0 {
		return out, nil
	}
	cur, err := p.coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: theatreIDs}}}})
	if err != nil {
		return nil, fmt.Errorf("find pricing rules: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d rulesDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("decode pricing rules: %w", err)
		}
		out[d.TheatreID] = d.rules()
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("find pricing rules: %w", err)
	}
	return out, nil
}

// Put replaces a theatre's rules.
func (p *PricingRepository) Put(ctx context.Context, theatreID string, rules show.Rules) error {
	_, err := p.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: theatreID}}, toRulesDoc(theatreID, rules),
		options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("store pricing rules: %w", err)
	}
	return nil
}
