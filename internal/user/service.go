package user

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/contact"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
	"github.com/marquee-cinema/marquee/internal/user/password"
)

// Defaults of Options.
const (
	DefaultRefreshTTL = 30 * 24 * time.Hour
)

// DefaultLoginRule limits password attempts per account (login by e-mail, password change by
// user): 10 at once, then one every 90 seconds.
var DefaultLoginRule = ratelimit.Rule{Limit: 10, Window: 15 * time.Minute}

// Options configure a Service. The zero value is the default everywhere.
type Options struct {
	// RefreshTTL is how long a refresh token is valid; each refresh issues a new one that is
	// valid this long again. DefaultRefreshTTL when zero.
	RefreshTTL time.Duration
	// Password are the argon2id parameters for new hashes (password.DefaultParams when zero);
	// hashes with other parameters are replaced at the next successful login.
	Password password.Params
	// HashConcurrency bounds the argon2id computations running at once (GOMAXPROCS when zero).
	HashConcurrency int
	// PhoneRegion is where phone numbers without a country code are read. India when zero.
	PhoneRegion contact.PhoneRegion
	// Limiter, when set, limits password attempts per account with LoginRule. Without it, limit
	// attempts elsewhere (the gateway, per client address). When the limiter fails, attempts are
	// allowed (and the failure logged) rather than locking everyone out.
	Limiter ratelimit.Limiter
	// LoginRule is the budget of password attempts per account; DefaultLoginRule when zero.
	LoginRule ratelimit.Rule
	// Log receives security events (refresh-token reuse) and failures; never secrets.
	Log *slog.Logger
}

// Service is the user service's application layer. Methods that act for a caller take the
// caller's identity from the context (auth.FromContext), which the gRPC server's auth
// interceptor puts there after verifying the caller's access token.
type Service struct {
	users  Repository
	tokens TokenRepository
	issuer *auth.Issuer
	clock  clock.Clock
	hasher *password.Hasher
	opts   Options
	log    *slog.Logger
	audit  audit.Log
}

// NewService returns a Service over users and tokens that signs access tokens with issuer.
func NewService(users Repository, tokens TokenRepository, issuer *auth.Issuer, clk clock.Clock, o Options) (*Service, error) {
	if users == nil || tokens == nil || issuer == nil || clk == nil {
		return nil, errors.New("user: NewService needs repositories, an issuer and a clock")
	}
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = DefaultRefreshTTL
	}
	if o.PhoneRegion == (contact.PhoneRegion{}) {
		o.PhoneRegion = contact.India
	}
	if o.LoginRule == (ratelimit.Rule{}) {
		o.LoginRule = DefaultLoginRule
	}
	if err := o.LoginRule.Validate(); err != nil {
		return nil, fmt.Errorf("user: login rule: %w", err)
	}
	hasher, err := password.NewHasher(o.Password, o.HashConcurrency)
	if err != nil {
		return nil, fmt.Errorf("user: %w", err)
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{users: users, tokens: tokens, issuer: issuer, clock: clk, hasher: hasher, opts: o, log: log, audit: audit.Discard{}}, nil
}

// SigningKey returns the id and public key of the key access tokens are signed with, for
// services that verify tokens elsewhere.
func (s *Service) SigningKey() (kid string, pub ed25519.PublicKey) {
	return s.issuer.KeyID(), s.issuer.PublicKey()
}

// Session is what logging in gives a client: the user, a short-lived access token and a refresh
// token to get the next one.
type Session struct {
	User                  User
	AccessToken           string
	AccessTokenExpiresAt  time.Time
	RefreshToken          string
	RefreshTokenExpiresAt time.Time
	// SessionID is the refresh-token family; it is also the access token's "sid".
	SessionID string
}

// RegisterInput is a new customer's sign-up.
type RegisterInput struct {
	Email    string
	Password string
	Name     string
	Phone    string // optional
}

// NewUser is an account an admin (or the bootstrap) creates.
type NewUser struct {
	Email    string
	Password string
	Name     string
	Phone    string // optional
	// Roles default to customer. TheatreIDs go with the theatre_admin role.
	Roles      []Role
	TheatreIDs []string
}

var errBadCredentials = errs.E(errs.Unauthenticated, "wrong e-mail or password").WithReason(ReasonBadCredentials)

// Register creates a customer account and logs it in. Invalid for a bad e-mail, password (see
// password.Validate), name or phone; Conflict with reason EMAIL_TAKEN when the e-mail is taken.
func (s *Service) Register(ctx context.Context, in RegisterInput) (Session, error) {
	u, err := s.create(ctx, NewUser{Email: in.Email, Password: in.Password, Name: in.Name, Phone: in.Phone})
	if err != nil {
		return Session{}, err
	}
	return s.startSession(ctx, u)
}

