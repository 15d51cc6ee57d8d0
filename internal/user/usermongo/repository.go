// Package usermongo stores users and refresh tokens in MongoDB.
//
// Collections:
//   - "users": one document per account, with emailKey (user.EmailKey) under a unique index, so
//     that the server refuses a second account for an address whatever its case. Updates are
//     optimistic, checked by a version field, like the other Marquee adapters.
//   - "refresh_families": one document per family; revoked is the truth for every token of it.
//   - "refresh_tokens": one document per token, _id the token's SHA-256 (hex).
//
// A rotation claims the presented token with one conditional findOneAndUpdate on
// {_id: hash, used: false, expiresAt > now}: on a real MongoDB that single-document update is
// atomic, so of two concurrent refreshes of one token only one can claim it. The next token is
// inserted afterwards; no multi-document transaction is used. A family revoked between the claim
// and the insert still ends the session, because every use checks the family. Expired documents
// are deleted by DeleteExpired (no TTL index, per the storage rules).
package usermongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/marquee-cinema/marquee/internal/platform/contact"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
	"github.com/marquee-cinema/marquee/internal/user"
)

// Collection names.
const (
	UsersCollection    = "users"
	FamiliesCollection = "refresh_families"
	TokensCollection   = "refresh_tokens"
)

// updateAttempts is how many times Update re-reads and re-applies its function after losing a
// race with a concurrent writer.
const updateAttempts = 5

// Store holds the user service's repositories on one database.
type Store struct {
	Users  *UserRepository
	Tokens *TokenRepository
}

// New creates the collections' indexes (idempotently) and returns the repositories.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	users, families, tokens := db.Collection(UsersCollection), db.Collection(FamiliesCollection), db.Collection(TokensCollection)
	if err := mongodb.EnsureIndexes(ctx, users,
		mongodb.Index{Name: "emailKey_unique", Keys: bson.D{{Key: "emailKey", Value: 1}}, Unique: true},
	); err != nil {
		return nil, err
	}
	if err := mongodb.EnsureIndexes(ctx, families,
		mongodb.Index{Name: "userId", Keys: bson.D{{Key: "userId", Value: 1}}},
		mongodb.Index{Name: "expiresAt", Keys: bson.D{{Key: "expiresAt", Value: 1}}},
	); err != nil {
		return nil, err
	}
	if err := mongodb.EnsureIndexes(ctx, tokens,
		mongodb.Index{Name: "familyId", Keys: bson.D{{Key: "familyId", Value: 1}}},
		mongodb.Index{Name: "expiresAt", Keys: bson.D{{Key: "expiresAt", Value: 1}}},
	); err != nil {
		return nil, err
	}
	return &Store{Users: &UserRepository{coll: users},
		Tokens: &TokenRepository{families: families, tokens: tokens}}, nil
}

// storedTime is t as a BSON date keeps it: UTC, to the millisecond.
func storedTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Millisecond)
}

