package showgrpc

import (
	"context"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/show"
)

// Catalogue answers the show service's questions about movies, screens and theatres by calling
// the movie and theatre services.
type Catalogue struct {
	Movies   moviev1.MovieServiceClient
	Theatres theatrev1.TheatreServiceClient
}

var _ show.Catalogue = Catalogue{}

// Movie returns what scheduling needs of a movie.
func (c Catalogue) Movie(ctx context.Context, id string) (show.MovieInfo, error) {
	res, err := c.Movies.GetMovie(auth.ForwardToken(ctx), &moviev1.GetMovieRequest{Id: id})
	if err != nil {
		return show.MovieInfo{}, err
	}
	m := res.GetMovie()
	return show.MovieInfo{ID: m.GetId(), RuntimeMinutes: int(m.GetRuntimeMinutes()), Languages: m.GetLanguages(), Formats: m.GetFormats()}, nil
}

// Screen returns what scheduling needs of a screen.
func (c Catalogue) Screen(ctx context.Context, id string) (show.ScreenInfo, error) {
	res, err := c.Theatres.GetScreen(auth.ForwardToken(ctx), &theatrev1.GetScreenRequest{Id: id})
	if err != nil {
		return show.ScreenInfo{}, err
	}
	sc := res.GetScreen()
	info := show.ScreenInfo{ID: sc.GetId(), TheatreID: sc.GetTheatreId(), Formats: sc.GetFormats()}
	info.CategoryNames = map[string]string{}
	for _, cat := range sc.GetLayout().GetCategories() {
		info.Categories = append(info.Categories, cat.GetCode())
		info.CategoryNames[cat.GetCode()] = cat.GetName()
	}
	for _, r := range sc.GetLayout().GetRows() {
		for _, cell := range r.GetCells() {
			if !cell.GetGap() && !cell.GetBlocked() {
				info.SellableSeats++
			}
		}
	}
	return info, nil
}

// Theatre returns what scheduling needs of a theatre.
func (c Catalogue) Theatre(ctx context.Context, id string) (show.TheatreInfo, error) {
	res, err := c.Theatres.GetTheatre(auth.ForwardToken(ctx), &theatrev1.GetTheatreRequest{Id: id})
	if err != nil {
		return show.TheatreInfo{}, err
	}
	t := res.GetTheatre()
	return show.TheatreInfo{ID: t.GetId(), CityID: t.GetCityId(), TimeZone: t.GetTimeZone(), Currency: t.GetCurrency(),
		ChangeoverMinutes: int(t.GetChangeoverMinutes())}, nil
}

// TheatreAuthorizer lets admins and the theatre's own admins change its programme.
type TheatreAuthorizer struct{}

// SignedIn checks that the caller has an identity.
func (TheatreAuthorizer) SignedIn(ctx context.Context) error {
	_, err := auth.Require(ctx)
	return err
}

// CanManageTheatre checks the caller's identity.
func (TheatreAuthorizer) CanManageTheatre(ctx context.Context, theatreID string) error {
	_, err := auth.RequireTheatreAdmin(ctx, theatreID)
	return err
}

// BookingOccupancy asks the booking service how many seats of each show are taken.
type BookingOccupancy struct {
	Client bookingv1.BookingServiceClient
}

var _ show.Occupancy = BookingOccupancy{}

// Counts returns held and booked seats per show.
func (o BookingOccupancy) Counts(ctx context.Context, showIDs []string) (map[string]show.SeatCounts, error) {
	out := make(map[string]show.SeatCounts, len(showIDs))
	// The booking service answers for at most 1000 shows a call.
	for start := 0; start < len(showIDs); start += 500 {
		res, err := o.Client.GetSeatCounts(ctx, &bookingv1.GetSeatCountsRequest{ShowIds: showIDs[start:min(start+500, len(showIDs))]})
		if err != nil {
			return nil, err
		}
		for _, c := range res.GetCounts() {
			out[c.GetShowId()] = show.SeatCounts{Held: int(c.GetHeld()), Booked: int(c.GetBooked())}
		}
	}
	return out, nil
}

// CancelBookings is a show.CancelHook: it has the booking service cancel and fully refund every
// booking of a cancelled show, as the caller who cancelled it.
func (o BookingOccupancy) CancelBookings(ctx context.Context, s show.Show) error {
	_, err := o.Client.CancelShowBookings(ctx, &bookingv1.CancelShowBookingsRequest{ShowId: s.ID})
	return err
}