// Login checks an e-mail and password and starts a session. Unauthenticated "wrong e-mail or
// password" for an unknown e-mail and for a wrong password alike, after the same argon2id work;
// RateLimited when the account has had too many attempts.
func (s *Service) Login(ctx context.Context, email, pw string) (Session, error) {
	key := contact.EmailKey(email)
	if len(key) > contact.MaxEmailLen || len(pw) > password.MaxBytes { // no account has these
		return Session{}, errBadCredentials
	}
	if err := s.limit(ctx, "login:"+key); err != nil {
		return Session{}, err
	}
	u, err := s.users.GetByEmail(ctx, key)
	if errs.Is(err, errs.NotFound) || (err == nil && u.PasswordHash == "") {
		if err := s.hasher.VerifyDummy(ctx, pw); err != nil {
			return Session{}, fmt.Errorf("login: %w", err)
		}
		return Session{}, errBadCredentials
	}
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	ok, rehash, err := s.hasher.Verify(ctx, pw, u.PasswordHash)
	if err != nil {
		if errors.Is(err, password.ErrMalformedHash) {
			s.log.ErrorContext(ctx, "stored password hash is unreadable", "user", u.ID)
		}
		return Session{}, fmt.Errorf("login: %w", err)
	}
	if !ok {
		return Session{}, errBadCredentials
	}
	if rehash {
		s.rehash(ctx, u, pw)
	}
	return s.startSession(ctx, u)
}

// rehash replaces u's password hash with one made with the current parameters. It is best
// effort: a failure is logged and the login goes on.
func (s *Service) rehash(ctx context.Context, u User, pw string) {
	old := u.PasswordHash
	h, err := s.hasher.Hash(ctx, pw)
	if err == nil {
		_, err = s.users.Update(ctx, u.ID, func(x *User) error {
			if x.PasswordHash == old { // unless it changed meanwhile
				x.PasswordHash = h
			}
			return nil
		})
	}
	if err != nil {
		s.log.WarnContext(ctx, "could not upgrade a password hash", "user", u.ID, "error", err)
	}
}

// Refresh exchanges a refresh token for a new session in the same family: a new access token
// (with the user's current roles) and a new refresh token; the presented one is spent.
// Unauthenticated when the token is unknown, expired, revoked or already used — and in that
// last case, a replay, the whole family is revoked.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	hash, ok := HashRefreshToken(refreshToken)
	if !ok {
		return Session{}, errs.E(errs.Unauthenticated, "invalid refresh token; sign in again").WithReason(auth.ReasonTokenInvalid)
	}
	now := s.clock.Now()
	token, nextHash, err := NewRefreshToken()
	if err != nil {
		return Session{}, err
	}
	next := RefreshToken{Hash: nextHash, CreatedAt: now, ExpiresAt: now.Add(s.opts.RefreshTTL)}
	rot, err := s.tokens.Rotate(ctx, hash, next, now)
	if errs.Is(err, errs.NotFound) {
		return Session{}, errs.E(errs.Unauthenticated, "invalid refresh token; sign in again").WithReason(auth.ReasonTokenInvalid)
	}
	if err != nil {
		return Session{}, fmt.Errorf("refresh: %w", err)
	}
	switch rot.Outcome {
	case RotateOK:
	case RotateReused:
		s.log.WarnContext(ctx, "a used refresh token was presented again; revoking its session",
			"user", rot.Token.UserID, "session", rot.Family.ID)
		if err := s.tokens.RevokeFamily(ctx, rot.Family.ID, now); err != nil {
			return Session{}, fmt.Errorf("revoke a replayed session: %w", err)
		}
		return Session{}, errs.E(errs.Unauthenticated, "this refresh token was already used; sign in again").WithReason(ReasonTokenReused)
	case RotateRevoked:
		return Session{}, errs.E(errs.Unauthenticated, "this session has ended; sign in again").WithReason(ReasonTokenRevoked)
	case RotateExpired:
		return Session{}, errs.E(errs.Unauthenticated, "this session has expired; sign in again").WithReason(ReasonTokenExpired)
	default:
		return Session{}, fmt.Errorf("refresh: unknown rotate outcome %d", rot.Outcome)
	}
	u, err := s.users.Get(ctx, rot.Token.UserID)
	if errs.Is(err, errs.NotFound) {
		_ = s.tokens.RevokeFamily(ctx, rot.Family.ID, now)
		return Session{}, errs.E(errs.Unauthenticated, "this account no longer exists").WithReason(ReasonTokenRevoked)
	}
	if err != nil {
		return Session{}, fmt.Errorf("refresh: %w", err)
	}
	at, err := s.issuer.Issue(u.Identity(rot.Family.ID))
	if err != nil {
		return Session{}, err
	}
	return Session{User: u, AccessToken: at.Token, AccessTokenExpiresAt: at.ExpiresAt, RefreshToken: token,
		RefreshTokenExpiresAt: next.ExpiresAt, SessionID: rot.Family.ID}, nil
}