// readTime turns a stored date back into a time, keeping the zero time zero.
func readTime(t time.Time) time.Time {
	if t.IsZero() || t.Equal(time.Unix(0, 0)) {
		return time.Time{}
	}
	return t.UTC()
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// UserRepository is a user.Repository on MongoDB.
type UserRepository struct{ coll *mongo.Collection }

var _ user.Repository = (*UserRepository)(nil)

// userDoc is the stored form of a user.
type userDoc struct {
	ID                string    `bson:"_id"`
	Email             string    `bson:"email"`
	EmailKey          string    `bson:"emailKey"`
	Name              string    `bson:"name"`
	Phone             string    `bson:"phone"`
	Roles             []string  `bson:"roles"`
	TheatreIDs        []string  `bson:"theatreIds"`
	PasswordHash      string    `bson:"passwordHash"`
	PasswordChangedAt time.Time `bson:"passwordChangedAt"`
	CreatedAt         time.Time `bson:"createdAt"`
	UpdatedAt         time.Time `bson:"updatedAt"`
	// Version counts the writes of the document, from 1 at creation; updates check it.
	Version int64 `bson:"version"`
}

func toUserDoc(u user.User, version int64) userDoc {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	tids := u.TheatreIDs
	if tids == nil {
		tids = []string{}
	}
	return userDoc{ID: u.ID, Email: u.Email, EmailKey: contact.EmailKey(u.Email), Name: u.Name, Phone: u.Phone,
		Roles: roles, TheatreIDs: tids, PasswordHash: u.PasswordHash, PasswordChangedAt: storedTime(u.PasswordChangedAt),
		CreatedAt: storedTime(u.CreatedAt), UpdatedAt: storedTime(u.UpdatedAt), Version: version}
}

func (d userDoc) user() user.User {
	roles := make([]user.Role, len(d.Roles))
	for i, r := range d.Roles {
		roles[i] = user.Role(r)
	}
	var tids []string
	if len(d.TheatreIDs) > 0 {
		tids = d.TheatreIDs
	}
	return user.User{ID: d.ID, Email: d.Email, Name: d.Name, Phone: d.Phone, Roles: roles, TheatreIDs: tids,
		PasswordHash: d.PasswordHash, PasswordChangedAt: readTime(d.PasswordChangedAt), CreatedAt: readTime(d.CreatedAt),
		UpdatedAt: readTime(d.UpdatedAt)}
}

func emailTaken() error {
	return errs.E(errs.Conflict, "the e-mail is taken").WithReason(user.ReasonEmailTaken)
}

// Create stores a new user.
func (r *UserRepository) Create(ctx context.Context, u user.User) error {
	_, err := r.coll.InsertOne(ctx, toUserDoc(u, 1))
	if err == nil {
		return nil
	}
	if !mongodb.IsDuplicateKey(err) {
		return fmt.Errorf("insert user %s: %w", u.ID, err)
	}
	// Which index refused it: the e-mail's, unless the user holding the address is this one.
	if other, gerr := r.GetByEmail(ctx, u.Email); gerr == nil && other.ID != u.ID {
		return emailTaken()
	}
	return errs.E(errs.Conflict, "user %s already exists", u.ID)
}

// Get returns a user by id.
func (r *UserRepository) Get(ctx context.Context, id string) (user.User, error) {
	d, err := r.get(ctx, byID(id), "user "+id)
	if err != nil {
		return user.User{}, err
	}
	return d.user(), nil
}

func (r *UserRepository) get(ctx context.Context, filter bson.D, what string) (userDoc, error) {
	var d userDoc
	if err := r.coll.FindOne(ctx, filter).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return userDoc{}, errs.NotFoundf("%s not found", what)
		}
		return userDoc{}, fmt.Errorf("find %s: %w", what, err)
	}
	return d, nil
}

// GetByEmail returns the user with the e-mail, ignoring case.
func (r *UserRepository) GetByEmail(ctx context.Context, email string) (user.User, error) {
	d, err := r.get(ctx, bson.D{{Key: "emailKey", Value: contact.EmailKey(email)}}, "user with that e-mail")
	if err != nil {
		return user.User{}, err
	}
	return d.user(), nil
}

// Update loads a user, applies fn and replaces the document if no one else wrote it meanwhile;
// after a lost race it starts again from a fresh read, a few times.
func (r *UserRepository) Update(ctx context.Context, id string, fn func(*user.User) error) (user.User, error) {
	for range updateAttempts {
		d, err := r.get(ctx, byID(id), "user "+id)
		if err != nil {
			return user.User{}, err
		}
		u := d.user()
		if err := fn(&u); err != nil {
			return user.User{}, err
		}
		u.ID = id
		next := toUserDoc(u, d.Version+1)
		if next.EmailKey != d.EmailKey {
			// The unique index decides on a real MongoDB; checking first gives the right error
			// where the server reports a broken unique index on replace as a generic failure.
			if other, err := r.GetByEmail(ctx, u.Email); err == nil && other.ID != id {
				return user.User{}, emailTaken()
			}
		}
		res, err := r.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}, next)
		if err != nil {
			if mongodb.IsDuplicateKey(err) {
				return user.User{}, emailTaken()
			}
			return user.User{}, fmt.Errorf("replace user %s: %w", id, err)
		}
		if res.MatchedCount == 1 {
			return next.user(), nil // as stored, so that it equals what Get returns
		}
	}
	return user.User{}, errs.E(errs.Conflict, "user %s is being changed concurrently; try again", id)
}

