package graph

import (
	"context"

	commonv1 "github.com/marquee-cinema/marquee/api/proto/marquee/common/v1"
	showv1 "github.com/marquee-cinema/marquee/api/proto/marquee/show/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/gateway/graph/model"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// showtimes finds a movie's shows for a city (theatres by name) or near a point (by distance),
// grouped by theatre.
func (r *Resolver) showtimes(ctx context.Context, f model.ShowtimeFilter) ([]*model.TheatreShowtimes, error) {
	req := &showv1.ListShowtimesRequest{MovieId: f.MovieID, Language: deref(f.Language), Format: deref(f.Format)}
	if f.Date != nil {
		req.Date = string(*f.Date)
	}
	var order []string
	distances := map[string]float64{}
	switch {
	case f.Near != nil && f.CityID != nil:
		return nil, errs.Invalidf("filter", "give either cityId or near, not both")
	case f.Near != nil:
		radius := 10.0
		if f.Near.RadiusKm != nil {
			radius = *f.Near.RadiusKm
		}
		res, err := r.TheatreClient.ListTheatres(ctx, &theatrev1.ListTheatresRequest{
			Near: &theatrev1.Near{Point: &commonv1.GeoPoint{Lat: f.Near.Lat, Lng: f.Near.Lng}, RadiusKm: radius}})
		if err != nil {
			return nil, err
		}
		req.RestrictToTheatres = true
		for i, t := range res.GetTheatres() {
			req.TheatreIds = append(req.TheatreIds, t.GetId())
			order = append(order, t.GetId())
			distances[t.GetId()] = res.GetDistancesKm()[i]
			if l := loaders(ctx); l != nil {
				l.theatreByID.Prime(t.GetId(), toGraphTheatre(t))
			}
		}
	case f.CityID != nil:
		res, err := r.TheatreClient.ListTheatres(ctx, &theatrev1.ListTheatresRequest{CityId: *f.CityID})
		if err != nil {
			return nil, err
		}
		req.CityId = *f.CityID
		for _, t := range res.GetTheatres() {
			order = append(order, t.GetId())
			if l := loaders(ctx); l != nil {
				l.theatreByID.Prime(t.GetId(), toGraphTheatre(t))
			}
		}
	default:
		return nil, errs.Invalidf("filter", "give filter.cityId or filter.near {lat, lng, radiusKm}")
	}
	res, err := r.ShowClient.ListShowtimes(ctx, req)
	if err != nil {
		return nil, err
	}
	byTheatre := map[string][]*model.Show{}
	for _, s := range toGraphShows(res.GetShows()) {
		byTheatre[s.TheatreID] = append(byTheatre[s.TheatreID], s)
	}
	out := []*model.TheatreShowtimes{}
	for _, id := range order {
		shows := byTheatre[id]
		if len(shows) == 0 {
			continue
		}
		th, err := r.loadTheatre(ctx, id)
		if err != nil {
			return nil, err
		}
		group := &model.TheatreShowtimes{Theatre: th, Shows: shows}
		if d, ok := distances[id]; ok {
			group.DistanceKm = &d
		}
		out = append(out, group)
	}
	return out, nil
}
