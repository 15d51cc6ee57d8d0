package demo

import (
	"slices"

	"github.com/marquee-cinema/marquee/internal/theatre"
)

// TimeZone is the time zone of every demo city and theatre.
const TimeZone = "Asia/Kolkata"

// Currency is the currency of every demo theatre.
const Currency = "INR"

type citySeed struct {
	name, state string
	lat, lng    float64 // the city centre
}

// cities are the demo cities; the first is the default city.
var cities = []citySeed{
	{"Mumbai", "Maharashtra", 19.0760, 72.8777},
	{"Bengaluru", "Karnataka", 12.9716, 77.5946},
	{"Delhi", "Delhi", 28.6139, 77.2090},
	{"Hyderabad", "Telangana", 17.3850, 78.4867},
	{"Chennai", "Tamil Nadu", 13.0827, 80.2707},
	{"Pune", "Maharashtra", 18.5204, 73.8567},
}

// Cities returns the demo cities, Mumbai first.
func Cities() []theatre.City {
	out := make([]theatre.City, 0, len(cities))
	for _, c := range cities {
		out = append(out, theatre.City{
			ID:       CityID(c.name),
			Name:     c.name,
			State:    c.state,
			Country:  "IN",
			TimeZone: TimeZone,
			Location: theatre.GeoPoint{Lat: c.lat, Lng: c.lng},
		})
	}
	return out
}

// Chains of the demo theatres.
const (
	ChainMarquee = "Marquee Cinemas"
	ChainSilver  = "Silver Screen"
	ChainRegal   = "Regal Talkies"
)

type screenSeed struct {
	name    string
	formats []string
	hall    hallSpec
}

type theatreSeed struct {
	city, name, chain, address string
	lat, lng                   float64
	amenities                  []string
	changeover                 int
	screens                    []screenSeed
}

// Screen formats.
var (
	formats2D3D = []string{"2D", "3D"}
	formats2D   = []string{"2D"}
	formatsIMAX = []string{"IMAX 2D", "IMAX 3D", "2D"}
	formats4DX  = []string{"4DX", "4DX 3D"}
)

// Amenity sets.
var (
	amenitiesFlagship = []string{"Parking", "Food Court", "Wheelchair Access", "Dolby Atmos", "Recliners", "M-Ticket"}
	amenitiesMall     = []string{"Parking", "Food Court", "Wheelchair Access", "Recliners", "M-Ticket"}
	amenitiesTalkies  = []string{"Wheelchair Access", "Snack Counter", "Recliners", "M-Ticket"}
)

