// Package ids generates identifiers: random, unguessable, time-ordered UUIDv7 strings.
package ids

import (
	"github.com/google/uuid"
)

// New returns a new UUIDv7 in its canonical string form.
func New() string {
	id, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system random source fails; a v4 is still unguessable.
		return uuid.NewString()
	}
	return id.String()
}

// Valid reports whether s is a well-formed UUID string.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
