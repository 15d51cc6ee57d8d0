// Package theatregrpc serves the theatre service over gRPC (marquee.theatre.v1) and converts
// between its protobuf messages and the domain.
package theatregrpc

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/marquee-cinema/marquee/api/proto/marquee/common/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// Server implements theatrev1.TheatreServiceServer over a theatre.Service.
type Server struct {
	theatrev1.UnimplementedTheatreServiceServer
	svc *theatre.Service
}

// NewServer returns the gRPC server of svc.
func NewServer(svc *theatre.Service) *Server { return &Server{svc: svc} }

// CreateCity adds a city.
func (s *Server) CreateCity(ctx context.Context, req *theatrev1.CreateCityRequest) (*theatrev1.CreateCityResponse, error) {
	if req.GetCity() == nil {
		return nil, errs.Invalidf("city", "city is required")
	}
	c := fromProtoCity(req.GetCity())
	c.ID = ""
	created, err := s.svc.CreateCity(ctx, c)
	if err != nil {
		return nil, err
	}
	return &theatrev1.CreateCityResponse{City: ToProtoCity(created)}, nil
}

// ListCities returns every city.
func (s *Server) ListCities(ctx context.Context, _ *theatrev1.ListCitiesRequest) (*theatrev1.ListCitiesResponse, error) {
	cs, err := s.svc.Cities(ctx)
	if err != nil {
		return nil, err
	}
	out := &theatrev1.ListCitiesResponse{Cities: make([]*theatrev1.City, len(cs))}
	for i, c := range cs {
		out.Cities[i] = ToProtoCity(c)
	}
	return out, nil
}

