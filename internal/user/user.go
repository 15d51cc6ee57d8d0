// Package user is Marquee's accounts: users with e-mail, password (argon2id, in package
// password), name, phone and roles; sessions of a short-lived access token (a JWT, see
// platform/auth) and a rotating refresh token; the repositories the service needs; and the
// service itself. Adapters (usersqlite, usermongo) and the gRPC server (usergrpc) live in
// sub-packages.
//
// Refresh tokens are 32 random bytes given to the client once and stored only as their SHA-256.
// Each login starts a family; every refresh marks the presented token used and issues the next
// one in the same family. Presenting a used token again means it was copied: the whole family is
// revoked and its holder must log in again. Logout revokes the family; a password change revokes
// every other family of the user.
package user

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/contact"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Role is what a user may do. A user has one or more.
type Role string

// The roles.
const (
	RoleCustomer     Role = auth.RoleCustomer
	RoleTheatreAdmin Role = auth.RoleTheatreAdmin
	RoleAdmin        Role = auth.RoleAdmin
)

// Roles lists every role, in canonical order.
var Roles = []Role{RoleCustomer, RoleTheatreAdmin, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Limits on a user's fields.
const (
	MaxNameLen  = 100
	MaxTheatres = 200
	MaxPhoneLen = 16 // "+" and 15 digits
)

// Reasons on errors, for programs.
const (
	ReasonEmailTaken     = "EMAIL_TAKEN"
	ReasonTokenReused    = "REFRESH_TOKEN_REUSED"
	ReasonTokenRevoked   = "REFRESH_TOKEN_REVOKED"
	ReasonTokenExpired   = "REFRESH_TOKEN_EXPIRED"
	ReasonBadCredentials = "BAD_CREDENTIALS"
)

// User is an account.
type User struct {
	ID string
	// Email is normalised (NormalizeEmail): trimmed and lower case. Unique, by EmailKey.
	Email string
	Name  string
	// Phone is E.164 ("+919876543210") or empty.
	Phone string
	// Roles is a non-empty set in canonical order (see Roles).
	Roles []Role
	// TheatreIDs are the theatres a theatre_admin manages, sorted; empty for other users.
	TheatreIDs []string
	// PasswordHash is the argon2id PHC string. Never log it, never send it.
	PasswordHash      string
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// HasRole reports whether the user has role.
func (u User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// Identity returns the identity an access token of the user carries, in session sessionID.
func (u User) Identity(sessionID string) auth.Identity {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return auth.Identity{UserID: u.ID, Roles: roles, TheatreIDs: slices.Clone(u.TheatreIDs), SessionID: sessionID}
}

// CanonicalRoles returns roles de-duplicated in canonical order, customer when empty.
func CanonicalRoles(roles []Role) []Role {
	if len(roles) == 0 {
		return []Role{RoleCustomer}
	}
	out := make([]Role, 0, len(roles))
	for _, r := range Roles {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	for _, r := range roles { // unknown roles stay, for Validate to name
		if !r.Valid() && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// CanonicalTheatreIDs returns ids trimmed, de-duplicated and sorted.
func CanonicalTheatreIDs(theatreIDs []string) []string {
	out := make([]string, 0, len(theatreIDs))
	for _, id := range theatreIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// NormalizeName trims a name and folds runs of white space into one space.
func NormalizeName(s string) string { return strings.Join(strings.Fields(s), " ") }

// Validate checks a user whose fields are already normalised: the e-mail, a name of 1 to
// MaxNameLen printable characters, an E.164 phone or none, known roles, theatre ids that are ids
// and present exactly when the user is a theatre_admin, and a password hash. Invalid, naming the
// field, otherwise.
func (u *User) Validate() error {
	if e, err := contact.NormalizeEmail(u.Email); err != nil {
		return err
	} else if e != u.Email {
		return errs.Invalidf("email", "e-mail is not normalised")
	}
	switch n := utf8.RuneCountInString(u.Name); {
	case n == 0:
		return errs.Invalidf("name", "name is required")
	case n > MaxNameLen:
		return errs.Invalidf("name", "name is longer than %d characters", MaxNameLen)
	case strings.IndexFunc(u.Name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return errs.Invalidf("name", "name has characters that cannot be shown")
	}
	if u.Phone != "" && (len(u.Phone) > MaxPhoneLen || u.Phone[0] != '+') {
		return errs.Invalidf("phone", "phone is not in E.164 form")
	}
	if len(u.Roles) == 0 {
		return errs.Invalidf("roles", "a user has at least one role")
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			return errs.Invalidf("roles", "unknown role %q; roles are customer, theatre_admin and admin", contact.Clip(string(r), 40))
		}
	}
	if len(u.TheatreIDs) > MaxTheatres {
		return errs.Invalidf("theatreIds", "at most %d theatres", MaxTheatres)
	}
	for _, id := range u.TheatreIDs {
		if !ids.Valid(id) {
			return errs.Invalidf("theatreIds", "%q is not a valid theatre id", contact.Clip(id, 40))
		}
	}
	if u.HasRole(RoleTheatreAdmin) != (len(u.TheatreIDs) > 0) {
		return errs.Invalidf("theatreIds", "a theatre_admin manages at least one theatre, and only a theatre_admin has theatres")
	}
	if u.PasswordHash == "" {
		return errs.Invalidf("password", "password is required")
	}
	return nil
}

// Repository stores users. E-mail addresses are unique by EmailKey: the store enforces it (a
// unique index on the key), so that two concurrent registrations of one address cannot both
// succeed.
type Repository interface {
	// Create stores a new user. Conflict with reason EMAIL_TAKEN when another user has the
	// e-mail (ignoring case); Conflict when the id exists.
	Create(ctx context.Context, u User) error
	// Get returns a user. NotFound when there is none with id.
	Get(ctx context.Context, id string) (User, error)
	// GetByEmail returns the user with the e-mail, ignoring case. NotFound when there is none.
	GetByEmail(ctx context.Context, email string) (User, error)
	// Update loads a user, applies fn and stores the result atomically. NotFound when missing;
	// Conflict with reason EMAIL_TAKEN when fn changes the e-mail to one that is taken; fn's
	// error is returned unchanged and nothing is stored.
	Update(ctx context.Context, id string, fn func(*User) error) (User, error)
	// Count returns how many users exist.
	Count(ctx context.Context) (int, error)
}

// Family is one chain of refresh tokens: one login and its refreshes, on one device.
type Family struct {
	ID     string
	UserID string
	// ExpiresAt is when the family's newest token expires; the family can be deleted after it.
	ExpiresAt time.Time
	// RevokedAt is when the family was revoked; zero while it is active. No token of a revoked
	// family is ever accepted again.
	RevokedAt time.Time
	CreatedAt time.Time
}

// Revoked reports whether the family has been revoked.
func (f Family) Revoked() bool { return !f.RevokedAt.IsZero() }

// RefreshToken is the stored record of a refresh token. The token itself is never stored.
type RefreshToken struct {
	// Hash is the hex SHA-256 of the token string the client holds (HashRefreshToken).
	Hash      string
	FamilyID  string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is when the token was exchanged for the next; zero while unused.
	UsedAt time.Time
}

// Used reports whether the token has been exchanged already.
func (t RefreshToken) Used() bool { return !t.UsedAt.IsZero() }

// RotateOutcome says what Rotate did.
type RotateOutcome int

// The outcomes of Rotate. Only RotateOK stores anything.
const (
	// RotateOK: the token was unused and current; it is now used and the next one is stored.
	RotateOK RotateOutcome = iota + 1
	// RotateReused: the token had been used before — a replay. The caller revokes the family.
	RotateReused
	// RotateRevoked: the token's family is revoked.
	RotateRevoked
	// RotateExpired: the token has expired.
	RotateExpired
)

// Rotation is the result of Rotate: what happened, and the presented token and its family as
// they were before.
type Rotation struct {
	Outcome RotateOutcome
	Token   RefreshToken
	Family  Family
}

// TokenRepository stores refresh-token families and tokens.
type TokenRepository interface {
	// StartFamily stores a new family together with its first token. Conflict when the family or
	// the token hash exists.
	StartFamily(ctx context.Context, f Family, first RefreshToken) error
	// Rotate exchanges the token with hash for next, atomically: of any number of concurrent
	// Rotate calls for one token at most one gets RotateOK. It returns RotateRevoked when the
	// token's family is revoked, RotateReused when the token was used already, RotateExpired when
	// its ExpiresAt is not after now, and then stores nothing; otherwise it marks the token used
	// at now, stores next in the same family (next.FamilyID and next.UserID are taken from the
	// token) and extends the family's ExpiresAt to next's. NotFound when no token has hash.
	Rotate(ctx context.Context, hash string, next RefreshToken, now time.Time) (Rotation, error)
	// FindToken returns the token with hash and its family. NotFound when there is none.
	FindToken(ctx context.Context, hash string) (RefreshToken, Family, error)
	// RevokeFamily revokes a family as of now; revoking a revoked or unknown family does nothing.
	RevokeFamily(ctx context.Context, familyID string, now time.Time) error
	// RevokeUserFamilies revokes, as of now, every active family of the user except
	// exceptFamilyID (none when empty), and returns how many it revoked.
	RevokeUserFamilies(ctx context.Context, userID, exceptFamilyID string, now time.Time) (int, error)
	// DeleteExpired deletes the tokens and families whose ExpiresAt is not after now, and returns
	// how many tokens it deleted.
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
}
