// Package auth is Marquee's identity plumbing: short-lived access tokens (JWTs signed with
// Ed25519, "EdDSA"), the signing key on disk or in config, the Identity a verified token carries,
// and the gRPC metadata and interceptors that move an identity from the gateway to every service.
//
// Every service verifies the signed token itself with the public key; nothing trusts an unsigned
// header. The flow is:
//
//	gateway:  ctx = auth.ToOutgoing(ctx, accessToken)           // "authorization: Bearer <jwt>"
//	service:  grpc.ChainUnaryInterceptor(grpcx..., auth.ServerInterceptor(verifier).Unary())
//	handler:  id, err := auth.Require(ctx)                      // or RequireAdmin, RequireTheatreAdmin
//	onward:   ctx = auth.ForwardToken(ctx)                      // to call another service as the caller
//
// All failures are errs.Unauthenticated (no or bad identity) or errs.Forbidden (an identity
// without the right).
package auth

import (
	"context"
	"slices"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// The roles. A user has one or more; "customer" is the default.
const (
	RoleCustomer     = "customer"
	RoleTheatreAdmin = "theatre_admin"
	RoleAdmin        = "admin"
	// RoleService is held by Marquee's own services calling each other (never by a person).
	RoleService = "service"
)

// Identity is who a verified access token says the caller is.
type Identity struct {
	UserID string
	Roles  []string
	// TheatreIDs are the theatres a theatre_admin manages.
	TheatreIDs []string
	// SessionID is the refresh-token family the access token was issued in ("sid"); empty when
	// unknown.
	SessionID string
}

// HasRole reports whether the identity has role.
func (id Identity) HasRole(role string) bool { return slices.Contains(id.Roles, role) }

// IsAdmin reports whether the identity is an admin.
func (id Identity) IsAdmin() bool { return id.HasRole(RoleAdmin) }

// CanManageTheatre reports whether the identity may manage the theatre: admins manage every
// theatre, a theatre_admin those in TheatreIDs.
func (id Identity) CanManageTheatre(theatreID string) bool {
	if id.IsAdmin() {
		return true
	}
	return theatreID != "" && id.HasRole(RoleTheatreAdmin) && slices.Contains(id.TheatreIDs, theatreID)
}

type identityKey struct{}

type tokenKey struct{}

// WithIdentity returns ctx carrying id. Only code that has verified a token (the server
// interceptor) or a trusted in-process caller (tests, bootstrap) should call it.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, &id)
}

// withoutIdentity returns ctx in which FromContext finds no identity, whatever ctx carried.
func withoutIdentity(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, identityKey{}, (*Identity)(nil))
	return context.WithValue(ctx, tokenKey{}, "")
}

// FromContext returns the identity in ctx, if any.
func FromContext(ctx context.Context) (Identity, bool) {
	id, _ := ctx.Value(identityKey{}).(*Identity)
	if id == nil || id.UserID == "" {
		return Identity{}, false
	}
	return *id, true
}

// WithToken returns ctx carrying the raw access token the caller presented, so that a service can
// forward it to another (ForwardToken). The server interceptor sets it after verifying.
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// TokenFromContext returns the raw, verified access token of the caller, if any.
func TokenFromContext(ctx context.Context) (string, bool) {
	t, _ := ctx.Value(tokenKey{}).(string)
	return t, t != ""
}

// Require returns the caller's identity. Unauthenticated when there is none.
func Require(ctx context.Context) (Identity, error) {
	id, ok := FromContext(ctx)
	if !ok {
		return Identity{}, errs.E(errs.Unauthenticated, "sign in first").WithReason(ReasonNoToken)
	}
	return id, nil
}

// RequireAdmin returns the caller's identity if it is an admin. Unauthenticated without an
// identity, Forbidden for anyone else.
func RequireAdmin(ctx context.Context) (Identity, error) {
	id, err := Require(ctx)
	if err != nil {
		return Identity{}, err
	}
	if !id.IsAdmin() {
		return Identity{}, errs.E(errs.Forbidden, "only an admin may do this")
	}
	return id, nil
}

// RequireService returns the caller's identity if it is one of Marquee's own services (role
// service) or an admin. Unauthenticated without an identity; Forbidden for anyone else, with a
// message saying that only Marquee's services may do what (e.g. "refund payments").
func RequireService(ctx context.Context, what string) (Identity, error) {
	id, err := Require(ctx)
	if err != nil {
		return Identity{}, err
	}
	if !id.IsAdmin() && !id.HasRole(RoleService) {
		return Identity{}, errs.E(errs.Forbidden, "only Marquee's services may %s", what)
	}
	return id, nil
}

// RequireTheatreAdmin returns the caller's identity if it may manage the theatre (an admin, or a
// theatre_admin of it). Unauthenticated without an identity, Forbidden otherwise.
func RequireTheatreAdmin(ctx context.Context, theatreID string) (Identity, error) {
	id, err := Require(ctx)
	if err != nil {
		return Identity{}, err
	}
	if !id.CanManageTheatre(theatreID) {
		return Identity{}, errs.E(errs.Forbidden, "only an admin or an admin of this theatre may do this")
	}
	return id, nil
}
