package main

import (
	"bytes"
	"os"
	"regexp"
	"testing"
)

// TestGeneratedExecutor checks the committed executor against the rewrite of what gqlgen writes
// for it (the same file with every marshalSliceInOrder put back), and pins the classification:
// seat maps' lists marshal in order, lists whose elements resolve concurrently (or hold elements
// that do) keep their goroutines.
func TestGeneratedExecutor(t *testing.T) {
	committed, err := os.ReadFile("../generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	asGenerated := bytes.ReplaceAll(committed, []byte("marshalSliceInOrder("), []byte("graphql.MarshalSliceConcurrently("))
	got, n, err := inOrder(asGenerated)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Fatal("the committed executor is not gqlinorder's rewrite of gqlgen's: run make generate")
	}
	if n < 10 {
		t.Errorf("only %d lists marshalled in order", n)
	}
	uses := func(list, how string) {
		t.Helper()
		re := regexp.MustCompile(`(?s)func \(ec \*executionContext\) marshalN` + list + `2ᚕ[^\n]*\n[^\n]*` + regexp.QuoteMeta(how) + `\(`)
		if !re.Match(committed) {
			t.Errorf("the list of %s is not marshalled with %s", list, how)
		}
	}
	for _, l := range []string{"SeatRow", "SeatCell", "QuoteLine", "SeatCategory", "SeatStatusChange"} {
		uses(l, "marshalSliceInOrder")
	}
	for _, l := range []string{"Show", "Theatre", "Booking", "TheatreShowtimes"} {
		uses(l, "graphql.MarshalSliceConcurrently")
	}
}
