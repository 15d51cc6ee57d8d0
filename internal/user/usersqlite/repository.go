// Package usersqlite stores users and refresh tokens in the embedded SQLite database.
//
// Users are one row each, the account as a JSON document plus its e-mail key under a unique index
// (so the store itself refuses a second account for an address, whatever its case). Refresh
// tokens and their families are rows of their own; times are Unix nanoseconds. Every change that
// reads before it writes runs in one write transaction (the database opens them IMMEDIATE), so a
// token rotation is atomic: of two concurrent refreshes of one token exactly one wins.
package usersqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/contact"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/user"
)

var migrations = []string{
	`CREATE TABLE users (
		id TEXT PRIMARY KEY,
		email_key TEXT NOT NULL,
		doc TEXT NOT NULL
	);
	CREATE UNIQUE INDEX users_email_key ON users (email_key);
	CREATE TABLE refresh_families (
		id TEXT PRIMARY KEY,
		user_id TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		revoked_at INTEGER
	);
	CREATE INDEX refresh_families_user ON refresh_families (user_id);
	CREATE INDEX refresh_families_expiry ON refresh_families (expires_at);
	CREATE TABLE refresh_tokens (
		hash TEXT PRIMARY KEY,
		family_id TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
		user_id TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		used_at INTEGER
	);
	CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
	CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);`,
}

// Store holds the user service's repositories on one database.
type Store struct {
	Users  *UserRepository
	Tokens *TokenRepository
}

// New migrates the schema (idempotently) and returns the repositories.
func New(ctx context.Context, db *sql.DB) (*Store, error) {
	if err := sqlitedb.Migrate(ctx, db, "user", migrations); err != nil {
		return nil, err
	}
	return &Store{Users: &UserRepository{db: db}, Tokens: &TokenRepository{db: db}}, nil
}

// UserRepository is a user.Repository on SQLite.
type UserRepository struct{ db *sql.DB }

var _ user.Repository = (*UserRepository)(nil)

// record is the stored JSON document of a user.
type record struct {
	Email             string      `json:"email"`
	Name              string      `json:"name"`
	Phone             string      `json:"phone,omitempty"`
	Roles             []user.Role `json:"roles"`
	TheatreIDs        []string    `json:"theatreIds,omitempty"`
	PasswordHash      string      `json:"passwordHash"`
	PasswordChangedAt time.Time   `json:"passwordChangedAt"`
	CreatedAt         time.Time   `json:"createdAt"`
	UpdatedAt         time.Time   `json:"updatedAt"`
}

