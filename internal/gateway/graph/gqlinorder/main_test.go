package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestListsInOrder pins the classification of lists: seat maps' lists marshal in order, lists whose
// elements resolve concurrently (or hold elements that do) keep their goroutines. That the committed
// executor is the tool's rewrite of gqlgen's output is checked by make generate-check (make ci),
// which runs both afresh.
func TestListsInOrder(t *testing.T) {
	committed, err := os.ReadFile("../generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(committed, []byte("marshalSliceInOrder(")); n < 10 {
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
	if b := body("QuoteLine"); !strings.Contains(b, "var deferred graphql.DeferredGroup") {
		t.Error("QuoteLine's marshaller still builds a deferred group")
	}
	if b := body("Show"); !strings.Contains(b, "deferred := graphql.NewDeferredGroup(ctx)") || !strings.Contains(b, "&deferred") {
		t.Error("Show's marshaller, whose resolver fields can be deferred, lost its deferred group")
	}
}

// trivialField matches a field marshaller trivialFields rewrote.
var trivialField = regexp.MustCompile(`func \(ec \*executionContext\) (_\w+)\(ctx context\.Context, field graphql\.CollectedField, obj \*[\w.]+\) \(ret graphql\.Marshaler\) (\{\n\treturn ec\.([^(]+)\(ctx, field\.Selections, obj\.(\w+)\) ` +
	regexp.QuoteMeta(trivialMark) + `\n\})`)

// TestTrivialFields pins which fields are marshalled directly: struct fields of built-in scalars
// and enums are; resolvers, methods, custom scalars (Time, which gqlgen may marshal as null) and
// nullable or directive-wrapped fields are not.
func TestTrivialFields(t *testing.T) {
	committed, err := os.ReadFile("../generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	trivial := map[string]bool{}
	for _, m := range trivialField.FindAllSubmatch(committed, -1) {
		trivial[string(m[1])] = true
	}
	for _, f := range []string{"_Seat_id", "_Seat_number", "_Seat_category", "_Seat_status", "_Seat_mine", "_SeatCell_column", "_SeatRow_label", "_Movie_title"} {
		if !trivial[f] {
			t.Errorf("%s is not marshalled directly", f)
		}
	}
	for _, f := range []string{"_Hold_expiresAt", "_SeatCell_seat", "_SeatMap_rows", "_SeatMap_myHold", "_Hold_quote", "_Show_startsAt", "_Query_seatMap", "_Show_movie"} {
		if trivial[f] {
			t.Errorf("%s is marshalled directly, but it is not a plain scalar struct field", f)
		}
		if !bytes.Contains(committed, []byte("func (ec *executionContext) "+f+"(")) {
			t.Errorf("no field marshaller %s: the test names a field that does not exist", f)
		}
	}
}

// TestDirectObjects pins which objects are written directly: a seat map's rows, cells and seats
// are; objects with resolvers (the seat map itself, shows), with fields of custom scalars (holds)
// or with lists of scalars (quote lines) are not, nor objects holding those (quotes).
func TestDirectObjects(t *testing.T) {
	executor, err := os.ReadFile("../generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	writers, err := os.ReadFile("../generated/direct.go")
	if err != nil {
		t.Fatal(err)
	}
	direct := func(object string) bool {
		t.Helper()
		marshaller := regexp.MustCompile(`func \(ec \*executionContext\) _` + object + `\(ctx context\.Context, sel ast\.SelectionSet, obj [^)]*\) graphql\.Marshaler \{\n\t([^\n]*)`).FindSubmatch(executor)
		if marshaller == nil {
			t.Fatalf("no marshaller of %s", object)
		}
		calls := string(marshaller[1]) == "return ec.direct_"+object+"(ctx, sel, obj) "+directMark
		hasWriter := bytes.Contains(writers, []byte("func (ec *executionContext) write_"+object+"("))
		if calls != hasWriter {
			t.Errorf("%s: marshaller calls its writer %v, writer exists %v", object, calls, hasWriter)
		}
		return calls
	}
	for _, o := range []string{"Seat", "SeatCell", "SeatRow", "SeatStatusChange", "SeatMapEvent", "Money", "LayoutRow"} {
		if !direct(o) {
			t.Errorf("%s is not written directly", o)
		}
	}
	for _, o := range []string{"SeatMap", "Show", "Hold", "Quote", "QuoteLine", "CategoryPrice", "Movie"} {
		if direct(o) {
			t.Errorf("%s is written directly", o)
		}
	}
}
