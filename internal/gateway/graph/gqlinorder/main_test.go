package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestGeneratedExecutor checks the committed executor against the rewrite of what gqlgen writes
// for it (the same file with both rewrites undone), and pins the classification:
// seat maps' lists marshal in order, lists whose elements resolve concurrently (or hold elements
// that do) keep their goroutines.
func TestGeneratedExecutor(t *testing.T) {
	committed, err := os.ReadFile("../generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	asGenerated := bytes.ReplaceAll(committed, []byte("marshalSliceInOrder("), []byte("graphql.MarshalSliceConcurrently("))
	asGenerated = bytes.ReplaceAll(asGenerated, []byte("var deferred graphql.DeferredGroup // defers nothing (gqlinorder)"),
		[]byte("deferred := graphql.NewDeferredGroup(ctx)"))
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

// TestUndeferred: marshallers that can defer a field keep their deferred group.
func TestUndeferred(t *testing.T) {
	committed, err := os.ReadFile("../generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	body := func(object string) string {
		t.Helper()
		i := bytes.Index(committed, []byte("func (ec *executionContext) _"+object+"(ctx"))
		if i < 0 {
			t.Fatalf("no marshaller of %s", object)
		}
		j := bytes.Index(committed[i:], []byte("\n}\n"))
		return string(committed[i : i+j])
	}
	if b := body("Seat"); !strings.Contains(b, "var deferred graphql.DeferredGroup") {
		t.Error("Seat's marshaller still builds a deferred group")
	}
	if b := body("Show"); !strings.Contains(b, "deferred := graphql.NewDeferredGroup(ctx)") || !strings.Contains(b, "&deferred") {
		t.Error("Show's marshaller, whose resolver fields can be deferred, lost its deferred group")
	}
}
