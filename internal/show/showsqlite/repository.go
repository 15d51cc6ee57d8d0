// Package showsqlite stores shows, scheduling batches and pricing rules in the embedded SQLite
// database.
package showsqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/show"
)

var migrations = []string{
	`CREATE TABLE shows (
		id TEXT PRIMARY KEY,
		movie_id TEXT NOT NULL,
		theatre_id TEXT NOT NULL,
		screen_id TEXT NOT NULL,
		city_id TEXT NOT NULL,
		starts_at INTEGER NOT NULL,
		ends_at INTEGER NOT NULL,
		local_date TEXT NOT NULL,
		language TEXT NOT NULL,
		format TEXT NOT NULL,
		status TEXT NOT NULL,
		doc TEXT NOT NULL
	);
	CREATE INDEX shows_screen ON shows (screen_id, starts_at);
	CREATE INDEX shows_movie_city ON shows (movie_id, city_id, local_date, starts_at);
	CREATE INDEX shows_city ON shows (city_id, starts_at);
	CREATE TABLE show_batches (
		key TEXT PRIMARY KEY,
		id TEXT NOT NULL,
		screen_id TEXT NOT NULL,
		show_ids TEXT NOT NULL,
		created_at INTEGER NOT NULL
	);
	CREATE TABLE pricing_rules (
		theatre_id TEXT PRIMARY KEY,
		doc TEXT NOT NULL
	);`,
}

// Store holds the show and pricing repositories on one database.
type Store struct {
	Shows   *Repository
	Pricing *PricingRepository
}

// New migrates the schema and returns the repositories.
func New(ctx context.Context, db *sql.DB) (*Store, error) {
	if err := sqlitedb.Migrate(ctx, db, "show", migrations); err != nil {
		return nil, err
	}
	return &Store{Shows: &Repository{db: db}, Pricing: &PricingRepository{db}}, nil
}

var (
	_ show.Repository        = (*Repository)(nil)
	_ show.PricingRepository = (*PricingRepository)(nil)
)

// Repository is a show.Repository on SQLite.
type Repository struct {
	db   *sql.DB
	memo decodeMemo
}

func ms(t time.Time) int64 { return t.UnixMilli() }

const showCols = `id, doc`

func encode(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func decodeShow(doc string) (show.Show, error) {
	var s show.Show
	if err := json.Unmarshal([]byte(doc), &s); err != nil {
		return show.Show{}, fmt.Errorf("decode show: %w", err)
	}
	s.StartsAt, s.EndsAt, s.CreatedAt = s.StartsAt.UTC(), s.EndsAt.UTC(), s.CreatedAt.UTC()
	if !s.CancelledAt.IsZero() {
		s.CancelledAt = s.CancelledAt.UTC()
	}
	return s, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// maxMemoShows bounds the decode memo; past it, the memo starts afresh.
const maxMemoShows = 4096

// decodeMemo keeps recently decoded shows with the document each came from. Listings read the
// same shows over and over, and decoding their JSON documents was most of a listing's cost. A
// memoised show is used only when the row's document is byte for byte the one it was decoded
// from, so the memo never serves a show that differs from the database: a cancelled show has a
// new document and is decoded again.
type decodeMemo struct {
	mu    sync.Mutex
	shows map[string]memoShow // by show id
}

type memoShow struct {
	doc  string
	show show.Show
}

// decode returns the show stored as doc under id.
func (m *decodeMemo) decode(id, doc []byte) (show.Show, error) {
	m.mu.Lock()
	e, ok := m.shows[string(id)]
	m.mu.Unlock()
	if ok && e.doc == string(doc) {
		s := e.show
		s.BasePrices = slices.Clone(s.BasePrices) // callers own what they get
		return s, nil
	}
	d := string(doc)
	s, err := decodeShow(d)
	if err != nil {
		return show.Show{}, err
	}
	m.mu.Lock()
	if m.shows == nil || len(m.shows) >= maxMemoShows {
		m.shows = make(map[string]memoShow)
	}
	kept := s
	kept.BasePrices = slices.Clone(s.BasePrices)
	m.shows[string(id)] = memoShow{doc: d, show: kept}
	m.mu.Unlock()
	return s, nil
}

// queryShows runs a query selecting showCols.
func (r *Repository) queryShows(ctx context.Context, q querier, query string, args ...any) ([]show.Show, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query shows: %w", err)
	}
	defer rows.Close()
	var out []show.Show
	// RawBytes reuse one buffer per column across rows; decode copies what it keeps.
	var id, doc sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("scan show: %w", err)
		}
		s, err := r.memo.decode(id, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query shows: %w", err)
	}
	return out, nil
}

const onScreenQuery = `SELECT ` + showCols + ` FROM shows WHERE screen_id = ? AND status = 'SCHEDULED' AND starts_at < ? AND ends_at > ? ORDER BY starts_at, id`

