package theatre_test

import (
	"context"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
	"github.com/marquee-cinema/marquee/internal/theatre/theatretest"
)

func as(roles []string, theatreIDs ...string) context.Context {
	return auth.WithIdentity(context.Background(), auth.Identity{UserID: "u-" + roles[0], Roles: roles, TheatreIDs: theatreIDs})
}

func TestCatalogueWritesAreAuthorised(t *testing.T) {
	svc := newService(t)
	admin := adminContext()
	city, err := svc.CreateCity(admin, mumbaiCity())
	if err != nil {
		t.Fatal(err)
	}
	x, err := svc.CreateTheatre(admin, theatretest.SampleTheatre(city.ID, "X", 19.1, 72.8))
	if err != nil {
		t.Fatal(err)
	}
	y, err := svc.CreateTheatre(admin, theatretest.SampleTheatre(city.ID, "Y", 19.0, 72.9))
	if err != nil {
		t.Fatal(err)
	}
	anonymous := context.Background()
	customer := as([]string{auth.RoleCustomer})
	ownerOfX := as([]string{auth.RoleTheatreAdmin}, x.ID)

	screen := func(theatreID, name string) theatre.Screen {
		s := theatretest.SampleScreen(theatreID, name)
		s.ID = ""
		return s
	}
	cases := []struct {
		name string
		ctx  context.Context
		do   func(ctx context.Context) error
		want errs.Code
	}{
		{"anonymous creates a city", anonymous, func(ctx context.Context) error { _, err := svc.CreateCity(ctx, mumbaiCity()); return err }, errs.Unauthenticated},
		{"customer creates a city", customer, func(ctx context.Context) error { _, err := svc.CreateCity(ctx, mumbaiCity()); return err }, errs.Forbidden},
		{"theatre admin creates a theatre", ownerOfX, func(ctx context.Context) error {
			_, err := svc.CreateTheatre(ctx, theatretest.SampleTheatre(city.ID, "Z", 19, 72))
			return err
		}, errs.Forbidden},
		{"customer adds a screen", customer, func(ctx context.Context) error { _, err := svc.AddScreen(ctx, screen(x.ID, "S1")); return err }, errs.Forbidden},
		{"anonymous adds a screen", anonymous, func(ctx context.Context) error { _, err := svc.AddScreen(ctx, screen(x.ID, "S1")); return err }, errs.Unauthenticated},
		{"admin of X adds a screen to Y", ownerOfX, func(ctx context.Context) error { _, err := svc.AddScreen(ctx, screen(y.ID, "S1")); return err }, errs.Forbidden},
		{"admin of X adds a screen to X", ownerOfX, func(ctx context.Context) error { _, err := svc.AddScreen(ctx, screen(x.ID, "S1")); return err }, ""},
		{"admin adds a screen to Y", admin, func(ctx context.Context) error { _, err := svc.AddScreen(ctx, screen(y.ID, "S1")); return err }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.do(c.ctx)
			if errs.CodeOf(err) != c.want {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}

	screensOfY, err := svc.ScreensOf(admin, []string{y.ID})
	if err != nil || len(screensOfY) != 1 {
		t.Fatalf("screens of Y: %v %v", screensOfY, err)
	}
	rename := func(sc *theatre.Screen) error { sc.Name = "Renamed"; return nil }
	if _, err := svc.UpdateScreen(ownerOfX, screensOfY[0].ID, rename); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("admin of X renames a screen of Y: %v", err)
	}
	if _, err := svc.UpdateScreen(customer, screensOfY[0].ID, rename); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("customer renames a screen: %v", err)
	}
	moved, err := svc.UpdateScreen(admin, screensOfY[0].ID, func(sc *theatre.Screen) error { sc.TheatreID = x.ID; return nil })
	if err != nil || moved.TheatreID != y.ID {
		t.Fatalf("a screen must not move theatres: %+v %v", moved.TheatreID, err)
	}
	if got, _ := svc.Screen(admin, screensOfY[0].ID); got.Name == "Renamed" {
		t.Fatal("a refused update changed the screen")
	}
}