// Count returns how many users exist.
func (r *UserRepository) Count(ctx context.Context) (int, error) {
	n, err := r.coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return int(n), nil
}

// TokenRepository is a user.TokenRepository on MongoDB.
type TokenRepository struct {
	families *mongo.Collection
	tokens   *mongo.Collection
}

var _ user.TokenRepository = (*TokenRepository)(nil)

type familyDoc struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"userId"`
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
	Revoked   bool      `bson:"revoked"`
	RevokedAt time.Time `bson:"revokedAt"`
}

func toFamilyDoc(f user.Family) familyDoc {
	return familyDoc{ID: f.ID, UserID: f.UserID, CreatedAt: storedTime(f.CreatedAt), ExpiresAt: storedTime(f.ExpiresAt),
		Revoked: !f.RevokedAt.IsZero(), RevokedAt: storedTime(f.RevokedAt)}
}

func (d familyDoc) family() user.Family {
	f := user.Family{ID: d.ID, UserID: d.UserID, CreatedAt: readTime(d.CreatedAt), ExpiresAt: readTime(d.ExpiresAt)}
	if d.Revoked {
		f.RevokedAt = d.RevokedAt.UTC()
	}
	return f
}

type tokenDoc struct {
	Hash      string    `bson:"_id"`
	FamilyID  string    `bson:"familyId"`
	UserID    string    `bson:"userId"`
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
	Used      bool      `bson:"used"`
	UsedAt    time.Time `bson:"usedAt"`
}

func toTokenDoc(t user.RefreshToken) tokenDoc {
	return tokenDoc{Hash: t.Hash, FamilyID: t.FamilyID, UserID: t.UserID, CreatedAt: storedTime(t.CreatedAt),
		ExpiresAt: storedTime(t.ExpiresAt), Used: !t.UsedAt.IsZero(), UsedAt: storedTime(t.UsedAt)}
}

func (d tokenDoc) token() user.RefreshToken {
	t := user.RefreshToken{Hash: d.Hash, FamilyID: d.FamilyID, UserID: d.UserID, CreatedAt: readTime(d.CreatedAt),
		ExpiresAt: readTime(d.ExpiresAt)}
	if d.Used {
		t.UsedAt = d.UsedAt.UTC()
	}
	return t
}

// StartFamily stores a family, then its first token; if the token cannot be stored the family
// is removed again.
func (r *TokenRepository) StartFamily(ctx context.Context, f user.Family, first user.RefreshToken) error {
	if _, err := r.families.InsertOne(ctx, toFamilyDoc(f)); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return errs.E(errs.Conflict, "refresh family %s already exists", f.ID)
		}
		return fmt.Errorf("insert refresh family: %w", err)
	}
	first.FamilyID = f.ID
	if err := r.insertToken(ctx, first); err != nil {
		_, _ = r.families.DeleteOne(context.WithoutCancel(ctx), byID(f.ID)) // compensate
		return err
	}
	return nil
}

func (r *TokenRepository) insertToken(ctx context.Context, t user.RefreshToken) error {
	if _, err := r.tokens.InsertOne(ctx, toTokenDoc(t)); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return errs.E(errs.Conflict, "refresh token already exists")
		}
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// FindToken returns a token and its family. The error never contains the hash.
func (r *TokenRepository) FindToken(ctx context.Context, hash string) (user.RefreshToken, user.Family, error) {
	var td tokenDoc
	if err := r.tokens.FindOne(ctx, byID(hash)).Decode(&td); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return user.RefreshToken{}, user.Family{}, errs.NotFoundf("refresh token not found")
		}
		return user.RefreshToken{}, user.Family{}, fmt.Errorf("find refresh token: %w", err)
	}
	f, err := r.family(ctx, td.FamilyID)
	if err != nil {
		return user.RefreshToken{}, user.Family{}, err
	}
	return td.token(), f, nil
}

func (r *TokenRepository) family(ctx context.Context, id string) (user.Family, error) {
	var fd familyDoc
	if err := r.families.FindOne(ctx, byID(id)).Decode(&fd); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return user.Family{}, errs.NotFoundf("refresh token not found")
		}
		return user.Family{}, fmt.Errorf("find refresh family: %w", err)
	}
	return fd.family(), nil
}

// Rotate claims the token with a conditional update, then stores the next one.
func (r *TokenRepository) Rotate(ctx context.Context, hash string, next user.RefreshToken, now time.Time) (user.Rotation, error) {
	now = storedTime(now)
	var before tokenDoc
	err := r.tokens.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: hash}, {Key: "used", Value: false}, {Key: "expiresAt", Value: bson.D{{Key: "$gt", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "used", Value: true}, {Key: "usedAt", Value: now}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if errors.Is(err, mongo.ErrNoDocuments) {
		// Not claimable: say why.
		t, f, err := r.FindToken(ctx, hash)
		if err != nil {
			return user.Rotation{}, err
		}
		rot := user.Rotation{Token: t, Family: f}
		switch {
		case f.Revoked():
			rot.Outcome = user.RotateRevoked
		case t.Used():
			rot.Outcome = user.RotateReused
		case !t.ExpiresAt.After(now):
			rot.Outcome = user.RotateExpired
		default:
			return user.Rotation{}, errs.E(errs.Conflict, "refresh token changed concurrently; try again")
		}
		return rot, nil
	}
	if err != nil {
		return user.Rotation{}, fmt.Errorf("claim refresh token: %w", err)
	}
	t := before.token()
	f, err := r.family(ctx, t.FamilyID)
	if err != nil {
		return user.Rotation{}, err
	}
	rot := user.Rotation{Token: t, Family: f}
	if f.Revoked() {
		rot.Outcome = user.RotateRevoked // the claimed token is spent; nothing else changes
		return rot, nil
	}
	next.FamilyID, next.UserID, next.UsedAt = t.FamilyID, t.UserID, time.Time{}
	if err := r.insertToken(ctx, next); err != nil {
		return user.Rotation{}, err
	}
	exp := storedTime(next.ExpiresAt)
	if _, err := r.families.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: f.ID}, {Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: exp}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expiresAt", Value: exp}}}}); err != nil {
		return user.Rotation{}, fmt.Errorf("extend refresh family: %w", err)
	}
	rot.Outcome = user.RotateOK
	return rot, nil
}

// RevokeFamily revokes a family.
func (r *TokenRepository) RevokeFamily(ctx context.Context, familyID string, now time.Time) error {
	if _, err := r.families.UpdateOne(ctx, bson.D{{Key: "_id", Value: familyID}, {Key: "revoked", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}, {Key: "revokedAt", Value: storedTime(now)}}}}); err != nil {
		return fmt.Errorf("revoke refresh family: %w", err)
	}
	return nil
}

// RevokeUserFamilies revokes a user's active families but one.
func (r *TokenRepository) RevokeUserFamilies(ctx context.Context, userID, exceptFamilyID string, now time.Time) (int, error) {
	res, err := r.families.UpdateMany(ctx,
		bson.D{{Key: "userId", Value: userID}, {Key: "revoked", Value: false}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: exceptFamilyID}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}, {Key: "revokedAt", Value: storedTime(now)}}}})
	if err != nil {
		return 0, fmt.Errorf("revoke refresh families: %w", err)
	}
	return int(res.ModifiedCount), nil
}

// DeleteExpired deletes expired tokens, then expired families.
func (r *TokenRepository) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	expired := bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lte", Value: storedTime(now)}}}}
	res, err := r.tokens.DeleteMany(ctx, expired)
	if err != nil {
		return 0, fmt.Errorf("delete expired refresh tokens: %w", err)
	}
	if _, err := r.families.DeleteMany(ctx, expired); err != nil {
		return int(res.DeletedCount), fmt.Errorf("delete expired refresh families: %w", err)
	}
	return int(res.DeletedCount), nil
}
