//go:build !unix

package mongotest

// lockFile is a no-op where flock is unavailable: concurrent builds are then
// merely duplicated, and still safe because each builds under a temporary
// name and renames the result into place.
func lockFile(string) (func(), error) {
	return func() {}, nil
}
