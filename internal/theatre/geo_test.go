package theatre_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/marquee-cinema/marquee/internal/theatre"
)

const earthRadiusKm = 6371.0088

func TestDistanceKm(t *testing.T) {
	t.Parallel()
	mumbai := theatre.GeoPoint{Lat: 19.0760, Lng: 72.8777}
	pune := theatre.GeoPoint{Lat: 18.5204, Lng: 73.8567}
	tests := []struct {
		name     string
		a, b     theatre.GeoPoint
		want     float64
		tolerate float64
	}{
		{"Mumbai to Pune", mumbai, pune, 120, 2},
		{"same point", mumbai, mumbai, 0, 0},
		{"north pole to itself at another longitude", theatre.GeoPoint{Lat: 90, Lng: 0}, theatre.GeoPoint{Lat: 90, Lng: 123}, 0, 1e-9},
		{"antipodes on the equator", theatre.GeoPoint{Lat: 0, Lng: 0}, theatre.GeoPoint{Lat: 0, Lng: 180}, 20015.1, 0.1},
		{"antipodes off the equator", theatre.GeoPoint{Lat: 45, Lng: 30}, theatre.GeoPoint{Lat: -45, Lng: -150}, 20015.1, 0.1},
		{"pole to pole", theatre.GeoPoint{Lat: 90, Lng: 0}, theatre.GeoPoint{Lat: -90, Lng: 0}, 20015.1, 0.1},
		{"Big Ben to the Statue of Liberty", theatre.GeoPoint{Lat: 51.5007, Lng: -0.1246}, theatre.GeoPoint{Lat: 40.6892, Lng: -74.0445}, 5574.8, 1},
		{"across the antimeridian", theatre.GeoPoint{Lat: 0, Lng: 179.5}, theatre.GeoPoint{Lat: 0, Lng: -179.5}, 111.2, 0.1},
		{"one degree of latitude", theatre.GeoPoint{Lat: 10, Lng: 20}, theatre.GeoPoint{Lat: 11, Lng: 20}, 111.195, 0.001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := theatre.DistanceKm(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tolerate {
				t.Errorf("DistanceKm(%v, %v) = %.3f, want %.3f ± %v", tt.a, tt.b, got, tt.want, tt.tolerate)
			}
			if back := theatre.DistanceKm(tt.b, tt.a); math.Abs(back-got) > 1e-9 {
				t.Errorf("distance is not symmetric: %v there, %v back", got, back)
			}
		})
	}
}

// destination is the point distanceKm from p along the initial bearing (radians from north).
func destination(p theatre.GeoPoint, bearing, distanceKm float64) theatre.GeoPoint {
	toRad, toDeg := math.Pi/180, 180/math.Pi
	lat1, lng1 := p.Lat*toRad, p.Lng*toRad
	delta := distanceKm / earthRadiusKm
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(delta) + math.Cos(lat1)*math.Sin(delta)*math.Cos(bearing))
	lng2 := lng1 + math.Atan2(math.Sin(bearing)*math.Sin(delta)*math.Cos(lat1), math.Cos(delta)-math.Sin(lat1)*math.Sin(lat2))
	lng := math.Mod(lng2*toDeg+540, 360) - 180 // into [-180, 180)
	return theatre.GeoPoint{Lat: math.Max(-90, math.Min(90, lat2*toDeg)), Lng: lng}
}

func inBox(p theatre.GeoPoint, b theatre.BoundingBox) bool {
	return p.Lat >= b.MinLat && p.Lat <= b.MaxLat && p.Lng >= b.MinLng && p.Lng <= b.MaxLng
}

// checkBoxes fails unless boxes are well-formed: one or two, inside the globe, none crossing the
// antimeridian, two only when they meet at it.
func checkBoxes(t *testing.T, p theatre.GeoPoint, r float64, boxes []theatre.BoundingBox) {
	t.Helper()
	if len(boxes) != 1 && len(boxes) != 2 {
		t.Fatalf("BoxesAround(%v, %v) = %d boxes", p, r, len(boxes))
	}
	for _, b := range boxes {
		if b.MinLat < -90 || b.MaxLat > 90 || b.MinLng < -180 || b.MaxLng > 180 || b.MinLat > b.MaxLat || b.MinLng > b.MaxLng {
			t.Fatalf("BoxesAround(%v, %v) has an ill-formed box %+v", p, r, b)
		}
	}
	if len(boxes) == 2 {
		a, b := boxes[0], boxes[1]
		if !(a.MinLng == -180 && b.MaxLng == 180 || a.MaxLng == 180 && b.MinLng == -180) {
			t.Fatalf("BoxesAround(%v, %v) split off the antimeridian: %+v", p, r, boxes)
		}
	}
}

