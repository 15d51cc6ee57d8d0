package auth_test

import (
	"context"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

func TestIdentityRights(t *testing.T) {
	const t1, t2 = "theatre-1", "theatre-2"
	admin := auth.Identity{UserID: "a", Roles: []string{auth.RoleAdmin}}
	owner := auth.Identity{UserID: "o", Roles: []string{auth.RoleCustomer, auth.RoleTheatreAdmin}, TheatreIDs: []string{t1}}
	customer := auth.Identity{UserID: "c", Roles: []string{auth.RoleCustomer}, TheatreIDs: []string{t1}} // ids without the role count for nothing
	cases := []struct {
		name      string
		id        auth.Identity
		isAdmin   bool
		manage    map[string]bool
		theatreOK bool
	}{
		{"admin", admin, true, map[string]bool{t1: true, t2: true}, true},
		{"theatre admin", owner, false, map[string]bool{t1: true, t2: false, "": false}, true},
		{"customer", customer, false, map[string]bool{t1: false, t2: false}, false},
		{"nobody", auth.Identity{UserID: "n"}, false, map[string]bool{t1: false}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.id.IsAdmin() != c.isAdmin {
				t.Errorf("IsAdmin = %v", !c.isAdmin)
			}
			for th, want := range c.manage {
				if got := c.id.CanManageTheatre(th); got != want {
					t.Errorf("CanManageTheatre(%q) = %v, want %v", th, got, want)
				}
			}
			ctx := auth.WithIdentity(context.Background(), c.id)
			if got, err := auth.Require(ctx); err != nil || got.UserID != c.id.UserID {
				t.Errorf("Require: %+v %v", got, err)
			}
			_, err := auth.RequireAdmin(ctx)
			if c.isAdmin != (err == nil) || (err != nil && !errs.Is(err, errs.Forbidden)) {
				t.Errorf("RequireAdmin: %v", err)
			}
			_, err = auth.RequireTheatreAdmin(ctx, t1)
			if c.manage[t1] != (err == nil) || (err != nil && !errs.Is(err, errs.Forbidden)) {
				t.Errorf("RequireTheatreAdmin: %v", err)
			}
		})
	}
}

func TestNoIdentity(t *testing.T) {
	ctx := context.Background()
	if _, ok := auth.FromContext(ctx); ok {
		t.Fatal("identity in an empty context")
	}
	if _, ok := auth.FromContext(auth.WithIdentity(ctx, auth.Identity{})); ok {
		t.Fatal("an identity without a user id counts")
	}
	for name, f := range map[string]func(context.Context) (auth.Identity, error){
		"Require":             auth.Require,
		"RequireAdmin":        auth.RequireAdmin,
		"RequireTheatreAdmin": func(ctx context.Context) (auth.Identity, error) { return auth.RequireTheatreAdmin(ctx, "t") },
	} {
		if _, err := f(ctx); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("%s without identity: %v, want unauthenticated", name, err)
		}
	}
	if _, ok := auth.TokenFromContext(ctx); ok {
		t.Fatal("token in an empty context")
	}
	if tok, ok := auth.TokenFromContext(auth.WithToken(ctx, "abc")); !ok || tok != "abc" {
		t.Fatal("WithToken lost the token")
	}
}
