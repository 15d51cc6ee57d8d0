// Command gqlinorder rewrites gqlgen's generated executor so that lists of objects that resolve
// nothing concurrently — no field of the element, of the objects it holds, of their lists'
// elements and so on has a resolver or a method taking a context — are marshalled one element
// after another instead of one goroutine per element. gqlgen always marshals lists of objects with
// graphql.MarshalSliceConcurrently; for a seat map that is some 450 goroutines per request, which
// cost more than the marshalling itself. Lists whose elements have resolver fields keep their
// goroutines, and so do lists whose elements merely contain such objects, so that resolvers of
// sibling elements still run together (and dataloaders batch).
//
// `make generate` runs it after gqlgen:
//
//	go run ./internal/gateway/graph/gqlinorder internal/gateway/graph/generated/generated.go
//
// The sequential helper, marshalSliceInOrder, lives in the generated package (inorder.go). It also
// spares object marshallers that can defer no field the empty deferred group gqlgen builds for
// every object (see undeferred), and marshals fields that are plain scalar struct fields directly,
// without gqlgen's per-field resolution (see trivialFields): field middleware (AroundFields)
// does not see those fields.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// concurrentMarks are what gqlgen writes into an object's marshaller when some field of it runs
// concurrently (codegen.Object.IsConcurrent).
var concurrentMarks = []string{"atomic.AddUint32(&out.Invalids", "ResolveConcurrently("}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gqlinorder path/to/generated.go")
		os.Exit(2)
	}
	if err := rewrite(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gqlinorder:", err)
		os.Exit(1)
	}
}

func rewrite(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if bytes.Contains(src, []byte(directMark)) {
		return nil // rewritten already
	}
	r, err := inOrder(src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if r.lists == 0 || r.direct == nil {
		return fmt.Errorf("%s: no list of plain objects or no direct object found; has gqlgen's output changed?", path)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "direct.go"), r.direct, 0o644); err != nil {
		return err
	}
	return os.WriteFile(path, r.executor, 0o644)
}

// rewritten is what inOrder makes of gqlgen's executor.
type rewritten struct {
	executor []byte // generated.go, rewritten
	direct   []byte // direct.go: the writers of direct objects
	lists    int    // lists of plain objects marshalled in order
}

// inOrder rewrites gqlgen's executor src: lists of plain objects marshalled in order, objects
// that defer nothing without a deferred group, trivial fields marshalled directly and direct
// objects written by the writers in direct.go.
func inOrder(src []byte) (rewritten, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, 0)
	if err != nil {
		return rewritten{}, err
	}
	funcs := map[string]*ast.FuncDecl{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && fd.Body != nil {
			funcs[fd.Name.Name] = fd
		}
	}
	text := func(n ast.Node) string {
		return string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
	}
	// calls lists the methods of ec that each function calls.
	calls := map[string][]string{}
	for name, fd := range funcs {
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if m, ok := ecMethod(c.Fun); ok && funcs[m] != nil {
					calls[name] = append(calls[name], m)
				}
			}
			return true
		})
	}
	// concurrent reports whether name is an object marshaller some field of which runs
	// concurrently.
	concurrent := func(name string) bool {
		body := text(funcs[name].Body)
		return strings.HasPrefix(name, "_") && strings.Contains(body, "graphql.NewFieldSet(") &&
			slices.ContainsFunc(concurrentMarks, func(m string) bool { return strings.Contains(body, m) })
	}
	// plain reports whether nothing that marshalling with name can reach (its fields, their
	// objects, their lists' elements…) runs concurrently: then marshalling it is a plain
	// sequential walk, and a list of it loses nothing by being marshalled in order.
	memo := map[string]bool{}
	var plain func(name string) bool
	plain = func(name string) bool {
		if v, ok := memo[name]; ok {
			return v
		}
		memo[name] = true // a cycle (introspection types) adds nothing concurrent
		v := !concurrent(name)
		for _, m := range calls[name] {
			if !v {
				break
			}
			v = plain(m)
		}
		memo[name] = v
		return v
	}
	var sites []int // offsets of the MarshalSliceConcurrently calls to replace
	for _, fd := range funcs {
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !isSelector(call.Fun, "graphql", "MarshalSliceConcurrently") || len(call.Args) != 5 {
				return true
			}
			lit, ok := call.Args[4].(*ast.FuncLit)
			if !ok {
				return true
			}
			elem := ""
			ast.Inspect(lit.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if name, ok := ecMethod(c.Fun); ok && strings.HasPrefix(name, "marshal") {
						elem = name
					}
				}
				return elem == ""
			})
			if elem == "" || funcs[elem] == nil {
				return true
			}
			if plain(elem) {
				sites = append(sites, fset.Position(call.Fun.Pos()).Offset)
			}
			return true
		})
	}
	var edits []edit
	for _, at := range sites {
		edits = append(edits, edit{at, len("graphql.MarshalSliceConcurrently"), "marshalSliceInOrder"})
	}
	objects := directObjects(funcs, text)
	direct, err := directSource(objects, f.Imports)
	if err != nil {
		return rewritten{}, fmt.Errorf("direct.go: %w", err)
	}
	replaced := directEdits(fset, objects)
	edits = append(edits, replaced...)
	for _, e := range append(undeferred(fset, funcs), trivialFields(fset, funcs)...) {
		if !slices.ContainsFunc(replaced, func(r edit) bool { return e.at >= r.at && e.at < r.at+r.n }) {
			edits = append(edits, e)
		}
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.at - b.at })
	var out bytes.Buffer
	last := 0
	for _, e := range edits {
		out.Write(src[last:e.at])
		out.WriteString(e.text)
		last = e.at + e.n
	}
	out.Write(src[last:])
	return rewritten{executor: out.Bytes(), direct: direct, lists: len(sites)}, nil
}

