// Package theatresqlite stores cities, theatres and screens in the embedded SQLite database.
package theatresqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

var migrations = []string{
	`CREATE TABLE cities (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		doc TEXT NOT NULL
	);
	CREATE TABLE theatres (
		id TEXT PRIMARY KEY,
		city_id TEXT NOT NULL,
		name TEXT NOT NULL,
		lat REAL NOT NULL,
		lng REAL NOT NULL,
		doc TEXT NOT NULL
	);
	CREATE INDEX theatres_city ON theatres (city_id, name);
	CREATE INDEX theatres_lat ON theatres (lat, lng);
	CREATE TABLE screens (
		id TEXT PRIMARY KEY,
		theatre_id TEXT NOT NULL,
		name TEXT NOT NULL,
		doc TEXT NOT NULL,
		UNIQUE (theatre_id, name)
	);`,
}

// Store holds the three theatre repositories on one database.
type Store struct {
	Cities   *CityRepository
	Theatres *TheatreRepository
	Screens  *ScreenRepository
}

// New migrates the schema and returns the repositories.
func New(ctx context.Context, db *sql.DB) (*Store, error) {
	if err := sqlitedb.Migrate(ctx, db, "theatre", migrations); err != nil {
		return nil, err
	}
	return &Store{Cities: &CityRepository{db}, Theatres: &TheatreRepository{db}, Screens: &ScreenRepository{db}}, nil
}

var (
	_ theatre.CityRepository    = (*CityRepository)(nil)
	_ theatre.TheatreRepository = (*TheatreRepository)(nil)
	_ theatre.ScreenRepository  = (*ScreenRepository)(nil)
)

func encode(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func decode[T any](what, doc string) (T, error) {
	var v T
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", what, err)
	}
	return v, nil
}

func queryDocs[T any](ctx context.Context, db *sql.DB, what string, fix func(*T), q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("scan %s: %w", what, err)
		}
		v, err := decode[T](what, doc)
		if err != nil {
			return nil, err
		}
		fix(&v)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query %s: %w", what, err)
	}
	return out, nil
}

func insertErr(err error, what, id string) error {
	if sqlitedb.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "%s %s already exists", what, id)
	}
	return fmt.Errorf("insert %s: %w", what, err)
}

func idArgs(ids []string) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// CityRepository is a theatre.CityRepository on SQLite.
type CityRepository struct{ db *sql.DB }

// Create stores a city.
func (r *CityRepository) Create(ctx context.Context, c theatre.City) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO cities (id, name, doc) VALUES (?, ?, ?)`, c.ID, c.Name, encode(c))
	if err != nil {
		return insertErr(err, "city", c.ID)
	}
	return nil
}

// Get returns a city.
func (r *CityRepository) Get(ctx context.Context, id string) (theatre.City, error) {
	var doc string
	if err := r.db.QueryRowContext(ctx, `SELECT doc FROM cities WHERE id = ?`, id).Scan(&doc); err != nil {
		return theatre.City{}, sqlitedb.NotFoundOr(err, "city "+id)
	}
	return decode[theatre.City]("city", doc)
}

// List returns every city by name.
func (r *CityRepository) List(ctx context.Context) ([]theatre.City, error) {
	return queryDocs(ctx, r.db, "cities", func(*theatre.City) {}, `SELECT doc FROM cities ORDER BY name, id`)
}

// TheatreRepository is a theatre.TheatreRepository on SQLite.
type TheatreRepository struct{ db *sql.DB }

func utcTheatre(t *theatre.Theatre) { t.CreatedAt = t.CreatedAt.UTC() }

// Create stores a theatre.
func (r *TheatreRepository) Create(ctx context.Context, t theatre.Theatre) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO theatres (id, city_id, name, lat, lng, doc) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.CityID, t.Name, t.Location.Lat, t.Location.Lng, encode(t))
	if err != nil {
		return insertErr(err, "theatre", t.ID)
	}
	return nil
}

// Get returns a theatre.
func (r *TheatreRepository) Get(ctx context.Context, id string) (theatre.Theatre, error) {
	var doc string
	if err := r.db.QueryRowContext(ctx, `SELECT doc FROM theatres WHERE id = ?`, id).Scan(&doc); err != nil {
		return theatre.Theatre{}, sqlitedb.NotFoundOr(err, "theatre "+id)
	}
	t, err := decode[theatre.Theatre]("theatre", doc)
	utcTheatre(&t)
	return t, err
}

// GetMany returns the theatres among ids.
func (r *TheatreRepository) GetMany(ctx context.Context, ids []string) ([]theatre.Theatre, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryDocs(ctx, r.db, "theatres", utcTheatre,
		`SELECT doc FROM theatres WHERE id IN (`+sqlitedb.Placeholders(len(ids))+`)`, idArgs(ids)...)
}

// ListByCity returns a city's theatres by name.
func (r *TheatreRepository) ListByCity(ctx context.Context, cityID string) ([]theatre.Theatre, error) {
	return queryDocs(ctx, r.db, "theatres", utcTheatre,
		`SELECT doc FROM theatres WHERE city_id = ? ORDER BY name, id`, cityID)
}

// ListInBox returns the theatres inside box.
func (r *TheatreRepository) ListInBox(ctx context.Context, box theatre.BoundingBox) ([]theatre.Theatre, error) {
	return queryDocs(ctx, r.db, "theatres", utcTheatre,
		`SELECT doc FROM theatres WHERE lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?`,
		box.MinLat, box.MaxLat, box.MinLng, box.MaxLng)
}

// Count returns how many theatres exist.
func (r *TheatreRepository) Count(ctx context.Context) (int, error) {
	var n int
	if err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM theatres`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count theatres: %w", err)
	}
	return n, nil
}

