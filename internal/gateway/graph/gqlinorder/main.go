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
// every object (see undeferred).
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
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
	out, n, err := inOrder(src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if n == 0 && !bytes.Contains(src, []byte("marshalSliceInOrder(")) {
		return fmt.Errorf("%s: no list of plain objects found; has gqlgen's output changed?", path)
	}
	if n == 0 {
		return nil // rewritten already
	}
	return os.WriteFile(path, out, 0o644)
}

// inOrder returns src with the MarshalSliceConcurrently calls of lists of plain objects replaced,
// and how many it replaced.
func inOrder(src []byte) ([]byte, int, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, 0)
	if err != nil {
		return nil, 0, err
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
	edits = append(edits, undeferred(fset, funcs)...)
	slices.SortFunc(edits, func(a, b edit) int { return a.at - b.at })
	var out bytes.Buffer
	last := 0
	for _, e := range edits {
		out.Write(src[last:e.at])
		out.WriteString(e.text)
		last = e.at + e.n
	}
	out.Write(src[last:])
	return out.Bytes(), len(sites), nil
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