// Logout ends the session of a refresh token: its whole family is revoked. An unknown or
// malformed token is not an error (the session is over either way).
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	hash, ok := HashRefreshToken(refreshToken)
	if !ok {
		return nil
	}
	_, fam, err := s.tokens.FindToken(ctx, hash)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if err := s.tokens.RevokeFamily(ctx, fam.ID, s.clock.Now()); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// ChangePassword changes the caller's password and ends every other session of theirs (the
// session of the caller's access token goes on). Unauthenticated without a caller; Invalid for
// field oldPassword when the current password is wrong, for field password when the new one
// breaks the rules or equals the old; RateLimited after too many attempts.
func (s *Service) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	id, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	if err := s.limit(ctx, "password:"+id.UserID); err != nil {
		return err
	}
	u, err := s.users.Get(ctx, id.UserID)
	if err != nil {
		return err
	}
	wrong := errs.Invalidf("oldPassword", "the current password is wrong").WithReason(ReasonBadCredentials)
	if len(oldPassword) > password.MaxBytes {
		return wrong
	}
	ok, _, err := s.hasher.Verify(ctx, oldPassword, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !ok {
		return wrong
	}
	if newPassword == oldPassword {
		return errs.Invalidf("password", "the new password must differ from the current one")
	}
	if err := password.Validate(newPassword, u.Email, u.Name); err != nil {
		return err
	}
	h, err := s.hasher.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if _, err := s.users.Update(ctx, u.ID, func(x *User) error {
		x.PasswordHash, x.PasswordChangedAt, x.UpdatedAt = h, now, now
		return nil
	}); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if _, err := s.tokens.RevokeUserFamilies(ctx, u.ID, id.SessionID, now); err != nil {
		return fmt.Errorf("change password: end other sessions: %w", err)
	}
	return nil
}

// Me returns the caller's account. Unauthenticated without a caller.
func (s *Service) Me(ctx context.Context) (User, error) {
	id, err := auth.Require(ctx)
	if err != nil {
		return User{}, err
	}
	return s.users.Get(ctx, id.UserID)
}

// Get returns an account: the caller's own, or any for an admin. Unauthenticated without a
// caller, Forbidden for someone else's, Invalid for a malformed id, NotFound for an unknown one.
func (s *Service) Get(ctx context.Context, userID string) (User, error) {
	id, err := auth.Require(ctx)
	if err != nil {
		return User{}, err
	}
	if id.UserID != userID && !id.IsAdmin() {
		return User{}, errs.E(errs.Forbidden, "only an admin may see other accounts")
	}
	if !ids.Valid(userID) {
		return User{}, errs.Invalidf("id", "%q is not a valid user id", contact.Clip(userID, 40))
	}
	return s.users.Get(ctx, userID)
}

// CreateUser creates an account with any roles. Admins only: Unauthenticated without a caller,
// Forbidden for others. Invalid and Conflict as for Register.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	if _, err := auth.RequireAdmin(ctx); err != nil {
		return User{}, err
	}
	u, err := s.create(ctx, in)
	if err != nil {
		return User{}, err
	}
	_ = s.audit.Record(ctx, "user.create", audit.ResourceUser, u.ID, "", fmt.Sprintf("created account %s with roles %v", u.Email, u.Roles))
	return u, nil
}

// Bootstrap creates an account without any caller, for the process itself (the --demo
// accounts, a first admin): it must never be reachable from a transport. When an account with
// the e-mail exists it is returned unchanged, with created false.
func (s *Service) Bootstrap(ctx context.Context, in NewUser) (u User, created bool, err error) {
	u, err = s.users.GetByEmail(ctx, in.Email)
	if err == nil {
		return u, false, nil
	}
	if !errs.Is(err, errs.NotFound) {
		return User{}, false, err
	}
	u, err = s.create(ctx, in)
	if e := errs.As(err); err != nil && e.Code == errs.Conflict && e.Reason == ReasonEmailTaken {
		u, err = s.users.GetByEmail(ctx, in.Email) // created meanwhile by another process
		return u, false, err
	}
	return u, err == nil, err
}

