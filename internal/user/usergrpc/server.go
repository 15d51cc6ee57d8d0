// Package usergrpc serves the user service over gRPC (marquee.user.v1) and converts between its
// protobuf messages and the domain.
//
// The server expects auth.ServerInterceptor on its gRPC server: the service reads the caller's
// identity from the context. PublicMethods lists the methods that need no identity; pass them to
// Interceptors.IgnoreInvalidFor so that a client whose access token has expired can still
// refresh, log in or log out.
package usergrpc

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"google.golang.org/protobuf/types/known/timestamppb"

	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/grpcx"
	"github.com/marquee-cinema/marquee/internal/user"
)

// PublicMethods are the full method names that need no identity.
var PublicMethods = []string{
	userv1.UserService_Register_FullMethodName,
	userv1.UserService_Login_FullMethodName,
	userv1.UserService_Refresh_FullMethodName,
	userv1.UserService_Logout_FullMethodName,
	userv1.UserService_GetSigningKeys_FullMethodName,
}

// Server implements userv1.UserServiceServer over a user.Service.
type Server struct {
	userv1.UnimplementedUserServiceServer
	svc   *user.Service
	audit *audit.Service
}

var _ userv1.UserServiceServer = (*Server)(nil)

// NewServer returns the gRPC server of svc.
func NewServer(svc *user.Service) *Server { return &Server{svc: svc} }

// WithAudit serves the audit log too.
func (s *Server) WithAudit(a *audit.Service) *Server { s.audit = a; return s }

