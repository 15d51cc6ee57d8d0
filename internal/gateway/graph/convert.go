package graph

import (
	"strconv"

	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/gateway/graph/model"
)

func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

var movieStatusToGraph = map[moviev1.MovieStatus]model.MovieStatus{
	moviev1.MovieStatus_MOVIE_STATUS_UPCOMING:    model.MovieStatusUpcoming,
	moviev1.MovieStatus_MOVIE_STATUS_NOW_SHOWING: model.MovieStatusNowShowing,
	moviev1.MovieStatus_MOVIE_STATUS_ARCHIVED:    model.MovieStatusArchived,
}

func fromGraphMovieStatus(s model.MovieStatus) moviev1.MovieStatus {
	for k, v := range movieStatusToGraph {
		if v == s {
			return k
		}
	}
	return moviev1.MovieStatus_MOVIE_STATUS_UNSPECIFIED
}

func toGraphMovie(m *moviev1.Movie) *model.Movie {
	out := &model.Movie{ID: m.GetId(), Title: m.GetTitle(), Synopsis: m.GetSynopsis(),
		RuntimeMinutes: int(m.GetRuntimeMinutes()), Certification: m.GetCertification(),
		Languages: nonNil(m.GetLanguages()), Genres: nonNil(m.GetGenres()), Formats: nonNil(m.GetFormats()),
		Status: movieStatusToGraph[m.GetStatus()], Cast: toGraphCredits(m.GetCast()), Crew: toGraphCredits(m.GetCrew()),
		PosterURL: optionalString(m.GetPosterUrl())}
	if m.GetReleaseDate() != "" {
		d := model.Date(m.GetReleaseDate())
		out.ReleaseDate = &d
	}
	return out
}

func toGraphCredits(cs []*moviev1.Credit) []*model.Credit {
	out := make([]*model.Credit, len(cs))
	for i, c := range cs {
		out[i] = &model.Credit{Name: c.GetName(), Role: c.GetRole()}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toGraphCity(c *theatrev1.City) *model.City {
	return &model.City{ID: c.GetId(), Name: c.GetName(), State: c.GetState(), Country: c.GetCountry(),
		TimeZone: c.GetTimeZone(), Location: &model.GeoPoint{Lat: c.GetLocation().GetLat(), Lng: c.GetLocation().GetLng()}}
}

func toGraphTheatre(t *theatrev1.Theatre) *model.Theatre {
	return &model.Theatre{ID: t.GetId(), Name: t.GetName(), Chain: optionalString(t.GetChain()), CityID: t.GetCityId(),
		Address: t.GetAddress(), Location: &model.GeoPoint{Lat: t.GetLocation().GetLat(), Lng: t.GetLocation().GetLng()},
		Amenities: nonNil(t.GetAmenities()), Currency: t.GetCurrency(), TimeZone: t.GetTimeZone(),
		ChangeoverMinutes: int(t.GetChangeoverMinutes())}
}

func toGraphScreen(s *theatrev1.Screen) *model.Screen {
	return &model.Screen{ID: s.GetId(), Name: s.GetName(), Formats: nonNil(s.GetFormats()),
		SeatCount: int(s.GetSeatCount()), Layout: toGraphLayout(s.GetLayout())}
}

func toGraphLayout(l *theatrev1.Layout) *model.SeatLayout {
	out := &model.SeatLayout{Categories: make([]*model.SeatCategory, len(l.GetCategories())),
		Rows: make([]*model.LayoutRow, len(l.GetRows()))}
	for i, c := range l.GetCategories() {
		out.Categories[i] = &model.SeatCategory{Code: c.GetCode(), Name: c.GetName()}
	}
	for i, r := range l.GetRows() {
		row := &model.LayoutRow{Label: r.GetLabel(), Cells: make([]*model.LayoutCell, len(r.GetCells()))}
		for j, c := range r.GetCells() {
			cell := &model.LayoutCell{Column: j}
			if !c.GetGap() {
				cell.Seat = &model.LayoutSeat{ID: r.GetLabel() + strconv.Itoa(int(c.GetNumber())), Number: int(c.GetNumber()),
					Category: c.GetCategory(), Accessible: c.GetAccessible(), Companion: c.GetCompanion(), Blocked: c.GetBlocked()}
			}
			row.Cells[j] = cell
		}
		out.Rows[i] = row
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