// AssignTheatres sets the theatres a user manages: with at least one the user is a
// theatre_admin of exactly those, with none the user is no longer a theatre_admin. Admins only.
// The user's access tokens carry the old rights until they are refreshed (at most
// auth.DefaultAccessTTL). Invalid for malformed ids, NotFound for an unknown user.
func (s *Service) AssignTheatres(ctx context.Context, userID string, theatreIDs []string) (User, error) {
	if _, err := auth.RequireAdmin(ctx); err != nil {
		return User{}, err
	}
	if !ids.Valid(userID) {
		return User{}, errs.Invalidf("userId", "%q is not a valid user id", contact.Clip(userID, 40))
	}
	tids := CanonicalTheatreIDs(theatreIDs)
	now := s.clock.Now()
	u, err := s.users.Update(ctx, userID, func(u *User) error {
		u.TheatreIDs = tids
		roles := slices.DeleteFunc(slices.Clone(u.Roles), func(r Role) bool { return r == RoleTheatreAdmin })
		if len(tids) > 0 {
			roles = append(roles, RoleTheatreAdmin)
		}
		if len(roles) == 0 {
			roles = []Role{RoleCustomer}
		}
		u.Roles = CanonicalRoles(roles)
		u.UpdatedAt = now
		return u.Validate()
	})
	if err != nil {
		return User{}, err
	}
	_ = s.audit.Record(ctx, "theatre_admins.assign", audit.ResourceUser, u.ID, "",
		fmt.Sprintf("%s now manages theatres %v", u.Email, u.TheatreIDs))
	return u, nil
}

// SetAudit makes the service record its writes in l.
func (s *Service) SetAudit(l audit.Log) { s.audit = l }

// SweepExpired deletes refresh tokens and families past their expiry; run it now and then (the
// Mongo adapter has no TTL index). It returns how many tokens it deleted.
func (s *Service) SweepExpired(ctx context.Context) (int, error) {
	return s.tokens.DeleteExpired(ctx, s.clock.Now())
}

// create validates and stores a new account.
func (s *Service) create(ctx context.Context, in NewUser) (User, error) {
	email, err := contact.NormalizeEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	name := NormalizeName(in.Name)
	phone := ""
	if in.Phone != "" {
		if phone, err = contact.NormalizePhone(in.Phone, s.opts.PhoneRegion); err != nil {
			return User{}, err
		}
	}
	now := s.clock.Now()
	u := User{ID: ids.New(), Email: email, Name: name, Phone: phone, Roles: CanonicalRoles(in.Roles),
		TheatreIDs: CanonicalTheatreIDs(in.TheatreIDs), PasswordHash: "-", PasswordChangedAt: now,
		CreatedAt: now, UpdatedAt: now}
	if err := u.Validate(); err != nil { // before the expensive hash
		return User{}, err
	}
	if err := password.Validate(in.Password, email, name); err != nil {
		return User{}, err
	}
	if u.PasswordHash, err = s.hasher.Hash(ctx, in.Password); err != nil {
		return User{}, err
	}
	if err := s.users.Create(ctx, u); err != nil {
		if e := errs.As(err); e.Code == errs.Conflict && e.Reason == ReasonEmailTaken {
			return User{}, errs.E(errs.Conflict, "an account with this e-mail exists; sign in instead").WithReason(ReasonEmailTaken)
		}
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// startSession starts a refresh-token family for u and issues its first tokens.
func (s *Service) startSession(ctx context.Context, u User) (Session, error) {
	now := s.clock.Now()
	token, hash, err := NewRefreshToken()
	if err != nil {
		return Session{}, err
	}
	fam := Family{ID: ids.New(), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.opts.RefreshTTL)}
	rt := RefreshToken{Hash: hash, FamilyID: fam.ID, UserID: u.ID, CreatedAt: now, ExpiresAt: fam.ExpiresAt}
	if err := s.tokens.StartFamily(ctx, fam, rt); err != nil {
		return Session{}, fmt.Errorf("start session: %w", err)
	}
	at, err := s.issuer.Issue(u.Identity(fam.ID))
	if err != nil {
		return Session{}, err
	}
	return Session{User: u, AccessToken: at.Token, AccessTokenExpiresAt: at.ExpiresAt, RefreshToken: token,
		RefreshTokenExpiresAt: rt.ExpiresAt, SessionID: fam.ID}, nil
}

// limit spends one attempt of key's budget, when a limiter is configured. A failing limiter
// lets the attempt through.
func (s *Service) limit(ctx context.Context, key string) error {
	if s.opts.Limiter == nil {
		return nil
	}
	d, err := s.opts.Limiter.Allow(ctx, key, s.opts.LoginRule)
	if err != nil {
		s.log.WarnContext(ctx, "rate limiter failed; allowing the attempt", "error", err)
		return nil
	}
	return d.Err()
}
