// Package showgrpc serves the show service over gRPC (marquee.show.v1), converts between its
// messages and the domain, and adapts the movie and theatre gRPC clients to the show service's
// Catalogue port.
package showgrpc

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	showv1 "github.com/marquee-cinema/marquee/api/proto/marquee/show/v1"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/show"
)

// Server implements showv1.ShowServiceServer over a show.Service.
type Server struct {
	showv1.UnimplementedShowServiceServer
	svc *show.Service
}

// NewServer returns the gRPC server of svc.
func NewServer(svc *show.Service) *Server { return &Server{svc: svc} }

// ScheduleShows schedules a batch.
func (s *Server) ScheduleShows(ctx context.Context, req *showv1.ScheduleShowsRequest) (*showv1.ScheduleShowsResponse, error) {
	r := show.ScheduleRequest{MovieID: req.GetMovieId(), ScreenID: req.GetScreenId(), FromDate: req.GetFromDate(),
		ToDate: req.GetToDate(), StartTimes: req.GetStartTimes(), Language: req.GetLanguage(), Format: req.GetFormat(),
		Prices: fromProtoPrices(req.GetPrices()), DryRun: req.GetDryRun(), IdempotencyKey: req.GetIdempotencyKey()}
	for _, d := range req.GetDaysOfWeek() {
		r.DaysOfWeek = append(r.DaysOfWeek, int(d))
	}
	res, err := s.svc.Schedule(ctx, r)
	if err != nil {
		return nil, err
	}
	priced, err := s.svc.Price(ctx, res.Created)
	if err != nil {
		return nil, err
	}
	out := &showv1.ScheduleShowsResponse{DryRun: res.DryRun, Created: toProtoShows(priced)}
	for _, c := range res.Conflicts {
		pc := &showv1.Conflict{Date: c.Date, StartTime: c.StartTime, Reason: string(c.Reason), Message: c.Message}
		if c.ClashesWith != nil {
			pc.ClashesWith = ToProtoShow(show.Priced{Show: *c.ClashesWith})
		}
		out.Conflicts = append(out.Conflicts, pc)
	}
	return out, nil
}

