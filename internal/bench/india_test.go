package bench_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/theatre"
	"github.com/marquee-cinema/marquee/internal/theatre/theatresqlite"
)

// centre is a city centre that theatres cluster around. weight is its share of the theatres and
// spreadKm the standard deviation of their distance from the centre along each axis.
type centre struct {
	name, state string
	lat, lng    float64
	weight      int
}

func (c centre) spreadKm() float64 { return 3 + 0.8*float64(c.weight) }

// centres are 42 Indian cities, weighted roughly by size; Thane, Ghaziabad and Faridabad
// overlap their metros' clusters as they do on the map.
var centres = []centre{
	{"Mumbai", "Maharashtra", 19.0760, 72.8777, 10},
	{"Delhi", "Delhi", 28.6139, 77.2090, 10},
	{"Bengaluru", "Karnataka", 12.9716, 77.5946, 9},
	{"Hyderabad", "Telangana", 17.3850, 78.4867, 8},
	{"Chennai", "Tamil Nadu", 13.0827, 80.2707, 8},
	{"Kolkata", "West Bengal", 22.5726, 88.3639, 8},
	{"Pune", "Maharashtra", 18.5204, 73.8567, 7},
	{"Ahmedabad", "Gujarat", 23.0225, 72.5714, 6},
	{"Jaipur", "Rajasthan", 26.9124, 75.7873, 5},
	{"Surat", "Gujarat", 21.1702, 72.8311, 4},
	{"Lucknow", "Uttar Pradesh", 26.8467, 80.9462, 4},
	{"Kanpur", "Uttar Pradesh", 26.4499, 80.3319, 3},
	{"Nagpur", "Maharashtra", 21.1458, 79.0882, 3},
	{"Indore", "Madhya Pradesh", 22.7196, 75.8577, 3},
	{"Thane", "Maharashtra", 19.2183, 72.9781, 3},
	{"Bhopal", "Madhya Pradesh", 23.2599, 77.4126, 3},
	{"Visakhapatnam", "Andhra Pradesh", 17.6868, 83.2185, 3},
	{"Patna", "Bihar", 25.5941, 85.1376, 3},
	{"Coimbatore", "Tamil Nadu", 11.0168, 76.9558, 3},
	{"Kochi", "Kerala", 9.9312, 76.2673, 3},
	{"Vadodara", "Gujarat", 22.3072, 73.1812, 2},
	{"Ghaziabad", "Uttar Pradesh", 28.6692, 77.4538, 2},
	{"Ludhiana", "Punjab", 30.9010, 75.8573, 2},
	{"Agra", "Uttar Pradesh", 27.1767, 78.0081, 2},
	{"Nashik", "Maharashtra", 19.9975, 73.7898, 2},
	{"Faridabad", "Haryana", 28.4089, 77.3178, 2},
	{"Meerut", "Uttar Pradesh", 28.9845, 77.7064, 2},
	{"Rajkot", "Gujarat", 22.3039, 70.8022, 2},
	{"Varanasi", "Uttar Pradesh", 25.3176, 82.9739, 2},
	{"Amritsar", "Punjab", 31.6340, 74.8723, 2},
	{"Thiruvananthapuram", "Kerala", 8.5241, 76.9366, 2},
	{"Madurai", "Tamil Nadu", 9.9252, 78.1198, 2},
	{"Mysuru", "Karnataka", 12.2958, 76.6394, 2},
	{"Chandigarh", "Chandigarh", 30.7333, 76.7794, 2},
	{"Guwahati", "Assam", 26.1445, 91.7362, 2},
	{"Bhubaneswar", "Odisha", 20.2961, 85.8245, 2},
	{"Raipur", "Chhattisgarh", 21.2514, 81.6296, 2},
	{"Ranchi", "Jharkhand", 23.3441, 85.3096, 2},
	{"Vijayawada", "Andhra Pradesh", 16.5062, 80.6480, 2},
	{"Srinagar", "Jammu and Kashmir", 34.0837, 74.7973, 1},
	{"Dehradun", "Uttarakhand", 30.3165, 78.0322, 1},
	{"Panaji", "Goa", 15.4909, 73.8278, 1},
}

