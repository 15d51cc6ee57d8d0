package graph

import (
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	showv1 "github.com/marquee-cinema/marquee/api/proto/marquee/show/v1"
	"github.com/marquee-cinema/marquee/internal/platform/errs"

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
		ChangeoverMinutes: int(t.GetChangeoverMinutes()), CancellationCutoffMinutes: int(t.GetCancellationCutoffMinutes()),
		RefundFeesOnCancel: t.GetRefundFeesOnCancel()}
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

var showStatusToGraph = map[showv1.ShowStatus]model.ShowStatus{
	showv1.ShowStatus_SHOW_STATUS_SCHEDULED: model.ShowStatusScheduled,
	showv1.ShowStatus_SHOW_STATUS_CANCELLED: model.ShowStatusCancelled,
}

func toGraphShow(s *showv1.Show) *model.Show {
	start := s.GetStartTime().AsTime()
	return &model.Show{ID: s.GetId(), MovieID: s.GetMovieId(), TheatreID: s.GetTheatreId(), ScreenID: s.GetScreenId(),
		StartsAt: start, EndsAt: start.Add(time.Duration(s.GetRuntimeMinutes()) * time.Minute), BusyUntil: s.GetEndTime().AsTime(),
		LocalDate: model.Date(s.GetLocalDate()), LocalTime: s.GetLocalTime(), Language: s.GetLanguage(), Format: s.GetFormat(),
		Currency: s.GetCurrency(), Prices: toGraphPrices(s.GetPrices(), s.GetCurrency()),
		BasePrices:     toGraphPrices(s.GetBasePrices(), s.GetCurrency()),
		AvailableSeats: int(s.GetAvailableSeats()), Status: showStatusToGraph[s.GetStatus()]}
}

// toGraphShows converts a list of shows. Listings carry hundreds of shows, so the shows, their
// prices and the prices' amounts are each allocated in one block rather than one by one.
func toGraphShows(ss []*showv1.Show) []*model.Show {
	nPrices := 0
	for _, s := range ss {
		nPrices += len(s.GetPrices()) + len(s.GetBasePrices())
	}
	shows := make([]model.Show, len(ss))
	slab := priceSlab{prices: make([]model.CategoryPrice, nPrices), money: make([]model.Money, nPrices),
		ptrs: make([]*model.CategoryPrice, nPrices)}
	out := make([]*model.Show, len(ss))
	for i, s := range ss {
		start := s.GetStartTime().AsTime()
		shows[i] = model.Show{ID: s.GetId(), MovieID: s.GetMovieId(), TheatreID: s.GetTheatreId(), ScreenID: s.GetScreenId(),
			StartsAt: start, EndsAt: start.Add(time.Duration(s.GetRuntimeMinutes()) * time.Minute), BusyUntil: s.GetEndTime().AsTime(),
			LocalDate: model.Date(s.GetLocalDate()), LocalTime: s.GetLocalTime(), Language: s.GetLanguage(), Format: s.GetFormat(),
			Currency: s.GetCurrency(), Prices: slab.take(s.GetPrices(), s.GetCurrency()),
			BasePrices:     slab.take(s.GetBasePrices(), s.GetCurrency()),
			AvailableSeats: int(s.GetAvailableSeats()), Status: showStatusToGraph[s.GetStatus()]}
		out[i] = &shows[i]
	}
	return out
}

// priceSlab hands out converted prices from preallocated blocks.
type priceSlab struct {
	prices []model.CategoryPrice
	money  []model.Money
	ptrs   []*model.CategoryPrice
}

// take converts ps as toGraphPrices does, using the next len(ps) entries of the blocks.
func (b *priceSlab) take(ps []*showv1.CategoryPrice, currency string) []*model.CategoryPrice {
	n := len(ps)
	out := b.ptrs[:n:n]
	for i, p := range ps {
		name := p.GetName()
		if name == "" {
			name = p.GetCategory()
		}
		b.money[i] = model.Money{Amount: int(p.GetAmount()), Currency: currency}
		b.prices[i] = model.CategoryPrice{Category: p.GetCategory(), Name: name, Price: &b.money[i]}
		out[i] = &b.prices[i]
	}
	b.prices, b.money, b.ptrs = b.prices[n:], b.money[n:], b.ptrs[n:]
	return out
}