// ListAuditLog pages through the audit log.
func (s *Server) ListAuditLog(ctx context.Context, req *userv1.ListAuditLogRequest) (*userv1.ListAuditLogResponse, error) {
	if s.audit == nil {
		return nil, errs.E(errs.Unavailable, "the audit log is not served here")
	}
	f := req.GetFilter()
	filter := audit.Filter{ActorID: f.GetActorId(), Resource: f.GetResource(), ResourceID: f.GetResourceId(),
		TheatreID: f.GetTheatreId(), Action: f.GetAction()}
	if f.GetSince() != nil {
		filter.Since = f.GetSince().AsTime()
	}
	if f.GetUntil() != nil {
		filter.Until = f.GetUntil().AsTime()
	}
	page, err := s.audit.List(ctx, filter, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &userv1.ListAuditLogResponse{HasNextPage: page.HasNextPage}
	for _, e := range page.Entries {
		out.Entries = append(out.Entries, &userv1.AuditEntry{Id: e.ID, Time: timestamppb.New(e.At), ActorId: e.ActorID,
			ActorRoles: e.ActorRoles, Action: e.Action, Resource: e.Resource, ResourceId: e.ResourceID, TheatreId: e.TheatreID,
			Summary: e.Summary})
		out.Cursors = append(out.Cursors, audit.CursorOf(e))
	}
	return out, nil
}

// Register creates a customer account and starts a session.
func (s *Server) Register(ctx context.Context, req *userv1.RegisterRequest) (*userv1.RegisterResponse, error) {
	sess, err := s.svc.Register(ctx, user.RegisterInput{Email: req.GetEmail(), Password: req.GetPassword(),
		Name: req.GetName(), Phone: req.GetPhone()})
	if err != nil {
		return nil, err
	}
	return &userv1.RegisterResponse{Tokens: toProtoTokens(sess), User: ToProtoUser(sess.User)}, nil
}

// Login starts a session.
func (s *Server) Login(ctx context.Context, req *userv1.LoginRequest) (*userv1.LoginResponse, error) {
	sess, err := s.svc.Login(ctx, req.GetEmail(), req.GetPassword())
	if err != nil {
		return nil, err
	}
	return &userv1.LoginResponse{Tokens: toProtoTokens(sess), User: ToProtoUser(sess.User)}, nil
}

// Refresh exchanges a refresh token for new tokens.
func (s *Server) Refresh(ctx context.Context, req *userv1.RefreshRequest) (*userv1.RefreshResponse, error) {
	sess, err := s.svc.Refresh(ctx, req.GetRefreshToken())
	if err != nil {
		return nil, err
	}
	return &userv1.RefreshResponse{Tokens: toProtoTokens(sess), User: ToProtoUser(sess.User)}, nil
}

// Logout ends a session.
func (s *Server) Logout(ctx context.Context, req *userv1.LogoutRequest) (*userv1.LogoutResponse, error) {
	if err := s.svc.Logout(ctx, req.GetRefreshToken()); err != nil {
		return nil, err
	}
	return &userv1.LogoutResponse{}, nil
}

// ChangePassword changes the caller's password.
func (s *Server) ChangePassword(ctx context.Context, req *userv1.ChangePasswordRequest) (*userv1.ChangePasswordResponse, error) {
	if err := s.svc.ChangePassword(ctx, req.GetOldPassword(), req.GetNewPassword()); err != nil {
		return nil, err
	}
	return &userv1.ChangePasswordResponse{}, nil
}

// GetMe returns the caller's account.
func (s *Server) GetMe(ctx context.Context, _ *userv1.GetMeRequest) (*userv1.GetMeResponse, error) {
	u, err := s.svc.Me(ctx)
	if err != nil {
		return nil, err
	}
	return &userv1.GetMeResponse{User: ToProtoUser(u)}, nil
}

// GetUser returns an account.
func (s *Server) GetUser(ctx context.Context, req *userv1.GetUserRequest) (*userv1.GetUserResponse, error) {
	u, err := s.svc.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &userv1.GetUserResponse{User: ToProtoUser(u)}, nil
}

// CreateUser creates an account with any roles.
func (s *Server) CreateUser(ctx context.Context, req *userv1.CreateUserRequest) (*userv1.CreateUserResponse, error) {
	u, err := s.svc.CreateUser(ctx, user.NewUser{Email: req.GetEmail(), Password: req.GetPassword(), Name: req.GetName(),
		Phone: req.GetPhone(), Roles: FromProtoRoles(req.GetRoles()), TheatreIDs: req.GetTheatreIds()})
	if err != nil {
		return nil, err
	}
	return &userv1.CreateUserResponse{User: ToProtoUser(u)}, nil
}

// AssignTheatres sets the theatres a user manages.
func (s *Server) AssignTheatres(ctx context.Context, req *userv1.AssignTheatresRequest) (*userv1.AssignTheatresResponse, error) {
	u, err := s.svc.AssignTheatres(ctx, req.GetUserId(), req.GetTheatreIds())
	if err != nil {
		return nil, err
	}
	return &userv1.AssignTheatresResponse{User: ToProtoUser(u)}, nil
}

// GetSigningKeys returns the public key access tokens are signed with.
func (s *Server) GetSigningKeys(context.Context, *userv1.GetSigningKeysRequest) (*userv1.GetSigningKeysResponse, error) {
	kid, pub := s.svc.SigningKey()
	return &userv1.GetSigningKeysResponse{Keys: []*userv1.SigningKey{{KeyId: kid, Algorithm: auth.Algorithm, PublicKey: pub}}}, nil
}

// ToProtoUser converts an account to its message; the password hash never leaves.
func ToProtoUser(u user.User) *userv1.User {
	return &userv1.User{Id: u.ID, Email: u.Email, Name: u.Name, Phone: u.Phone, Roles: ToProtoRoles(u.Roles),
		TheatreIds: u.TheatreIDs, CreateTime: timestamppb.New(u.CreatedAt), UpdateTime: timestamppb.New(u.UpdatedAt)}
}

func toProtoTokens(s user.Session) *userv1.Tokens {
	return &userv1.Tokens{AccessToken: s.AccessToken, AccessTokenExpireTime: timestamppb.New(s.AccessTokenExpiresAt),
		RefreshToken: s.RefreshToken, RefreshTokenExpireTime: timestamppb.New(s.RefreshTokenExpiresAt), TokenType: "Bearer"}
}

var roleToProto = map[user.Role]userv1.Role{
	user.RoleCustomer:     userv1.Role_ROLE_CUSTOMER,
	user.RoleTheatreAdmin: userv1.Role_ROLE_THEATRE_ADMIN,
	user.RoleAdmin:        userv1.Role_ROLE_ADMIN,
}

// ToProtoRoles converts roles to their enum values.
func ToProtoRoles(rs []user.Role) []userv1.Role {
	out := make([]userv1.Role, 0, len(rs))
	for _, r := range rs {
		if p, ok := roleToProto[r]; ok {
			out = append(out, p)
		}
	}
	return out
}

// FromProtoRoles converts enum values to roles; an unknown value becomes a role the service
// refuses as invalid.
func FromProtoRoles(ps []userv1.Role) []user.Role {
	out := make([]user.Role, 0, len(ps))
	for _, p := range ps {
		found := false
		for r, v := range roleToProto {
			if v == p {
				out, found = append(out, r), true
				break
			}
		}
		if !found {
			out = append(out, user.Role(p.String()))
		}
	}
	return out
}

// RoleName returns the role's name as Marquee's APIs spell it ("customer", "theatre_admin",
// "admin"); "" for ROLE_UNSPECIFIED and unknown values.
func RoleName(p userv1.Role) string {
	for r, v := range roleToProto {
		if v == p {
			return string(r)
		}
	}
	return ""
}

// FetchVerifier asks the user service for its signing keys and returns a verifier of its access
// tokens, for a service that runs in another process than the user service (in one process,
// use the issuer's Verifier). Whoever answers on c decides which tokens are accepted: use it only
// over a channel that authenticates the user service (TLS), or configure the public key instead
// (auth.ParsePublicKey).
func FetchVerifier(ctx context.Context, c userv1.UserServiceClient, clk clock.Clock) (*auth.Verifier, error) {
	res, err := c.GetSigningKeys(ctx, &userv1.GetSigningKeysRequest{})
	if err != nil {
		return nil, fmt.Errorf("fetch signing keys: %w", grpcx.FromStatus(err))
	}
	var keys []ed25519.PublicKey
	for _, k := range res.GetKeys() {
		if k.GetAlgorithm() == auth.Algorithm && len(k.GetPublicKey()) == ed25519.PublicKeySize {
			keys = append(keys, ed25519.PublicKey(k.GetPublicKey()))
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("fetch signing keys: the user service sent no Ed25519 key")
	}
	return auth.NewVerifier(clk, keys...), nil
}