var theatres = []theatreSeed{
	// Mumbai
	{city: "Mumbai", name: "Marquee Cinemas Andheri", chain: ChainMarquee,
		address: "3rd Floor, Westwind Mall, Veera Desai Road, Andheri West, Mumbai, Maharashtra 400053",
		lat:     19.1364, lng: 72.8296, amenities: amenitiesFlagship, changeover: 20,
		screens: []screenSeed{
			{"IMAX", formatsIMAX, imaxHall},
			{"Audi 2", formats2D3D, largeHall.block("A1", "A28")},
			{"Audi 3", formats2D3D, mediumHall},
			{"Audi 4", formats2D, smallHall},
		}},
	{city: "Mumbai", name: "Silver Screen Lower Parel", chain: ChainSilver,
		address: "Millstone Plaza, Senapati Bapat Marg, Lower Parel, Mumbai, Maharashtra 400013",
		lat:     18.9966, lng: 72.8258, amenities: amenitiesMall, changeover: 15,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, largeHall},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D, mediumHall.block("G12", "G13")},
			{"4DX", formats4DX, fourDXHall},
		}},
	{city: "Mumbai", name: "Regal Talkies Ghatkopar", chain: ChainRegal,
		address: "14 Rajawadi Station Road, Ghatkopar East, Mumbai, Maharashtra 400077",
		lat:     19.0790, lng: 72.9080, amenities: amenitiesTalkies, changeover: 15,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, mediumHall},
			{"Audi 2", formats2D, centreAisleHall},
		}},
	// Bengaluru
	{city: "Bengaluru", name: "Marquee Cinemas Koramangala", chain: ChainMarquee,
		address: "Forum Square, 80 Feet Road, Koramangala 6th Block, Bengaluru, Karnataka 560095",
		lat:     12.9345, lng: 77.6268, amenities: amenitiesFlagship, changeover: 20,
		screens: []screenSeed{
			{"IMAX", formatsIMAX, imaxHall},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D3D, smallHall},
			{"Audi 4", formats2D, smallHall.block("A1", "A18")},
			{"Audi 5", formats2D, centreAisleHall},
		}},
	{city: "Bengaluru", name: "Silver Screen Whitefield", chain: ChainSilver,
		address: "Tech Park Avenue Mall, ITPL Main Road, Whitefield, Bengaluru, Karnataka 560066",
		lat:     12.9860, lng: 77.7280, amenities: amenitiesMall, changeover: 15,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, largeHall},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D, smallHall},
		}},
	{city: "Bengaluru", name: "Regal Talkies Malleshwaram", chain: ChainRegal,
		address: "Sampige Road, 8th Cross, Malleshwaram, Bengaluru, Karnataka 560003",
		lat:     13.0031, lng: 77.5701, amenities: amenitiesTalkies, changeover: 15,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, mediumHall.block("A1", "A24")},
			{"Audi 2", formats2D, centreAisleHall},
		}},
	// Delhi
	{city: "Delhi", name: "Marquee Cinemas Connaught Place", chain: ChainMarquee,
		address: "F-12, Inner Circle, Connaught Place, New Delhi, Delhi 110001",
		lat:     28.6328, lng: 77.2197, amenities: amenitiesFlagship, changeover: 20,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, largeHall},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D, smallHall},
		}},
	{city: "Delhi", name: "Silver Screen Saket", chain: ChainSilver,
		address: "Citywalk Arcade, Press Enclave Road, Saket, New Delhi, Delhi 110017",
		lat:     28.5285, lng: 77.2190, amenities: amenitiesFlagship, changeover: 15,
		screens: []screenSeed{
			{"IMAX", formatsIMAX, imaxHall.block("H1", "H30")},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D3D, mediumHall},
			{"4DX", formats4DX, fourDXHall},
		}},
	{city: "Delhi", name: "Regal Talkies Rajouri Garden", chain: ChainRegal,
		address: "J Block Market, Najafgarh Road, Rajouri Garden, New Delhi, Delhi 110027",
		lat:     28.6469, lng: 77.1220, amenities: amenitiesTalkies, changeover: 15,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, largeHall},
			{"Audi 2", formats2D, smallHall},
		}},
	// Hyderabad
	{city: "Hyderabad", name: "Marquee Cinemas Banjara Hills", chain: ChainMarquee,
		address: "Road No. 1, Banjara Hills, Hyderabad, Telangana 500034",
		lat:     17.4165, lng: 78.4390, amenities: amenitiesFlagship, changeover: 20,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, largeHall},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D, smallHall},
		}},
	{city: "Hyderabad", name: "Silver Screen HITEC City", chain: ChainSilver,
		address: "Cyber Square Mall, Madhapur Main Road, HITEC City, Hyderabad, Telangana 500081",
		lat:     17.4483, lng: 78.3808, amenities: amenitiesFlagship, changeover: 15,
		screens: []screenSeed{
			{"IMAX", formatsIMAX, imaxHall},
			{"Audi 2", formats2D3D, largeHall},
			{"Audi 3", formats2D3D, mediumHall},
			{"Audi 4", formats2D, smallHall},
		}},
	{city: "Hyderabad", name: "Regal Talkies Ameerpet", chain: ChainRegal,
		address: "Mythrivanam Road, Ameerpet, Hyderabad, Telangana 500016",
		lat:     17.4374, lng: 78.4482, amenities: amenitiesTalkies, changeover: 15,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, mediumHall},
			{"Audi 2", formats2D, centreAisleHall.block("A1", "A20")},
		}},
	// Chennai
	{city: "Chennai", name: "Marquee Cinemas T. Nagar", chain: ChainMarquee,
		address: "North Usman Road, T. Nagar, Chennai, Tamil Nadu 600017",
		lat:     13.0405, lng: 80.2337, amenities: amenitiesFlagship, changeover: 20,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, largeHall},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D, centreAisleHall},
		}},
	{city: "Chennai", name: "Silver Screen Velachery", chain: ChainSilver,
		address: "Lakeview Mall, Velachery Main Road, Velachery, Chennai, Tamil Nadu 600042",
		lat:     12.9791, lng: 80.2180, amenities: amenitiesMall, changeover: 15,
		screens: []screenSeed{
			{"IMAX", formatsIMAX, imaxHall},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D, smallHall},
		}},
	{city: "Chennai", name: "Regal Talkies Anna Nagar", chain: ChainRegal,
		address: "2nd Avenue, Anna Nagar, Chennai, Tamil Nadu 600040",
		lat:     13.0860, lng: 80.2101, amenities: amenitiesTalkies, changeover: 15,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, mediumHall},
			{"Audi 2", formats2D, smallHall},
		}},
	// Pune
	{city: "Pune", name: "Marquee Cinemas Koregaon Park", chain: ChainMarquee,
		address: "North Main Road, Koregaon Park, Pune, Maharashtra 411001",
		lat:     18.5382, lng: 73.8935, amenities: amenitiesFlagship, changeover: 20,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, largeHall},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D, smallHall},
		}},
	{city: "Pune", name: "Silver Screen Hinjewadi", chain: ChainSilver,
		address: "Phase 1 Plaza, Rajiv Gandhi Infotech Park, Hinjewadi, Pune, Maharashtra 411057",
		lat:     18.5912, lng: 73.7389, amenities: amenitiesMall, changeover: 15,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, mediumHall},
			{"Audi 2", formats2D3D, mediumHall},
			{"Audi 3", formats2D, smallHall},
			{"Audi 4", formats2D, centreAisleHall},
		}},
	{city: "Pune", name: "Regal Talkies Kothrud", chain: ChainRegal,
		address: "Paud Road, Kothrud, Pune, Maharashtra 411038",
		lat:     18.5074, lng: 73.8077, amenities: amenitiesTalkies, changeover: 15,
		screens: []screenSeed{
			{"Audi 1", formats2D3D, mediumHall},
			{"Audi 2", formats2D, smallHall},
		}},
}

// Theatres returns the demo theatres, city by city in the order of Cities.
func Theatres() []theatre.Theatre {
	out := make([]theatre.Theatre, 0, len(theatres))
	for _, t := range theatres {
		out = append(out, theatre.Theatre{
			ID:                TheatreID(t.name),
			Name:              t.name,
			Chain:             t.chain,
			CityID:            CityID(t.city),
			Address:           t.address,
			Location:          theatre.GeoPoint{Lat: t.lat, Lng: t.lng},
			Amenities:         slices.Clone(t.amenities),
			Currency:          Currency,
			TimeZone:          TimeZone,
			ChangeoverMinutes: t.changeover,
		})
	}
	return out
}

// Screens returns the screens of every demo theatre, theatre by theatre in the order of
// Theatres.
func Screens() []theatre.Screen {
	var out []theatre.Screen
	for _, t := range theatres {
		for _, s := range t.screens {
			out = append(out, theatre.Screen{
				ID:        ScreenID(t.name, s.name),
				TheatreID: TheatreID(t.name),
				Name:      s.name,
				Formats:   slices.Clone(s.formats),
				Layout:    s.hall.layout(),
			})
		}
	}
	return out
}