func TestBoxesAroundContainsEveryPointWithinRadius(t *testing.T) {
	t.Parallel()
	type region struct {
		name             string
		lat, lng         func(*rand.Rand) float64
		maxRadiusKm      float64
		pointsPerCentres int
	}
	uniform := func(lo, hi float64) func(*rand.Rand) float64 {
		return func(r *rand.Rand) float64 { return lo + (hi-lo)*r.Float64() }
	}
	either := func(a, b func(*rand.Rand) float64) func(*rand.Rand) float64 {
		return func(r *rand.Rand) float64 {
			if r.IntN(2) == 0 {
				return a(r)
			}
			return b(r)
		}
	}
	regions := []region{
		{"anywhere", uniform(-90, 90), uniform(-180, 180), theatre.MaxRadiusKm, 20},
		{"anywhere, large radii", uniform(-90, 90), uniform(-180, 180), 3000, 20},
		{"near the antimeridian", uniform(-80, 80), either(uniform(-180, -178), uniform(178, 180)), theatre.MaxRadiusKm, 20},
		{"on the antimeridian", uniform(-80, 80), either(uniform(-180, -180), uniform(180, 180)), theatre.MaxRadiusKm, 20},
		{"near the poles", either(uniform(-90, -85), uniform(85, 90)), uniform(-180, 180), theatre.MaxRadiusKm, 20},
		{"near a pole and the antimeridian", either(uniform(-89, -80), uniform(80, 89)), either(uniform(-180, -179), uniform(179, 180)), 500, 20},
		{"tiny radii", uniform(-89, 89), uniform(-180, 180), 0.01, 20},
	}
	for i, reg := range regions {
		t.Run(reg.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(20261125, uint64(i)))
			for range 2000 {
				p := theatre.GeoPoint{Lat: reg.lat(rng), Lng: reg.lng(rng)}
				radius := reg.maxRadiusKm * (0.001 + 0.999*rng.Float64())
				boxes := theatre.BoxesAround(p, radius)
				checkBoxes(t, p, radius, boxes)
				for range reg.pointsPerCentres {
					// Uniform over the disc, with a share right at its edge where boxes are tightest.
					d := radius * math.Sqrt(rng.Float64())
					if rng.IntN(4) == 0 {
						d = radius
					}
					q := destination(p, 2*math.Pi*rng.Float64(), d)
					if theatre.DistanceKm(p, q) > radius {
						continue
					}
					contained := false
					for _, b := range boxes {
						contained = contained || inBox(q, b)
					}
					if !contained {
						t.Fatalf("BoxesAround(%+v, %v) = %+v misses %+v at %.6f km", p, radius, boxes, q, theatre.DistanceKm(p, q))
					}
				}
			}
		})
	}
}

func TestBoxesAround(t *testing.T) {
	t.Parallel()
	const kmPerDegree = earthRadiusKm * math.Pi / 180
	tests := []struct {
		name  string
		p     theatre.GeoPoint
		r     float64
		boxes []theatre.BoundingBox
	}{
		{"on the equator", theatre.GeoPoint{Lat: 0, Lng: 10}, kmPerDegree,
			[]theatre.BoundingBox{{MinLat: -1, MaxLat: 1, MinLng: 9, MaxLng: 11}}},
		{"crossing the antimeridian eastwards", theatre.GeoPoint{Lat: 0, Lng: 179.5}, kmPerDegree,
			[]theatre.BoundingBox{{MinLat: -1, MaxLat: 1, MinLng: 178.5, MaxLng: 180}, {MinLat: -1, MaxLat: 1, MinLng: -180, MaxLng: -179.5}}},
		{"crossing the antimeridian westwards", theatre.GeoPoint{Lat: 0, Lng: -179.5}, kmPerDegree,
			[]theatre.BoundingBox{{MinLat: -1, MaxLat: 1, MinLng: -180, MaxLng: -178.5}, {MinLat: -1, MaxLat: 1, MinLng: 179.5, MaxLng: 180}}},
		{"centred on the antimeridian", theatre.GeoPoint{Lat: 0, Lng: 180}, kmPerDegree,
			[]theatre.BoundingBox{{MinLat: -1, MaxLat: 1, MinLng: 179, MaxLng: 180}, {MinLat: -1, MaxLat: 1, MinLng: -180, MaxLng: -179}}},
		{"reaching the north pole", theatre.GeoPoint{Lat: 89.5, Lng: 30}, kmPerDegree,
			[]theatre.BoundingBox{{MinLat: 88.5, MaxLat: 90, MinLng: -180, MaxLng: 180}}},
		{"reaching the south pole", theatre.GeoPoint{Lat: -89.5, Lng: 179.9}, kmPerDegree,
			[]theatre.BoundingBox{{MinLat: -90, MaxLat: -88.5, MinLng: -180, MaxLng: 180}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := theatre.BoxesAround(tt.p, tt.r)
			if len(got) != len(tt.boxes) {
				t.Fatalf("BoxesAround(%v, %v) = %+v, want %+v", tt.p, tt.r, got, tt.boxes)
			}
			for i := range got {
				g, w := got[i], tt.boxes[i]
				for _, pair := range [][2]float64{{g.MinLat, w.MinLat}, {g.MaxLat, w.MaxLat}, {g.MinLng, w.MinLng}, {g.MaxLng, w.MaxLng}} {
					if math.Abs(pair[0]-pair[1]) > 1e-6 {
						t.Fatalf("box %d = %+v, want %+v", i, g, w)
					}
				}
			}
			checkBoxes(t, tt.p, tt.r, got)
		})
	}
}

func TestBoxesAroundIsTight(t *testing.T) {
	t.Parallel()
	// 10 km around Mumbai is about 0.09° of latitude and 0.095° of longitude each way; a box
	// much larger than that would make the repository scan far too many theatres.
	boxes := theatre.BoxesAround(theatre.GeoPoint{Lat: 19.0760, Lng: 72.8777}, 10)
	if len(boxes) != 1 {
		t.Fatalf("got %d boxes", len(boxes))
	}
	b := boxes[0]
	if dLat := (b.MaxLat - b.MinLat) / 2; math.Abs(dLat-0.0899) > 0.001 {
		t.Errorf("latitude half-span %.4f°, want about 0.0899°", dLat)
	}
	if dLng := (b.MaxLng - b.MinLng) / 2; math.Abs(dLng-0.0951) > 0.001 {
		t.Errorf("longitude half-span %.4f°, want about 0.0951°", dLng)
	}
}