// pick chooses a centre with probability proportional to its weight.
func pick(rng *rand.Rand) centre {
	total := 0
	for _, c := range centres {
		total += c.weight
	}
	n := rng.IntN(total)
	for _, c := range centres {
		if n < c.weight {
			return c
		}
		n -= c.weight
	}
	return centres[len(centres)-1]
}

// jitter moves (lat, lng) by a normally distributed offset of sigmaKm along each axis.
func jitter(rng *rand.Rand, lat, lng, sigmaKm float64) theatre.GeoPoint {
	const kmPerDegree = 111.195
	dy, dx := rng.NormFloat64()*sigmaKm, rng.NormFloat64()*sigmaKm
	return theatre.GeoPoint{Lat: lat + dy/kmPerDegree, Lng: lng + dx/(kmPerDegree*math.Cos(lat*math.Pi/180))}
}

var (
	chains    = []string{"Marquee Cinemas", "Silver Screen", "Regal Talkies", "Lotus Multiplex", "Star Pictures"}
	amenities = []string{"Parking", "Food Court", "Wheelchair Access", "Dolby Atmos", "Recliners", "M-Ticket"}
)

// loadTheatres creates the centres as cities and n theatres clustered around them, through
// svc as an admin, deterministically (the same n gives the same theatres). It returns how long
// it took.
func loadTheatres(tb testing.TB, svc *theatre.Service, n int) time.Duration {
	tb.Helper()
	ctx := auth.WithIdentity(context.Background(), auth.Identity{UserID: "bench-loader", Roles: []string{auth.RoleAdmin}})
	began := time.Now()
	cityIDs := map[string]string{}
	for _, c := range centres {
		city, err := svc.CreateCity(ctx, theatre.City{Name: c.name, State: c.state, Country: "IN",
			TimeZone: "Asia/Kolkata", Location: theatre.GeoPoint{Lat: c.lat, Lng: c.lng}})
		if err != nil {
			tb.Fatalf("create city %s: %v", c.name, err)
		}
		cityIDs[c.name] = city.ID
	}
	rng := rand.New(rand.NewPCG(10_000, 42))
	for i := range n {
		c := pick(rng)
		chain := chains[rng.IntN(len(chains))]
		t := theatre.Theatre{
			Name:              fmt.Sprintf("%s %s %d", chain, c.name, i+1),
			Chain:             chain,
			CityID:            cityIDs[c.name],
			Address:           fmt.Sprintf("Plot %d, Sector %d, %s, %s", 1+rng.IntN(400), 1+rng.IntN(60), c.name, c.state),
			Location:          jitter(rng, c.lat, c.lng, c.spreadKm()),
			Amenities:         amenities[:1+rng.IntN(len(amenities))],
			Currency:          "INR",
			ChangeoverMinutes: 15,
		}
		if _, err := svc.CreateTheatre(ctx, t); err != nil {
			tb.Fatalf("create theatre %d: %v", i, err)
		}
	}
	return time.Since(began)
}

// searchPoints returns n deterministic search points near city centres, drawn like the
// theatres (bigger cities more often) but closer in: where people search from.
func searchPoints(n int) []theatre.GeoPoint {
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([]theatre.GeoPoint, n)
	for i := range out {
		c := pick(rng)
		out[i] = jitter(rng, c.lat, c.lng, c.spreadKm()/2)
	}
	return out
}

// openTheatreService opens (creating) the SQLite store in dataDir as the app does and returns
// a theatre service over it; the database closes when the benchmark ends unless closed first.
func openTheatreService(tb testing.TB, dataDir string) (*theatre.Service, func()) {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(dataDir, sqlitedb.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	closed := false
	closeDB := func() {
		if !closed {
			closed = true
			if err := db.Close(); err != nil {
				tb.Errorf("close database: %v", err)
			}
		}
	}
	tb.Cleanup(closeDB)
	s, err := theatresqlite.New(ctx, db)
	if err != nil {
		tb.Fatal(err)
	}
	return theatre.NewService(s.Cities, s.Theatres, s.Screens, clock.Real{}), closeDB
}