// edit replaces n bytes at offset at with text.
type edit struct {
	at, n int
	text  string
}

// undeferred returns the edits that spare object marshallers that defer nothing the cost of an
// empty deferred group. Every marshaller starts with deferred := graphql.NewDeferredGroup(ctx),
// which computes the object's path and makes a map; one that never adds to deferred.Defers (no
// field of it can be deferred) only reads them at the end, where a zero DeferredGroup does the
// same. For a seat map that is some 900 paths per request.
func undeferred(fset *token.FileSet, funcs map[string]*ast.FuncDecl) []edit {
	var edits []edit
	for name, fd := range funcs {
		if !strings.HasPrefix(name, "_") || len(fd.Body.List) == 0 {
			continue
		}
		var decl *ast.AssignStmt
		uses := 0
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if n.Name == "deferred" {
					uses++
				}
			case *ast.AssignStmt:
				if len(n.Lhs) == 1 && len(n.Rhs) == 1 && n.Tok == token.DEFINE {
					if id, ok := n.Lhs[0].(*ast.Ident); ok && id.Name == "deferred" {
						if c, ok := n.Rhs[0].(*ast.CallExpr); ok && isSelector(c.Fun, "graphql", "NewDeferredGroup") {
							decl = n
						}
					}
				}
			}
			return true
		})
		// The declaration, len(deferred.Defers) and ec.ProcessDeferredGroup(deferred): nothing
		// else touches it.
		if decl == nil || uses != 3 {
			continue
		}
		from, to := fset.Position(decl.Pos()).Offset, fset.Position(decl.End()).Offset
		edits = append(edits, edit{from, to - from, "var deferred graphql.DeferredGroup // defers nothing (gqlinorder)"})
	}
	return edits
}

// neverNull are the marshallers of built-in scalars that never return graphql.Null (gqlgen's, and
// the gateway's model.MarshalInt): a non-null field marshalled with them can raise no error.
var neverNull = []struct{ pkg, name string }{
	{"graphql", "MarshalString"}, {"graphql", "MarshalInt"}, {"graphql", "MarshalInt32"}, {"graphql", "MarshalInt64"},
	{"graphql", "MarshalBoolean"}, {"graphql", "MarshalID"}, {"model", "MarshalInt"},
}

// trivialMark ends the body of a field marshaller trivialFields rewrote.
const trivialMark = "// trivial field (gqlinorder)"

// trivialFields returns the edits that marshal trivial fields directly. gqlgen resolves every field
// through graphql.ResolveField: a field context, a context carrying it, the field middleware, a
// deferred recover and the value boxed in an interface — five or six allocations even for a field
// that is only a struct field of a built-in scalar or an enum. For such a field (the resolver
// returns obj.Field, nil; no directives; a marshaller that cannot fail) none of that can have an
// effect but the field middleware, and the gateway installs none (gateway.go says so), so the
// marshaller is called with the value at once. A seat map has about 3,000 of them.
func trivialFields(fset *token.FileSet, funcs map[string]*ast.FuncDecl) []edit {
	var edits []edit
	for name, fd := range funcs {
		if !strings.HasPrefix(name, "_") || len(fd.Body.List) != 1 {
			continue
		}
		f, ok := asStructField(fd, funcs)
		if !ok || !f.scalarContext() || !cannotFail(funcs[f.marshaller]) {
			continue
		}
		from, to := fset.Position(fd.Body.Pos()).Offset, fset.Position(fd.Body.End()).Offset
		edits = append(edits, edit{from, to - from,
			fmt.Sprintf("{\n\treturn ec.%s(ctx, field.Selections, obj.%s) %s\n}", f.marshaller, f.goName, trivialMark)})
	}
	return edits
}