// GetCity returns one city.
func (s *Server) GetCity(ctx context.Context, req *theatrev1.GetCityRequest) (*theatrev1.GetCityResponse, error) {
	c, err := s.svc.City(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &theatrev1.GetCityResponse{City: ToProtoCity(c)}, nil
}

// CreateTheatre adds a theatre.
func (s *Server) CreateTheatre(ctx context.Context, req *theatrev1.CreateTheatreRequest) (*theatrev1.CreateTheatreResponse, error) {
	if req.GetTheatre() == nil {
		return nil, errs.Invalidf("theatre", "theatre is required")
	}
	t := fromProtoTheatre(req.GetTheatre())
	t.ID = ""
	created, err := s.svc.CreateTheatre(ctx, t)
	if err != nil {
		return nil, err
	}
	return &theatrev1.CreateTheatreResponse{Theatre: ToProtoTheatre(created)}, nil
}

// GetTheatre returns one theatre.
func (s *Server) GetTheatre(ctx context.Context, req *theatrev1.GetTheatreRequest) (*theatrev1.GetTheatreResponse, error) {
	t, err := s.svc.Theatre(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &theatrev1.GetTheatreResponse{Theatre: ToProtoTheatre(t)}, nil
}

// BatchGetTheatres returns the theatres that exist among the ids.
func (s *Server) BatchGetTheatres(ctx context.Context, req *theatrev1.BatchGetTheatresRequest) (*theatrev1.BatchGetTheatresResponse, error) {
	ts, err := s.svc.TheatresByIDs(ctx, req.GetIds())
	if err != nil {
		return nil, err
	}
	out := &theatrev1.BatchGetTheatresResponse{Theatres: make([]*theatrev1.Theatre, len(ts))}
	for i, t := range ts {
		out.Theatres[i] = ToProtoTheatre(t)
	}
	return out, nil
}

// ListTheatres lists a city's theatres, or those near a point.
func (s *Server) ListTheatres(ctx context.Context, req *theatrev1.ListTheatresRequest) (*theatrev1.ListTheatresResponse, error) {
	switch {
	case req.GetNear() != nil && req.GetCityId() != "":
		return nil, errs.Invalidf("filter", "give either cityId or near, not both")
	case req.GetNear() != nil:
		p := req.GetNear().GetPoint()
		if p == nil {
			return nil, errs.Invalidf("near", "near needs lat and lng")
		}
		found, err := s.svc.TheatresNear(ctx, theatre.GeoPoint{Lat: p.GetLat(), Lng: p.GetLng()}, req.GetNear().GetRadiusKm())
		if err != nil {
			return nil, err
		}
		out := &theatrev1.ListTheatresResponse{Theatres: make([]*theatrev1.Theatre, len(found)), DistancesKm: make([]float64, len(found))}
		for i, f := range found {
			out.Theatres[i] = ToProtoTheatre(f.Theatre)
			out.DistancesKm[i] = f.DistanceKm
		}
		return out, nil
	case req.GetCityId() != "":
		ts, err := s.svc.TheatresInCity(ctx, req.GetCityId())
		if err != nil {
			return nil, err
		}
		out := &theatrev1.ListTheatresResponse{Theatres: make([]*theatrev1.Theatre, len(ts))}
		for i, t := range ts {
			out.Theatres[i] = ToProtoTheatre(t)
		}
		return out, nil
	}
	return nil, errs.Invalidf("filter", "give a cityId or near {lat, lng, radiusKm}")
}

// AddScreen adds a screen to a theatre.
func (s *Server) AddScreen(ctx context.Context, req *theatrev1.AddScreenRequest) (*theatrev1.AddScreenResponse, error) {
	if req.GetScreen() == nil {
		return nil, errs.Invalidf("screen", "screen is required")
	}
	sc := FromProtoScreen(req.GetScreen())
	sc.ID = ""
	created, err := s.svc.AddScreen(ctx, sc)
	if err != nil {
		return nil, err
	}
	return &theatrev1.AddScreenResponse{Screen: ToProtoScreen(created, true)}, nil
}

// GetScreen returns one screen.
func (s *Server) GetScreen(ctx context.Context, req *theatrev1.GetScreenRequest) (*theatrev1.GetScreenResponse, error) {
	sc, err := s.svc.Screen(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &theatrev1.GetScreenResponse{Screen: ToProtoScreen(sc, true)}, nil
}

// ListScreens returns the screens of theatres.
func (s *Server) ListScreens(ctx context.Context, req *theatrev1.ListScreensRequest) (*theatrev1.ListScreensResponse, error) {
	scs, err := s.svc.ScreensOf(ctx, req.GetTheatreIds())
	if err != nil {
		return nil, err
	}
	out := &theatrev1.ListScreensResponse{Screens: make([]*theatrev1.Screen, len(scs))}
	for i, sc := range scs {
		out.Screens[i] = ToProtoScreen(sc, !req.GetWithoutLayouts())
	}
	return out, nil
}

// ToProtoCity converts a city to its message.
func ToProtoCity(c theatre.City) *theatrev1.City {
	return &theatrev1.City{Id: c.ID, Name: c.Name, State: c.State, Country: c.Country, TimeZone: c.TimeZone,
		Location: toProtoPoint(c.Location)}
}

func fromProtoCity(p *theatrev1.City) theatre.City {
	return theatre.City{ID: p.GetId(), Name: p.GetName(), State: p.GetState(), Country: p.GetCountry(),
		TimeZone: p.GetTimeZone(), Location: fromProtoPoint(p.GetLocation())}
}

// ToProtoTheatre converts a theatre to its message.
func ToProtoTheatre(t theatre.Theatre) *theatrev1.Theatre {
	return &theatrev1.Theatre{Id: t.ID, Name: t.Name, Chain: t.Chain, CityId: t.CityID, Address: t.Address,
		Location: toProtoPoint(t.Location), Amenities: t.Amenities, Currency: t.Currency, TimeZone: t.TimeZone,
		ChangeoverMinutes: int32(t.ChangeoverMinutes), CreateTime: timestamppb.New(t.CreatedAt), AllowOrphanSeats: t.AllowOrphanSeats,
		CancellationCutoffMinutes: int32(t.CancellationCutoffMinutes), RefundFeesOnCancel: t.RefundFeesOnCancel}
}

func fromProtoTheatre(p *theatrev1.Theatre) theatre.Theatre {
	return theatre.Theatre{ID: p.GetId(), Name: p.GetName(), Chain: p.GetChain(), CityID: p.GetCityId(),
		Address: p.GetAddress(), Location: fromProtoPoint(p.GetLocation()), Amenities: p.GetAmenities(),
		Currency: p.GetCurrency(), TimeZone: p.GetTimeZone(), ChangeoverMinutes: int(p.GetChangeoverMinutes()),
		AllowOrphanSeats: p.GetAllowOrphanSeats(), CancellationCutoffMinutes: int(p.GetCancellationCutoffMinutes()),
		RefundFeesOnCancel: p.GetRefundFeesOnCancel()}
}

// ToProtoScreen converts a screen to its message, with or without its layout.
func ToProtoScreen(sc theatre.Screen, withLayout bool) *theatrev1.Screen {
	out := &theatrev1.Screen{Id: sc.ID, TheatreId: sc.TheatreID, Name: sc.Name, Formats: sc.Formats,
		SeatCount: int32(sc.SeatCount()), CreateTime: timestamppb.New(sc.CreatedAt)}
	if withLayout {
		out.Layout = ToProtoLayout(sc.Layout)
	}
	if sc.BestView != nil {
		out.BestView = &theatrev1.BestView{RowFraction: sc.BestView.RowFraction, ColumnFraction: sc.BestView.ColumnFraction}
	}
	return out
}

// FromProtoScreen converts a screen message to the domain.
func FromProtoScreen(p *theatrev1.Screen) theatre.Screen {
	sc := theatre.Screen{ID: p.GetId(), TheatreID: p.GetTheatreId(), Name: p.GetName(), Formats: p.GetFormats(),
		Layout: FromProtoLayout(p.GetLayout())}
	if b := p.GetBestView(); b != nil {
		sc.BestView = &theatre.BestView{RowFraction: b.GetRowFraction(), ColumnFraction: b.GetColumnFraction()}
	}
	return sc
}

// ToProtoLayout converts a layout to its message.
func ToProtoLayout(l theatre.Layout) *theatrev1.Layout {
	out := &theatrev1.Layout{Categories: make([]*theatrev1.SeatCategory, len(l.Categories)), Rows: make([]*theatrev1.Row, len(l.Rows))}
	for i, c := range l.Categories {
		out.Categories[i] = &theatrev1.SeatCategory{Code: c.Code, Name: c.Name}
	}
	for i, r := range l.Rows {
		row := &theatrev1.Row{Label: r.Label, Cells: make([]*theatrev1.Cell, len(r.Cells))}
		for j, c := range r.Cells {
			row.Cells[j] = &theatrev1.Cell{Gap: c.Gap, Number: int32(c.Number), Category: c.Category,
				Accessible: c.Accessible, Companion: c.Companion, Blocked: c.Blocked}
		}
		out.Rows[i] = row
	}
	return out
}

// FromProtoLayout converts a layout message to the domain.
func FromProtoLayout(p *theatrev1.Layout) theatre.Layout {
	var l theatre.Layout
	for _, c := range p.GetCategories() {
		l.Categories = append(l.Categories, theatre.SeatCategory{Code: c.GetCode(), Name: c.GetName()})
	}
	for _, r := range p.GetRows() {
		row := theatre.Row{Label: r.GetLabel(), Cells: make([]theatre.Cell, len(r.GetCells()))}
		for j, c := range r.GetCells() {
			row.Cells[j] = theatre.Cell{Gap: c.GetGap(), Number: int(c.GetNumber()), Category: c.GetCategory(),
				Accessible: c.GetAccessible(), Companion: c.GetCompanion(), Blocked: c.GetBlocked()}
		}
		l.Rows = append(l.Rows, row)
	}
	return l
}

func toProtoPoint(p theatre.GeoPoint) *commonv1.GeoPoint {
	return &commonv1.GeoPoint{Lat: p.Lat, Lng: p.Lng}
}

func fromProtoPoint(p *commonv1.GeoPoint) theatre.GeoPoint {
	return theatre.GeoPoint{Lat: p.GetLat(), Lng: p.GetLng()}
}

// UpdateScreen replaces a screen's name, formats and layout.
func (s *Server) UpdateScreen(ctx context.Context, req *theatrev1.UpdateScreenRequest) (*theatrev1.UpdateScreenResponse, error) {
	if req.GetScreen() == nil {
		return nil, errs.Invalidf("screen", "screen is required")
	}
	next := FromProtoScreen(req.GetScreen())
	updated, err := s.svc.UpdateScreen(ctx, next.ID, func(sc *theatre.Screen) error {
		sc.Name, sc.Formats, sc.Layout, sc.BestView = next.Name, next.Formats, next.Layout, next.BestView
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &theatrev1.UpdateScreenResponse{Screen: ToProtoScreen(updated, true)}, nil
}