// CancelShow cancels a show.
func (s *Server) CancelShow(ctx context.Context, req *showv1.CancelShowRequest) (*showv1.CancelShowResponse, error) {
	sh, err := s.svc.Cancel(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &showv1.CancelShowResponse{Show: ToProtoShow(show.Priced{Show: sh})}, nil
}

// GetShow returns one priced show.
func (s *Server) GetShow(ctx context.Context, req *showv1.GetShowRequest) (*showv1.GetShowResponse, error) {
	sh, err := s.svc.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	priced, err := s.svc.Price(ctx, []show.Show{sh})
	if err != nil {
		return nil, err
	}
	return &showv1.GetShowResponse{Show: ToProtoShow(priced[0])}, nil
}

// BatchGetShows returns priced shows.
func (s *Server) BatchGetShows(ctx context.Context, req *showv1.BatchGetShowsRequest) (*showv1.BatchGetShowsResponse, error) {
	shows, err := s.svc.GetMany(ctx, req.GetIds())
	if err != nil {
		return nil, err
	}
	priced, err := s.svc.Price(ctx, shows)
	if err != nil {
		return nil, err
	}
	return &showv1.BatchGetShowsResponse{Shows: toProtoShows(priced)}, nil
}

// ListShowtimes finds the shows of a movie.
func (s *Server) ListShowtimes(ctx context.Context, req *showv1.ListShowtimesRequest) (*showv1.ListShowtimesResponse, error) {
	q := show.ShowtimesQuery{MovieID: req.GetMovieId(), CityID: req.GetCityId(), Date: req.GetDate(),
		Language: req.GetLanguage(), Format: req.GetFormat()}
	if req.GetRestrictToTheatres() {
		q.TheatreIDs = append([]string{}, req.GetTheatreIds()...)
	}
	shows, err := s.svc.Showtimes(ctx, q)
	if err != nil {
		return nil, err
	}
	priced, err := s.svc.Price(ctx, shows)
	if err != nil {
		return nil, err
	}
	return &showv1.ListShowtimesResponse{Shows: toProtoShows(priced)}, nil
}

// ListShowDates returns the dates with bookable shows.
func (s *Server) ListShowDates(ctx context.Context, req *showv1.ListShowDatesRequest) (*showv1.ListShowDatesResponse, error) {
	dates, err := s.svc.ShowDates(ctx, req.GetMovieId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	return &showv1.ListShowDatesResponse{Dates: dates}, nil
}

// ListMoviesWithShows returns the movies with bookable shows in a city.
func (s *Server) ListMoviesWithShows(ctx context.Context, req *showv1.ListMoviesWithShowsRequest) (*showv1.ListMoviesWithShowsResponse, error) {
	movieIDs, err := s.svc.MoviesInCity(ctx, req.GetCityId())
	if err != nil {
		return nil, err
	}
	return &showv1.ListMoviesWithShowsResponse{MovieIds: movieIDs}, nil
}

// GetPricingRules returns a theatre's rules.
func (s *Server) GetPricingRules(ctx context.Context, req *showv1.GetPricingRulesRequest) (*showv1.GetPricingRulesResponse, error) {
	r, err := s.svc.RulesOf(ctx, req.GetTheatreId())
	if err != nil {
		return nil, err
	}
	return &showv1.GetPricingRulesResponse{Rules: toProtoRules(r)}, nil
}

// SetPricingRules replaces a theatre's rules.
func (s *Server) SetPricingRules(ctx context.Context, req *showv1.SetPricingRulesRequest) (*showv1.SetPricingRulesResponse, error) {
	rules, err := fromProtoRules(req.GetRules())
	if err != nil {
		return nil, err
	}
	r, err := s.svc.SetRules(ctx, req.GetTheatreId(), rules)
	if err != nil {
		return nil, err
	}
	return &showv1.SetPricingRulesResponse{Rules: toProtoRules(r)}, nil
}

func toProtoShows(ps []show.Priced) []*showv1.Show {
	out := make([]*showv1.Show, len(ps))
	for i, p := range ps {
		out[i] = ToProtoShow(p)
	}
	return out
}

// ToProtoShow converts a priced show to its message.
func ToProtoShow(p show.Priced) *showv1.Show {
	s := p.Show
	out := &showv1.Show{Id: s.ID, MovieId: s.MovieID, TheatreId: s.TheatreID, ScreenId: s.ScreenID, CityId: s.CityID,
		StartTime: timestamppb.New(s.StartsAt), EndTime: timestamppb.New(s.EndsAt), LocalDate: s.LocalDate, LocalTime: s.LocalTime,
		TimeZone: s.TimeZone, Language: s.Language, Format: s.Format, Currency: s.Currency,
		BasePrices: toProtoPrices(s.BasePrices), Prices: toProtoPrices(p.Prices), SellableSeats: int32(s.SellableSeats),
		AvailableSeats: int32(p.AvailableSeats), CreateTime: timestamppb.New(s.CreatedAt), RuntimeMinutes: int32(s.RuntimeMinutes)}
	switch s.Status {
	case show.StatusScheduled:
		out.Status = showv1.ShowStatus_SHOW_STATUS_SCHEDULED
	case show.StatusCancelled:
		out.Status = showv1.ShowStatus_SHOW_STATUS_CANCELLED
		out.CancelTime = timestamppb.New(s.CancelledAt)
	}
	return out
}

func toProtoPrices(ps []show.CategoryPrice) []*showv1.CategoryPrice {
	out := make([]*showv1.CategoryPrice, len(ps))
	for i, p := range ps {
		out[i] = &showv1.CategoryPrice{Category: p.Category, Name: p.Name, Amount: p.Amount}
	}
	return out
}

func fromProtoPrices(ps []*showv1.CategoryPrice) []show.CategoryPrice {
	out := make([]show.CategoryPrice, len(ps))
	for i, p := range ps {
		out[i] = show.CategoryPrice{Category: p.GetCategory(), Name: p.GetName(), Amount: p.GetAmount()}
	}
	return out
}

// isoToWeekday converts ISO day numbers (1 = Monday … 7 = Sunday) to time.Weekday.
func isoToWeekday(d int32) (time.Weekday, bool) {
	if d < 1 || d > 7 {
		return 0, false
	}
	return time.Weekday(d % 7), true
}

func toProtoRules(r show.Rules) *showv1.PricingRules {
	out := &showv1.PricingRules{RoundTo: r.RoundTo}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if p, ok := r.DayOfWeek[d]; ok {
			iso := int32(d)
			if d == time.Sunday {
				iso = 7
			}
			out.DaysOfWeek = append(out.DaysOfWeek, &showv1.DayOfWeekRule{Day: iso, Percent: int32(p)})
		}
	}
	for _, b := range r.TimeBands {
		out.TimeBands = append(out.TimeBands, &showv1.TimeBand{Name: b.Name, FromMinute: int32(b.From), ToMinute: int32(b.To), Percent: int32(b.Percent)})
	}
	for _, t := range r.Occupancy {
		out.Occupancy = append(out.Occupancy, &showv1.OccupancyTier{AboveFraction: t.AboveFraction, Percent: int32(t.Percent)})
	}
	for _, l := range r.LeadTime {
		out.LeadTime = append(out.LeadTime, &showv1.LeadTimeRule{Within: durationpb.New(l.Within), Percent: int32(l.Percent)})
	}
	for cat, l := range r.Limits {
		out.Limits = append(out.Limits, &showv1.CategoryLimit{Category: cat, Floor: l.Floor, Ceiling: l.Ceiling})
	}
	sortLimits(out.Limits)
	return out
}

func sortLimits(ls []*showv1.CategoryLimit) {
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && ls[j].GetCategory() < ls[j-1].GetCategory(); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}

func fromProtoRules(p *showv1.PricingRules) (show.Rules, error) {
	r := show.Rules{RoundTo: p.GetRoundTo()}
	for _, d := range p.GetDaysOfWeek() {
		wd, ok := isoToWeekday(d.GetDay())
		if !ok {
			return show.Rules{}, errs.Invalidf("daysOfWeek", "day %d is not 1 (Monday) to 7 (Sunday)", d.GetDay())
		}
		if r.DayOfWeek == nil {
			r.DayOfWeek = map[time.Weekday]int{}
		}
		r.DayOfWeek[wd] = int(d.GetPercent())
	}
	for _, b := range p.GetTimeBands() {
		r.TimeBands = append(r.TimeBands, show.TimeBand{Name: b.GetName(), From: int(b.GetFromMinute()), To: int(b.GetToMinute()), Percent: int(b.GetPercent())})
	}
	for _, t := range p.GetOccupancy() {
		r.Occupancy = append(r.Occupancy, show.OccupancyTier{AboveFraction: t.GetAboveFraction(), Percent: int(t.GetPercent())})
	}
	for _, l := range p.GetLeadTime() {
		r.LeadTime = append(r.LeadTime, show.LeadTimeRule{Within: l.GetWithin().AsDuration(), Percent: int(l.GetPercent())})
	}
	for _, l := range p.GetLimits() {
		if r.Limits == nil {
			r.Limits = map[string]show.Limit{}
		}
		r.Limits[l.GetCategory()] = show.Limit{Floor: l.GetFloor(), Ceiling: l.GetCeiling()}
	}
	return r, nil
}