// ScreenRepository is a theatre.ScreenRepository on SQLite.
type ScreenRepository struct{ db *sql.DB }

func utcScreen(s *theatre.Screen) { s.CreatedAt = s.CreatedAt.UTC() }

// Create stores a screen.
func (r *ScreenRepository) Create(ctx context.Context, s theatre.Screen) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO screens (id, theatre_id, name, doc) VALUES (?, ?, ?, ?)`,
		s.ID, s.TheatreID, s.Name, encode(s))
	if err != nil {
		if sqlitedb.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "the theatre already has a screen named %q, or screen %s exists", s.Name, s.ID)
		}
		return fmt.Errorf("insert screen: %w", err)
	}
	return nil
}

// Get returns a screen.
func (r *ScreenRepository) Get(ctx context.Context, id string) (theatre.Screen, error) {
	var doc string
	if err := r.db.QueryRowContext(ctx, `SELECT doc FROM screens WHERE id = ?`, id).Scan(&doc); err != nil {
		return theatre.Screen{}, sqlitedb.NotFoundOr(err, "screen "+id)
	}
	s, err := decode[theatre.Screen]("screen", doc)
	utcScreen(&s)
	return s, err
}

// ListByTheatres returns the screens of the theatres, by theatre then name.
func (r *ScreenRepository) ListByTheatres(ctx context.Context, theatreIDs []string) ([]theatre.Screen, error) {
	if len(theatreIDs) == 0 {
		return nil, nil
	}
	return queryDocs(ctx, r.db, "screens", utcScreen,
		`SELECT doc FROM screens WHERE theatre_id IN (`+sqlitedb.Placeholders(len(theatreIDs))+`) ORDER BY theatre_id, name`,
		idArgs(theatreIDs)...)
}

// Update applies fn to a screen inside a write transaction.
func (r *ScreenRepository) Update(ctx context.Context, id string, fn func(*theatre.Screen) error) (theatre.Screen, error) {
	var out theatre.Screen
	err := sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		var doc string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM screens WHERE id = ?`, id).Scan(&doc); err != nil {
			return sqlitedb.NotFoundOr(err, "screen "+id)
		}
		s, err := decode[theatre.Screen]("screen", doc)
		if err != nil {
			return err
		}
		utcScreen(&s)
		if err := fn(&s); err != nil {
			return err
		}
		s.ID = id
		if _, err := tx.ExecContext(ctx, `UPDATE screens SET name = ?, doc = ? WHERE id = ?`, s.Name, encode(s), id); err != nil {
			if sqlitedb.IsUniqueViolation(err) {
				return errs.E(errs.Conflict, "the theatre already has a screen named %q", s.Name)
			}
			return fmt.Errorf("update screen: %w", err)
		}
		out = s
		return nil
	})
	return out, err
}
