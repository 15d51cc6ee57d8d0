package main

import (
	"bytes"
	"fmt"
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
	asGenerated, trivial := resolvedThroughGqlgen(t, asGenerated)
	if trivial < 50 {
		t.Errorf("only %d trivial fields", trivial)
	}
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

// trivialField matches a field marshaller trivialFields rewrote.
var trivialField = regexp.MustCompile(`func \(ec \*executionContext\) (_\w+)\(ctx context\.Context, field graphql\.CollectedField, obj \*[\w.]+\) \(ret graphql\.Marshaler\) (\{\n\treturn ec\.([^(]+)\(ctx, field\.Selections, obj\.(\w+)\) ` +
	regexp.QuoteMeta(trivialMark) + `\n\})`)

// resolvedThroughGqlgen undoes trivialFields: it writes back the graphql.ResolveField call gqlgen
// generates for each trivial field, and says how many it wrote.
func resolvedThroughGqlgen(t *testing.T, src []byte) ([]byte, int) {
	t.Helper()
	n := 0
	out := trivialField.ReplaceAllFunc(src, func(m []byte) []byte {
		g := trivialField.FindSubmatch(m)
		name, marshaller, field := string(g[1]), string(g[3]), string(g[4])
		sig := regexp.MustCompile(`func \(ec \*executionContext\) ` + regexp.QuoteMeta(marshaller) + `\(ctx context\.Context, sel ast\.SelectionSet, v ([^)]+)\)`).FindSubmatch(src)
		if sig == nil {
			t.Fatalf("no marshaller %s", marshaller)
		}
		n++
		body := fmt.Sprintf(`{
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext%s(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.%s, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v %s) graphql.Marshaler {
			return ec.%s(ctx, selections, v)
		},
		true,
		true,
	)
}`, name, field, sig[1], marshaller)
		return bytes.Replace(m, g[2], []byte(body), 1)
	})
	return out, n
}

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