// CreateBatch checks and stores a batch inside one write transaction; SQLite serialises writers,
// so no other batch can slip in between the check and the insert.
func (r *Repository) CreateBatch(ctx context.Context, screenID string, from, to time.Time, batch show.Batch, shows []show.Show, check func([]show.Show) error) error {
	return sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		if batch.Key != "" {
			// A retry that raced its first attempt finds the key here, before any overlap check.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM show_batches WHERE key = ?`, batch.Key).Scan(&n); err != nil {
				return fmt.Errorf("look up idempotency key: %w", err)
			}
			if n > 0 {
				return errs.E(errs.Conflict, "idempotency key already used")
			}
		}
		existing, err := r.queryShows(ctx, tx, onScreenQuery, screenID, ms(to), ms(from))
		if err != nil {
			return err
		}
		if err := check(existing); err != nil {
			return err
		}
		if batch.Key != "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO show_batches (key, id, screen_id, show_ids, created_at) VALUES (?, ?, ?, ?, ?)`,
				batch.Key, batch.ID, batch.ScreenID, encode(batch.ShowIDs), ms(batch.CreatedAt))
			if err != nil {
				if sqlitedb.IsUniqueViolation(err) {
					return errs.E(errs.Conflict, "idempotency key already used")
				}
				return fmt.Errorf("insert batch: %w", err)
			}
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO shows (id, movie_id, theatre_id, screen_id, city_id, starts_at, ends_at,
			local_date, language, format, status, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("prepare insert show: %w", err)
		}
		defer stmt.Close()
		for _, s := range shows {
			if _, err := stmt.ExecContext(ctx, s.ID, s.MovieID, s.TheatreID, s.ScreenID, s.CityID, ms(s.StartsAt), ms(s.EndsAt),
				s.LocalDate, s.Language, s.Format, string(s.Status), encode(s)); err != nil {
				if sqlitedb.IsUniqueViolation(err) {
					return errs.E(errs.Conflict, "show %s already exists", s.ID)
				}
				return fmt.Errorf("insert show: %w", err)
			}
		}
		return nil
	})
}

// BatchByKey returns the batch stored under key.
func (r *Repository) BatchByKey(ctx context.Context, key string) (show.Batch, error) {
	var b show.Batch
	var showIDs string
	var created int64
	err := r.db.QueryRowContext(ctx, `SELECT key, id, screen_id, show_ids, created_at FROM show_batches WHERE key = ?`, key).
		Scan(&b.Key, &b.ID, &b.ScreenID, &showIDs, &created)
	if err != nil {
		return show.Batch{}, sqlitedb.NotFoundOr(err, "batch")
	}
	if err := json.Unmarshal([]byte(showIDs), &b.ShowIDs); err != nil {
		return show.Batch{}, fmt.Errorf("decode batch: %w", err)
	}
	b.CreatedAt = time.UnixMilli(created).UTC()
	return b, nil
}

// Get returns a show.
func (r *Repository) Get(ctx context.Context, id string) (show.Show, error) {
	var doc string
	if err := r.db.QueryRowContext(ctx, `SELECT doc FROM shows WHERE id = ?`, id).Scan(&doc); err != nil {
		return show.Show{}, sqlitedb.NotFoundOr(err, "show "+id)
	}
	return decodeShow(doc)
}

// GetMany returns the shows among ids.
func (r *Repository) GetMany(ctx context.Context, ids []string) ([]show.Show, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return r.queryShows(ctx, r.db, `SELECT `+showCols+` FROM shows WHERE id IN (`+sqlitedb.Placeholders(len(ids))+`) ORDER BY starts_at, id`, args...)
}

// OnScreen returns the scheduled shows of a screen meeting [from, to).
func (r *Repository) OnScreen(ctx context.Context, screenID string, from, to time.Time) ([]show.Show, error) {
	return r.queryShows(ctx, r.db, onScreenQuery, screenID, ms(to), ms(from))
}

