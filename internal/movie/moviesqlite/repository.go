// Package moviesqlite stores movies in the embedded SQLite database.
package moviesqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

var migrations = []string{
	`CREATE TABLE movies (
		id TEXT PRIMARY KEY,
		title_key TEXT NOT NULL,
		status TEXT NOT NULL,
		languages TEXT NOT NULL,
		genres TEXT NOT NULL,
		formats TEXT NOT NULL,
		doc TEXT NOT NULL
	);
	CREATE INDEX movies_title ON movies (title_key, id);`,
}

// Repository is a movie.Repository on SQLite.
type Repository struct {
	db *sql.DB
}

var _ movie.Repository = (*Repository)(nil)

// New migrates the schema and returns the repository.
func New(ctx context.Context, db *sql.DB) (*Repository, error) {
	if err := sqlitedb.Migrate(ctx, db, "movie", migrations); err != nil {
		return nil, err
	}
	return &Repository{db: db}, nil
}

// record is the stored JSON document of a movie.
type record struct {
	Title          string         `json:"title"`
	Synopsis       string         `json:"synopsis,omitempty"`
	RuntimeMinutes int            `json:"runtimeMinutes"`
	ReleaseDate    string         `json:"releaseDate,omitempty"`
	Certification  string         `json:"certification"`
	Genres         []string       `json:"genres"`
	Languages      []string       `json:"languages"`
	Formats        []string       `json:"formats"`
	Cast           []movie.Credit `json:"cast,omitempty"`
	Crew           []movie.Credit `json:"crew,omitempty"`
	Status         movie.Status   `json:"status"`
	PosterURL      string         `json:"posterUrl,omitempty"`
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
}

func toRecord(m movie.Movie) record {
	return record{Title: m.Title, Synopsis: m.Synopsis, RuntimeMinutes: m.RuntimeMinutes, ReleaseDate: m.ReleaseDate,
		Certification: m.Certification, Genres: nonNil(m.Genres), Languages: nonNil(m.Languages),
		Formats: nonNil(m.Formats), Cast: m.Cast, Crew: m.Crew, Status: m.Status, PosterURL: m.PosterURL,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

func fromRecord(id string, r record) movie.Movie {
	return movie.Movie{ID: id, Title: r.Title, Synopsis: r.Synopsis, RuntimeMinutes: r.RuntimeMinutes,
		ReleaseDate: r.ReleaseDate, Certification: r.Certification, Genres: r.Genres, Languages: r.Languages,
		Formats: r.Formats, Cast: r.Cast, Crew: r.Crew, Status: r.Status, PosterURL: r.PosterURL,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func write(ctx context.Context, db execer, verb string, m movie.Movie) error {
	r := toRecord(m)
	_, err := db.ExecContext(ctx, verb+` INTO movies (id, title_key, status, languages, genres, formats, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.ID, movie.SortKey(m.Title), string(m.Status), jsonString(r.Languages),
		jsonString(r.Genres), jsonString(r.Formats), jsonString(r))
	return err
}

// Create stores a new movie.
func (r *Repository) Create(ctx context.Context, m movie.Movie) error {
	if err := write(ctx, r.db, "INSERT", m); err != nil {
		if sqlitedb.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "movie %s already exists", m.ID)
		}
		return fmt.Errorf("insert movie: %w", err)
	}
	return nil
}

// Get returns one movie.
func (r *Repository) Get(ctx context.Context, id string) (movie.Movie, error) {
	var doc string
	if err := r.db.QueryRowContext(ctx, `SELECT doc FROM movies WHERE id = ?`, id).Scan(&doc); err != nil {
		return movie.Movie{}, sqlitedb.NotFoundOr(err, "movie "+id)
	}
	return decode(id, doc)
}

func decode(id, doc string) (movie.Movie, error) {
	var rec record
	if err := json.Unmarshal([]byte(doc), &rec); err != nil {
		return movie.Movie{}, fmt.Errorf("decode movie %s: %w", id, err)
	}
	return fromRecord(id, rec), nil
}

// GetMany returns the movies among ids.
func (r *Repository) GetMany(ctx context.Context, ids []string) ([]movie.Movie, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return r.query(ctx, `SELECT id, doc FROM movies WHERE id IN (`+sqlitedb.Placeholders(len(ids))+`)`, args...)
}

// List returns a page of movies in title order.
func (r *Repository) List(ctx context.Context, f movie.Filter, after *movie.Position, limit int) ([]movie.Movie, error) {
	var where []string
	var args []any
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		where = append(where, `id IN (`+sqlitedb.Placeholders(len(f.IDs))+`)`)
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	for col, v := range map[string]string{"languages": f.Language, "genres": f.Genre, "formats": f.Format} {
		if v != "" {
			where = append(where, `EXISTS (SELECT 1 FROM json_each(movies.`+col+`) WHERE value = ?)`)
			args = append(args, v)
		}
	}
	if f.Status != "" {
		where = append(where, `status = ?`)
		args = append(args, string(f.Status))
	}
	if f.Search != "" {
		where = append(where, `instr(title_key, ?) > 0`)
		args = append(args, movie.SortKey(f.Search))
	}
	if after != nil {
		where = append(where, `(title_key > ? OR (title_key = ? AND id > ?))`)
		args = append(args, after.TitleKey, after.TitleKey, after.ID)
	}
	q := `SELECT id, doc FROM movies`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY title_key, id LIMIT ?`
	args = append(args, limit)
	return r.query(ctx, q, args...)
}

func (r *Repository) query(ctx context.Context, q string, args ...any) ([]movie.Movie, error) {
	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query movies: %w", err)
	}
	defer rows.Close()
	var out []movie.Movie
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("scan movie: %w", err)
		}
		m, err := decode(id, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query movies: %w", err)
	}
	return out, nil
}

// Update applies fn to a movie inside a write transaction.
func (r *Repository) Update(ctx context.Context, id string, fn func(*movie.Movie) error) (movie.Movie, error) {
	var out movie.Movie
	err := sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		var doc string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM movies WHERE id = ?`, id).Scan(&doc); err != nil {
			return sqlitedb.NotFoundOr(err, "movie "+id)
		}
		m, err := decode(id, doc)
		if err != nil {
			return err
		}
		if err := fn(&m); err != nil {
			return err
		}
		m.ID = id
		if err := write(ctx, tx, "REPLACE", m); err != nil {
			return fmt.Errorf("update movie: %w", err)
		}
		out = m
		return nil
	})
	return out, err
}

// Count returns how many movies exist.
func (r *Repository) Count(ctx context.Context) (int, error) {
	var n int
	if err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM movies`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count movies: %w", err)
	}
	return n, nil
}
