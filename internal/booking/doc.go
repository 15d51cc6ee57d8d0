// Package booking is the concurrency core of Marquee: seat holds, the seat map, the seat
// ground truth and bookings. Adapters live in sub-packages.
package booking