// structFieldMarshaller is a field marshaller as gqlgen writes it for a struct field: a
// graphql.ResolveField call whose resolver returns obj.<goName>, with no directives.
type structFieldMarshaller struct {
	goName     string
	marshaller string        // the value's marshaller, a method of ec
	context    *ast.FuncDecl // the function that builds the field's context
}

// asStructField reads a field marshaller fd; false when it is not a struct field's.
func asStructField(fd *ast.FuncDecl, funcs map[string]*ast.FuncDecl) (structFieldMarshaller, bool) {
	var f structFieldMarshaller
	call := returnedCall(fd.Body)
	if call == nil || !isSelector(call.Fun, "graphql", "ResolveField") || len(call.Args) != 9 {
		return f, false
	}
	init, ok0 := call.Args[3].(*ast.FuncLit)
	resolver, ok1 := call.Args[4].(*ast.FuncLit)
	chain, ok2 := call.Args[5].(*ast.Ident)
	marshal, ok3 := call.Args[6].(*ast.FuncLit)
	if !ok0 || !ok1 || !ok2 || !ok3 || chain.Name != "nil" {
		return f, false
	}
	f.goName = structField(resolver.Body)
	m, c := returnedCall(marshal.Body), returnedCall(init.Body)
	if f.goName == "" || m == nil || c == nil {
		return f, false
	}
	var ok bool
	if f.marshaller, ok = ecMethod(m.Fun); !ok || funcs[f.marshaller] == nil {
		return f, false
	}
	contextFunc, ok := ecMethod(c.Fun)
	if f.context = funcs[contextFunc]; !ok || f.context == nil {
		return f, false
	}
	return f, true
}

// scalarContext reports whether the field's context comes from graphql.NewScalarFieldContext:
// a field without arguments, whose context cannot fail to build.
func (f structFieldMarshaller) scalarContext() bool {
	fc := returnedCall(f.context.Body)
	return fc != nil && isSelector(fc.Fun, "graphql", "NewScalarFieldContext")
}

// takesArguments reports whether the field's context function parses arguments: a direct
// writer has no place for them.
func (f structFieldMarshaller) takesArguments() bool {
	args := false
	ast.Inspect(f.context.Body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if m, ok := ecMethod(c.Fun); ok && strings.HasSuffix(m, "_args") {
				args = true
			}
		}
		return !args
	})
	return args
}

// returnedCall returns the call of a body that is only "return call(...)".
func returnedCall(body *ast.BlockStmt) *ast.CallExpr {
	if len(body.List) != 1 {
		return nil
	}
	return callReturned(body.List[0])
}

// callReturned returns the call of a statement "return call(...)".
func callReturned(s ast.Stmt) *ast.CallExpr {
	ret, ok := s.(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil
	}
	call, _ := ret.Results[0].(*ast.CallExpr)
	return call
}

// structField returns Field of a resolver body that is only "return obj.Field, nil".
func structField(body *ast.BlockStmt) string {
	if len(body.List) != 1 {
		return ""
	}
	ret, ok := body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 2 {
		return ""
	}
	sel, ok := ret.Results[0].(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	obj, ok1 := sel.X.(*ast.Ident)
	nilErr, ok2 := ret.Results[1].(*ast.Ident)
	if !ok1 || !ok2 || obj.Name != "obj" || nilErr.Name != "nil" {
		return ""
	}
	return sel.Sel.Name
}

// cannotFail reports whether a marshaller neither fails nor reads the field context: an enum's
// ("return v") or a non-null built-in scalar's whose graphql.Marshal… never returns Null.
func cannotFail(fd *ast.FuncDecl) bool {
	list := fd.Body.List
	if len(list) == 1 {
		ret, ok := list[0].(*ast.ReturnStmt)
		if !ok || len(ret.Results) != 1 {
			return false
		}
		v, ok := ret.Results[0].(*ast.Ident)
		return ok && v.Name == "v"
	}
	// _ = sel; res := graphql.MarshalX(v); if res == graphql.Null {…}; return res
	if len(list) != 4 {
		return false
	}
	assign, ok := list[1].(*ast.AssignStmt)
	if !ok || len(assign.Rhs) != 1 {
		return false
	}
	call, ok := assign.Rhs[0].(*ast.CallExpr)
	return ok && slices.ContainsFunc(neverNull, func(m struct{ pkg, name string }) bool { return isSelector(call.Fun, m.pkg, m.name) })
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// ecMethod returns the name of a method called on ec.
func ecMethod(e ast.Expr) (string, bool) {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	id, ok := sel.X.(*ast.Ident)
	return sel.Sel.Name, ok && id.Name == "ec"
}
