package gateway

import (
	"context"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// parseQuery parses a document without schema validation, so that tests can build documents
// validation would reject (cyclic or unknown fragments) to check selectionDepth still ends.
func parseQuery(t *testing.T, q string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	if len(doc.Operations) != 1 {
		t.Fatalf("want one operation in %q", q)
	}
	return doc
}

func TestSelectionDepth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"one field", `{ movies }`, 1},
		{"siblings do not add up", `{ a b c d }`, 1},
		{"nested fields", `{ movies { edges { node { title } } } }`, 4},
		{"the deepest branch counts", `{ a { b } c { d { e } } f }`, 3},
		{"arguments and aliases do not count", `{ m: movie(id: "1") { t: title } }`, 2},
		{"named fragment adds its own depth", `
			{ movie(id: "1") { ...Details } }
			fragment Details on Movie { title cast { name } }`, 3},
		{"fragment at the top level", `
			query { ...Top }
			fragment Top on Query { movies { edges { cursor } } }`, 3},
		{"nested fragments", `
			{ movie(id: "1") { ...A } }
			fragment A on Movie { cast { ...B } }
			fragment B on Credit { person { ...C } }
			fragment C on Person { name }`, 4},
		{"inline fragment adds no level", `{ node(id: "1") { ... on Movie { cast { name } } } }`, 3},
		{"inline fragments nested in inline fragments", `
			{ node(id: "1") { ... on Movie { ... @include(if: true) { crew { name } } } } }`, 3},
		{"named fragment inside an inline fragment", `
			{ node(id: "1") { ... on Movie { ...M } } }
			fragment M on Movie { cast { name } }`, 3},
		{"inline fragment inside a named fragment", `
			{ a { ...F } }
			fragment F on T { ... on U { b { c { d } } } }`, 4},
		{"a fragment used in two places counts at each", `
			{ a { ...F } b { c { ...F } } }
			fragment F on T { x { y } }`, 4},
		{"a fragment used twice side by side", `
			{ a { ...F ...F } }
			fragment F on T { x }`, 2},
		{"unknown fragment is skipped", `{ a { ...Missing b } }`, 2},
		{"fragment spreading itself", `
			{ a { ...F } }
			fragment F on T { x { ...F } }`, 2},
		{"two fragments spreading each other", `
			{ a { ...F } }
			fragment F on T { b { ...G } }
			fragment G on T { c { ...F } }`, 3},
		// Cyclic documents never reach the limit (validation rejects them first); what matters
		// is that measuring them ends. Fragments are measured once, from where first entered.
		{"a cycle entered from two places", `
			{ a { ...F } z { y { ...G } } }
			fragment F on T { b { ...G } }
			fragment G on T { c { ...F } }`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := parseQuery(t, tt.query)
			got := selectionDepth(doc.Operations[0].SelectionSet, doc.Fragments, 0, map[string]bool{})
			if got != tt.want {
				t.Errorf("selectionDepth = %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("empty selection", func(t *testing.T) {
		t.Parallel()
		if got := selectionDepth(nil, nil, 0, map[string]bool{}); got != 0 {
			t.Errorf("selectionDepth(nil) = %d", got)
		}
	})
}

func TestDepthLimit(t *testing.T) {
	t.Parallel()
	const query = `
		{ movies { edges { node { ...M } } } }
		fragment M on Movie { cast { name } }`
	tests := []struct {
		name string
		max  int
		ok   bool
	}{
		{"limit above the depth", 6, true},
		{"limit equal to the depth", 5, true},
		{"limit one below the depth", 4, false},
		{"limit of one", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := parseQuery(t, query)
			rc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
			err := depthLimit{max: tt.max}.MutateOperationContext(context.Background(), rc)
			if tt.ok {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted a query deeper than the limit")
			}
			if code := err.Extensions["code"]; code != "DEPTH_LIMIT_EXCEEDED" {
				t.Errorf("extensions.code = %v, want DEPTH_LIMIT_EXCEEDED", code)
			}
		})
	}
	if name := (depthLimit{}).ExtensionName(); name != "DepthLimit" {
		t.Errorf("ExtensionName = %q", name)
	}
}

func TestFragmentBombIsMeasuredQuickly(t *testing.T) {
	t.Parallel()
	// Each fragment spreads the next twice: 2^40 fields once expanded, a few hundred bytes sent.
	q := "{ ...F0 }\n"
	for i := 0; i < 40; i++ {
		q += fmt.Sprintf("fragment F%d on T { a { ...F%d } b { ...F%d } }\n", i, i+1, i+1)
	}
	q += "fragment F40 on T { leaf }\n"
	doc := parseQuery(t, q)
	// Exponential measuring would not finish: 2^40 steps. Linear measuring is instant.
	depth, size := newMeasurer(doc.Fragments).measure(doc.Operations[0].SelectionSet)
	if depth != 41 || size <= maxExpandedFields {
		t.Fatalf("depth %d, size %d", depth, size)
	}
}
