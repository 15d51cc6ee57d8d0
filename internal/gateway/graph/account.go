package graph

import (
	"context"
	"strings"

	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/gateway/graph/model"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
)

type clientIPKey struct{}

// WithClientIP returns ctx carrying the caller's IP address, for per-address rate limits.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

func clientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

// limitByIP counts one attempt of an operation from the caller's address.
func (r *Resolver) limitByIP(ctx context.Context, operation string) error {
	if r.Limiter == nil {
		return nil
	}
	return ratelimit.Allow(ctx, r.Limiter, "ip:"+operation+":"+clientIP(ctx), r.AuthRule)
}

var roleNames = map[userv1.Role]string{
	userv1.Role_ROLE_CUSTOMER:      "customer",
	userv1.Role_ROLE_THEATRE_ADMIN: "theatre_admin",
	userv1.Role_ROLE_ADMIN:         "admin",
}

func fromGraphRoles(names []string) ([]userv1.Role, error) {
	out := make([]userv1.Role, 0, len(names))
	for _, n := range names {
		found := false
		for r, name := range roleNames {
			if strings.EqualFold(name, strings.TrimSpace(n)) {
				out = append(out, r)
				found = true
			}
		}
		if !found {
			return nil, errs.Invalidf("roles", "unknown role %q (known: customer, theatre_admin, admin)", n)
		}
	}
	return out, nil
}

func toGraphUser(u *userv1.User) *model.User {
	out := &model.User{ID: u.GetId(), Email: u.GetEmail(), Name: u.GetName(), Phone: optionalString(u.GetPhone()),
		Roles: []string{}, TheatreIds: nonNil(u.GetTheatreIds()), CreatedAt: u.GetCreateTime().AsTime()}
	for _, r := range u.GetRoles() {
		out.Roles = append(out.Roles, roleNames[r])
	}
	return out
}

func toAuthPayload(u *userv1.User, t *userv1.Tokens) *model.AuthPayload {
	return &model.AuthPayload{AccessToken: t.GetAccessToken(), AccessTokenExpiresAt: t.GetAccessTokenExpireTime().AsTime(),
		RefreshToken: t.GetRefreshToken(), RefreshTokenExpiresAt: t.GetRefreshTokenExpireTime().AsTime(), User: toGraphUser(u)}
}