func toRecord(u user.User) record {
	return record{Email: u.Email, Name: u.Name, Phone: u.Phone, Roles: u.Roles, TheatreIDs: u.TheatreIDs,
		PasswordHash: u.PasswordHash, PasswordChangedAt: u.PasswordChangedAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func fromRecord(id string, r record) user.User {
	return user.User{ID: id, Email: r.Email, Name: r.Name, Phone: r.Phone, Roles: r.Roles, TheatreIDs: r.TheatreIDs,
		PasswordHash: r.PasswordHash, PasswordChangedAt: r.PasswordChangedAt.UTC(), CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
}

func encode(u user.User) (string, error) {
	b, err := json.Marshal(toRecord(u))
	if err != nil {
		return "", fmt.Errorf("encode user %s: %w", u.ID, err)
	}
	return string(b), nil
}

func decode(id, doc string) (user.User, error) {
	var r record
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		return user.User{}, fmt.Errorf("decode user %s: %w", id, err)
	}
	return fromRecord(id, r), nil
}

// uniqueErr maps a unique violation to the domain's conflicts; other errors are wrapped.
func uniqueErr(err error, u user.User, what string) error {
	if !sqlitedb.IsUniqueViolation(err) {
		return fmt.Errorf("%s user %s: %w", what, u.ID, err)
	}
	if strings.Contains(err.Error(), "email_key") {
		return errs.E(errs.Conflict, "the e-mail is taken").WithReason(user.ReasonEmailTaken)
	}
	return errs.E(errs.Conflict, "user %s already exists", u.ID)
}

// Create stores a new user.
func (r *UserRepository) Create(ctx context.Context, u user.User) error {
	doc, err := encode(u)
	if err != nil {
		return err
	}
	if _, err := r.db.ExecContext(ctx, `INSERT INTO users (id, email_key, doc) VALUES (?, ?, ?)`,
		u.ID, contact.EmailKey(u.Email), doc); err != nil {
		return uniqueErr(err, u, "insert")
	}
	return nil
}

// Get returns a user by id.
func (r *UserRepository) Get(ctx context.Context, id string) (user.User, error) {
	var doc string
	if err := r.db.QueryRowContext(ctx, `SELECT doc FROM users WHERE id = ?`, id).Scan(&doc); err != nil {
		return user.User{}, sqlitedb.NotFoundOr(err, "user "+id)
	}
	return decode(id, doc)
}

// GetByEmail returns the user with the e-mail, ignoring case.
func (r *UserRepository) GetByEmail(ctx context.Context, email string) (user.User, error) {
	var id, doc string
	err := r.db.QueryRowContext(ctx, `SELECT id, doc FROM users WHERE email_key = ?`, contact.EmailKey(email)).Scan(&id, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return user.User{}, errs.NotFoundf("no user with that e-mail")
	}
	if err != nil {
		return user.User{}, fmt.Errorf("find user by e-mail: %w", err)
	}
	return decode(id, doc)
}

// Update applies fn to a user inside a write transaction.
func (r *UserRepository) Update(ctx context.Context, id string, fn func(*user.User) error) (user.User, error) {
	var out user.User
	err := sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		var doc string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM users WHERE id = ?`, id).Scan(&doc); err != nil {
			return sqlitedb.NotFoundOr(err, "user "+id)
		}
		u, err := decode(id, doc)
		if err != nil {
			return err
		}
		if err := fn(&u); err != nil {
			return err
		}
		u.ID = id
		if doc, err = encode(u); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email_key = ?, doc = ? WHERE id = ?`,
			contact.EmailKey(u.Email), doc, id); err != nil {
			return uniqueErr(err, u, "update")
		}
		out = u
		return nil
	})
	return out, err
}

// Count returns how many users exist.
func (r *UserRepository) Count(ctx context.Context) (int, error) {
	var n int
	if err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// TokenRepository is a user.TokenRepository on SQLite.
type TokenRepository struct{ db *sql.DB }

var _ user.TokenRepository = (*TokenRepository)(nil)

func nanos(t time.Time) int64 { return t.UnixNano() }

func nullNanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNullNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromNanos(n.Int64)
}