// toGraphPrices converts a show's prices; a category without a display name shows its code.
func toGraphPrices(ps []*showv1.CategoryPrice, currency string) []*model.CategoryPrice {
	out := make([]*model.CategoryPrice, len(ps))
	for i, p := range ps {
		name := p.GetName()
		if name == "" {
			name = p.GetCategory()
		}
		out[i] = &model.CategoryPrice{Category: p.GetCategory(), Name: name, Price: &model.Money{Amount: int(p.GetAmount()), Currency: currency}}
	}
	return out
}

func hhmm(minute int32) string {
	return fmt.Sprintf("%02d:%02d", minute/60, minute%60)
}

func parseHHMM(field, s string) (int32, error) {
	if len(s) == 5 && s == "24:00" {
		return 24 * 60, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, errs.Invalidf(field, "%q is not a time in HH:MM form", s)
	}
	return int32(t.Hour()*60 + t.Minute()), nil
}

func toGraphRules(r *showv1.PricingRules) *model.PricingRules {
	out := &model.PricingRules{RoundTo: int(r.GetRoundTo()), DaysOfWeek: []*model.DayOfWeekRule{}, TimeBands: []*model.TimeBandRule{},
		Occupancy: []*model.OccupancyTierRule{}, LeadTime: []*model.LeadTimeRule{}, Limits: []*model.CategoryLimit{}}
	for _, d := range r.GetDaysOfWeek() {
		out.DaysOfWeek = append(out.DaysOfWeek, &model.DayOfWeekRule{Day: int(d.GetDay()), Percent: int(d.GetPercent())})
	}
	for _, b := range r.GetTimeBands() {
		out.TimeBands = append(out.TimeBands, &model.TimeBandRule{Name: b.GetName(), From: hhmm(b.GetFromMinute()), To: hhmm(b.GetToMinute()), Percent: int(b.GetPercent())})
	}
	for _, t := range r.GetOccupancy() {
		out.Occupancy = append(out.Occupancy, &model.OccupancyTierRule{AboveFraction: t.GetAboveFraction(), Percent: int(t.GetPercent())})
	}
	for _, l := range r.GetLeadTime() {
		out.LeadTime = append(out.LeadTime, &model.LeadTimeRule{WithinMinutes: int(l.GetWithin().AsDuration() / time.Minute), Percent: int(l.GetPercent())})
	}
	for _, l := range r.GetLimits() {
		c := &model.CategoryLimit{Category: l.GetCategory()}
		if l.GetFloor() > 0 {
			f := int(l.GetFloor())
			c.Floor = &f
		}
		if l.GetCeiling() > 0 {
			v := int(l.GetCeiling())
			c.Ceiling = &v
		}
		out.Limits = append(out.Limits, c)
	}
	return out
}

func fromGraphRules(in model.PricingRulesInput) (*showv1.PricingRules, error) {
	out := &showv1.PricingRules{RoundTo: 500}
	if in.RoundTo != nil {
		out.RoundTo = int64(*in.RoundTo)
	}
	for _, d := range in.DaysOfWeek {
		out.DaysOfWeek = append(out.DaysOfWeek, &showv1.DayOfWeekRule{Day: int32(d.Day), Percent: int32(d.Percent)})
	}
	for _, b := range in.TimeBands {
		from, err := parseHHMM("timeBands.from", b.From)
		if err != nil {
			return nil, err
		}
		to, err := parseHHMM("timeBands.to", b.To)
		if err != nil {
			return nil, err
		}
		out.TimeBands = append(out.TimeBands, &showv1.TimeBand{Name: deref(b.Name), FromMinute: from, ToMinute: to, Percent: int32(b.Percent)})
	}
	for _, t := range in.Occupancy {
		out.Occupancy = append(out.Occupancy, &showv1.OccupancyTier{AboveFraction: t.AboveFraction, Percent: int32(t.Percent)})
	}
	for _, l := range in.LeadTime {
		out.LeadTime = append(out.LeadTime, &showv1.LeadTimeRule{Within: durationpb.New(time.Duration(l.WithinMinutes) * time.Minute), Percent: int32(l.Percent)})
	}
	for _, l := range in.Limits {
		c := &showv1.CategoryLimit{Category: l.Category}
		if l.Floor != nil {
			c.Floor = int64(*l.Floor)
		}
		if l.Ceiling != nil {
			c.Ceiling = int64(*l.Ceiling)
		}
		out.Limits = append(out.Limits, c)
	}
	return out, nil
}
