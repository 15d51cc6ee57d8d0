package theatre

import "math"

// earthRadiusKm is the mean Earth radius used for great-circle distances.
const earthRadiusKm = 6371.0088

// DistanceKm is the great-circle (haversine) distance between two points.
func DistanceKm(a, b GeoPoint) float64 {
	toRad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * toRad
	dLng := (b.Lng - a.Lng) * toRad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*toRad)*math.Cos(b.Lat*toRad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// BoxesAround returns one or two latitude/longitude boxes that together contain every point
// within radiusKm of p (two when the circle crosses the antimeridian).
func BoxesAround(p GeoPoint, radiusKm float64) []BoundingBox {
	dLat := radiusKm / earthRadiusKm * 180 / math.Pi
	minLat, maxLat := p.Lat-dLat, p.Lat+dLat
	if minLat <= -90 || maxLat >= 90 {
		// Near a pole every longitude is close.
		return []BoundingBox{{MinLat: math.Max(minLat, -90), MaxLat: math.Min(maxLat, 90), MinLng: -180, MaxLng: 180}}
	}
	// The widest longitude span of the circle, at the latitude nearest the pole.
	dLng := math.Asin(math.Min(1, math.Sin(radiusKm/earthRadiusKm)/math.Cos(p.Lat*math.Pi/180))) * 180 / math.Pi
	minLng, maxLng := p.Lng-dLng, p.Lng+dLng
	switch {
	case minLng < -180:
		return []BoundingBox{
			{MinLat: minLat, MaxLat: maxLat, MinLng: -180, MaxLng: maxLng},
			{MinLat: minLat, MaxLat: maxLat, MinLng: minLng + 360, MaxLng: 180},
		}
	case maxLng > 180:
		return []BoundingBox{
			{MinLat: minLat, MaxLat: maxLat, MinLng: minLng, MaxLng: 180},
			{MinLat: minLat, MaxLat: maxLat, MinLng: -180, MaxLng: maxLng - 360},
		}
	}
	return []BoundingBox{{MinLat: minLat, MaxLat: maxLat, MinLng: minLng, MaxLng: maxLng}}
}