// StartFamily stores a family and its first token in one transaction.
func (r *TokenRepository) StartFamily(ctx context.Context, f user.Family, first user.RefreshToken) error {
	return sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO refresh_families (id, user_id, created_at, expires_at, revoked_at)
			VALUES (?, ?, ?, ?, ?)`, f.ID, f.UserID, nanos(f.CreatedAt), nanos(f.ExpiresAt), nullNanos(f.RevokedAt)); err != nil {
			if sqlitedb.IsUniqueViolation(err) {
				return errs.E(errs.Conflict, "refresh family %s already exists", f.ID)
			}
			return fmt.Errorf("insert refresh family: %w", err)
		}
		first.FamilyID = f.ID
		return insertToken(ctx, tx, first)
	})
}

func insertToken(ctx context.Context, tx *sql.Tx, t user.RefreshToken) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, family_id, user_id, created_at, expires_at, used_at)
		VALUES (?, ?, ?, ?, ?, ?)`, t.Hash, t.FamilyID, t.UserID, nanos(t.CreatedAt), nanos(t.ExpiresAt), nullNanos(t.UsedAt)); err != nil {
		if sqlitedb.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "refresh token already exists")
		}
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// find loads a token and its family. The error never contains the hash.
func find(ctx context.Context, q querier, hash string) (user.RefreshToken, user.Family, error) {
	t := user.RefreshToken{Hash: hash}
	var f user.Family
	var tCreated, tExpires, fCreated, fExpires int64
	var used, revoked sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT t.family_id, t.user_id, t.created_at, t.expires_at, t.used_at,
			f.user_id, f.created_at, f.expires_at, f.revoked_at
		FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id WHERE t.hash = ?`, hash).
		Scan(&t.FamilyID, &t.UserID, &tCreated, &tExpires, &used, &f.UserID, &fCreated, &fExpires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return user.RefreshToken{}, user.Family{}, errs.NotFoundf("refresh token not found")
	}
	if err != nil {
		return user.RefreshToken{}, user.Family{}, fmt.Errorf("find refresh token: %w", err)
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = fromNanos(tCreated), fromNanos(tExpires), fromNullNanos(used)
	f.ID, f.CreatedAt, f.ExpiresAt, f.RevokedAt = t.FamilyID, fromNanos(fCreated), fromNanos(fExpires), fromNullNanos(revoked)
	return t, f, nil
}

// FindToken returns a token and its family.
func (r *TokenRepository) FindToken(ctx context.Context, hash string) (user.RefreshToken, user.Family, error) {
	return find(ctx, r.db, hash)
}

// Rotate exchanges a token for the next inside one write transaction.
func (r *TokenRepository) Rotate(ctx context.Context, hash string, next user.RefreshToken, now time.Time) (user.Rotation, error) {
	var rot user.Rotation
	err := sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		t, f, err := find(ctx, tx, hash)
		if err != nil {
			return err
		}
		rot = user.Rotation{Token: t, Family: f}
		switch {
		case f.Revoked():
			rot.Outcome = user.RotateRevoked
			return nil
		case t.Used():
			rot.Outcome = user.RotateReused
			return nil
		case !t.ExpiresAt.After(now):
			rot.Outcome = user.RotateExpired
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL`, nanos(now), hash)
		if err != nil {
			return fmt.Errorf("mark refresh token used: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("mark refresh token used: %w", err)
		} else if n != 1 {
			return fmt.Errorf("mark refresh token used: %d rows changed, want 1", n)
		}
		next.FamilyID, next.UserID, next.UsedAt = t.FamilyID, t.UserID, time.Time{}
		if err := insertToken(ctx, tx, next); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_families SET expires_at = MAX(expires_at, ?) WHERE id = ?`,
			nanos(next.ExpiresAt), f.ID); err != nil {
			return fmt.Errorf("extend refresh family: %w", err)
		}
		rot.Outcome = user.RotateOK
		return nil
	})
	if err != nil {
		return user.Rotation{}, err
	}
	return rot, nil
}

// RevokeFamily revokes a family.
func (r *TokenRepository) RevokeFamily(ctx context.Context, familyID string, now time.Time) error {
	if _, err := r.db.ExecContext(ctx, `UPDATE refresh_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		nanos(now), familyID); err != nil {
		return fmt.Errorf("revoke refresh family: %w", err)
	}
	return nil
}

// RevokeUserFamilies revokes a user's active families but one.
func (r *TokenRepository) RevokeUserFamilies(ctx context.Context, userID, exceptFamilyID string, now time.Time) (int, error) {
	res, err := r.db.ExecContext(ctx, `UPDATE refresh_families SET revoked_at = ?
		WHERE user_id = ? AND id != ? AND revoked_at IS NULL`, nanos(now), userID, exceptFamilyID)
	if err != nil {
		return 0, fmt.Errorf("revoke refresh families: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("revoke refresh families: %w", err)
	}
	return int(n), nil
}

// DeleteExpired deletes expired tokens and families.
func (r *TokenRepository) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE expires_at <= ?`, nanos(now))
		if err != nil {
			return fmt.Errorf("delete expired refresh tokens: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("delete expired refresh tokens: %w", err)
		}
		// A family expires with its newest token, so no live token is left in it.
		if _, err := tx.ExecContext(ctx, `DELETE FROM refresh_families WHERE expires_at <= ?`, nanos(now)); err != nil {
			return fmt.Errorf("delete expired refresh families: %w", err)
		}
		return nil
	})
	return int(n), err
}
