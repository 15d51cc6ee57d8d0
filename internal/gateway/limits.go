package gateway

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// maxExpandedFields bounds the number of fields an operation has once its fragments are expanded.
// It stops queries whose fragments spread each other many times over: they are short to send but
// exponentially large to walk, for us and for the complexity calculation that runs after us.
const maxExpandedFields = 20_000

// depthLimit rejects operations whose selections nest deeper than max, or that expand to more
// than maxExpandedFields fields, before execution.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                          { return "DepthLimit" }
func (depthLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	m := newMeasurer(rc.Doc.Fragments)
	depth, size := m.measure(rc.Operation.SelectionSet)
	if size > maxExpandedFields {
		err := gqlerror.Errorf("operation expands to %d fields, which exceeds the limit of %d", size, maxExpandedFields)
		err.Extensions = map[string]any{"code": "COMPLEXITY_LIMIT_EXCEEDED"}
		return err
	}
	if depth > d.max {
		err := gqlerror.Errorf("operation is nested %d levels deep, which exceeds the limit of %d", depth, d.max)
		err.Extensions = map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"}
		return err
	}
	return nil
}

// measurer computes the depth and expanded size of selection sets, measuring each fragment once,
// so the work is linear in the document whatever the fragments do.
type measurer struct {
	fragments ast.FragmentDefinitionList
	memo      map[string][2]int
	visiting  map[string]bool
}

func newMeasurer(fragments ast.FragmentDefinitionList) *measurer {
	return &measurer{fragments: fragments, memo: map[string][2]int{}, visiting: map[string]bool{}}
}

// measure returns the deepest field nesting of set and its number of fields with fragments
// expanded (saturating well above any limit). A cyclic or unknown fragment counts as empty; the
// validator rejects such documents anyway.
func (m *measurer) measure(set ast.SelectionSet) (depth, size int) {
	for _, sel := range set {
		var d, n int
		switch s := sel.(type) {
		case *ast.Field:
			cd, cn := m.measure(s.SelectionSet)
			d, n = 1+cd, 1+cn
		case *ast.InlineFragment:
			d, n = m.measure(s.SelectionSet)
		case *ast.FragmentSpread:
			d, n = m.fragment(s.Name)
		}
		depth = max(depth, d)
		size = min(size+n, 1<<40)
	}
	return depth, size
}

func (m *measurer) fragment(name string) (depth, size int) {
	if r, ok := m.memo[name]; ok {
		return r[0], r[1]
	}
	f := m.fragments.ForName(name)
	if f == nil || m.visiting[name] {
		return 0, 0
	}
	m.visiting[name] = true
	depth, size = m.measure(f.SelectionSet)
	m.visiting[name] = false
	m.memo[name] = [2]int{depth, size}
	return depth, size
}

// selectionDepth returns the deepest field nesting of set below depth.
func selectionDepth(set ast.SelectionSet, fragments ast.FragmentDefinitionList, depth int, _ map[string]bool) int {
	d, _ := newMeasurer(fragments).measure(set)
	return depth + d
}