// Find returns the shows matching q.
func (r *Repository) Find(ctx context.Context, q show.Query) ([]show.Show, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if q.MovieID != "" {
		add(`movie_id = ?`, q.MovieID)
	}
	if q.CityID != "" {
		add(`city_id = ?`, q.CityID)
	}
	if q.TheatreIDs != nil {
		if len(q.TheatreIDs) == 0 {
			return nil, nil
		}
		ph := sqlitedb.Placeholders(len(q.TheatreIDs))
		cond := `theatre_id IN (` + ph + `)`
		a := make([]any, len(q.TheatreIDs))
		for i, id := range q.TheatreIDs {
			a[i] = id
		}
		add(cond, a...)
	}
	if q.LocalDate != "" {
		add(`local_date = ?`, q.LocalDate)
	}
	if q.Language != "" {
		add(`lower(language) = lower(?)`, q.Language)
	}
	if q.Format != "" {
		add(`format = ?`, q.Format)
	}
	if !q.StartsAfter.IsZero() {
		add(`starts_at > ?`, ms(q.StartsAfter))
	}
	if !q.IncludeCancelled {
		add(`status = 'SCHEDULED'`)
	}
	query := `SELECT ` + showCols + ` FROM shows`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY starts_at, id LIMIT 5000`
	return r.queryShows(ctx, r.db, query, args...)
}

// LocalDates returns the dates with scheduled shows of a movie in a city after t.
func (r *Repository) LocalDates(ctx context.Context, movieID, cityID string, after time.Time) ([]show.DateSpan, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT local_date, MAX(starts_at) FROM shows
		WHERE movie_id = ? AND city_id = ? AND status = 'SCHEDULED' AND starts_at > ?
		GROUP BY local_date ORDER BY local_date`, movieID, cityID, ms(after))
	if err != nil {
		return nil, fmt.Errorf("query show dates: %w", err)
	}
	defer rows.Close()
	var out []show.DateSpan
	for rows.Next() {
		var d show.DateSpan
		var last int64
		if err := rows.Scan(&d.Date, &last); err != nil {
			return nil, fmt.Errorf("scan show date: %w", err)
		}
		d.LastStart = time.UnixMilli(last).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// MovieIDs returns the movies with scheduled shows in a city after t.
func (r *Repository) MovieIDs(ctx context.Context, cityID string, after time.Time) ([]string, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT DISTINCT movie_id FROM shows
		WHERE city_id = ? AND status = 'SCHEDULED' AND starts_at > ? ORDER BY movie_id`, cityID, ms(after))
	if err != nil {
		return nil, fmt.Errorf("query movies with shows: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan movie id: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Cancel marks a show cancelled.
func (r *Repository) Cancel(ctx context.Context, id string, at time.Time) (show.Show, bool, error) {
	var out show.Show
	changed := false
	err := sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		var doc string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM shows WHERE id = ?`, id).Scan(&doc); err != nil {
			return sqlitedb.NotFoundOr(err, "show "+id)
		}
		s, err := decodeShow(doc)
		if err != nil {
			return err
		}
		if s.Status != show.StatusCancelled {
			s.Status, s.CancelledAt = show.StatusCancelled, at.UTC()
			if _, err := tx.ExecContext(ctx, `UPDATE shows SET status = ?, doc = ? WHERE id = ?`, string(s.Status), encode(s), id); err != nil {
				return fmt.Errorf("cancel show: %w", err)
			}
			changed = true
		}
		out = s
		return nil
	})
	return out, changed, err
}

// PricingRepository is a show.PricingRepository on SQLite.
type PricingRepository struct{ db *sql.DB }

// Get returns a theatre's rules.
func (r *PricingRepository) Get(ctx context.Context, theatreID string) (show.Rules, error) {
	var doc string
	if err := r.db.QueryRowContext(ctx, `SELECT doc FROM pricing_rules WHERE theatre_id = ?`, theatreID).Scan(&doc); err != nil {
		return show.Rules{}, sqlitedb.NotFoundOr(err, "pricing rules")
	}
	var rules show.Rules
	if err := json.Unmarshal([]byte(doc), &rules); err != nil {
		return show.Rules{}, fmt.Errorf("decode pricing rules: %w", err)
	}
	return rules, nil
}

// GetMany returns the rules of the theatres among theatreIDs that have rules.
func (r *PricingRepository) GetMany(ctx context.Context, theatreIDs []string) (map[string]show.Rules, error) {
	out := make(map[string]show.Rules, len(theatreIDs))
	if len(theatreIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(theatreIDs))
	for i, id := range theatreIDs {
		args[i] = id
	}
	rows, err := r.db.QueryContext(ctx, `SELECT theatre_id, doc FROM pricing_rules WHERE theatre_id IN (`+
		sqlitedb.Placeholders(len(theatreIDs))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("query pricing rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("scan pricing rules: %w", err)
		}
		var rules show.Rules
		if err := json.Unmarshal([]byte(doc), &rules); err != nil {
			return nil, fmt.Errorf("decode pricing rules: %w", err)
		}
		out[id] = rules
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query pricing rules: %w", err)
	}
	return out, nil
}

// Put replaces a theatre's rules.
func (r *PricingRepository) Put(ctx context.Context, theatreID string, rules show.Rules) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO pricing_rules (theatre_id, doc) VALUES (?, ?)
		ON CONFLICT (theatre_id) DO UPDATE SET doc = excluded.doc`, theatreID, encode(rules))
	if err != nil {
		return fmt.Errorf("store pricing rules: %w", err)
	}
	return nil
}
