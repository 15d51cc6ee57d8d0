package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// Direct objects. gqlgen marshals an object in two passes: while executing, it builds a field set
// (a slice of marshallers, one allocated per field) for every object; when the response is written,
// it walks those sets, with a map per object to skip repeated keys. For objects whose fields are
// all struct fields of built-in scalars, enums, other such objects or non-null lists of them, none
// of that can resolve, fail or defer anything, so the rewrite replaces their marshaller with one
// that writes the object, and everything under it, straight into the response when it is written:
// one allocation per object tree instead of about ten per object. A seat map's rows, cells and seats
// are such objects.
//
// The writers live in direct.go of the generated package, written by this tool; generated.go keeps
// gqlgen's marshallers with their bodies replaced by a call to them.

// directMark ends the body of an object marshaller directObjects rewrote.
const directMark = "// direct object (gqlinorder)"

// directScalars are the functions that marshal built-in scalars which direct writers replace,
// with the writer (in the generated package's inorder.go) that writes the same JSON. A
// marshaller is replaced only when it calls one of them (a scalar bound to marshallers of its own
// keeps them).
var directScalars = map[struct{ pkg, name string }]string{
	{"graphql", "MarshalString"}:  "writeJSONString",
	{"graphql", "MarshalID"}:      "writeJSONString",
	{"graphql", "MarshalInt"}:     "writeJSONInt",
	{"model", "MarshalInt"}:       "writeJSONInt", // graphql.MarshalInt, with a range check on input
	{"graphql", "MarshalBoolean"}: "writeJSONBool",
}

// fieldKind says how a direct object's field is written.
type fieldKind int

const (
	scalarField     fieldKind = iota // a built-in scalar: writer(w, obj.F)
	enumField                        // an enum: obj.F.MarshalGQL(w)
	objectField                      // a nullable pointer to a direct object
	objectListField                  // a non-null list of non-null pointers to direct objects
)

type directField struct {
	name   string // the GraphQL field
	goName string // the struct field
	kind   fieldKind
	writer string // scalarField: the writer function
	object string // objectField, objectListField: the GraphQL type of the objects
}

// directObject is an object marshaller whose fields are all directFields.
type directObject struct {
	name         string // GraphQL type
	goType       string // e.g. *model.Seat
	implementors string
	fields       []directField
	decl         *ast.FuncDecl
}

// directObjects returns the object marshallers that can be written directly, by GraphQL type.
func directObjects(funcs map[string]*ast.FuncDecl, text func(ast.Node) string) map[string]*directObject {
	candidates := map[string]*directObject{}
	for name, fd := range funcs {
		if o := asDirectObject(name, fd, funcs, text); o != nil {
			candidates[o.name] = o
		}
	}
	// Drop objects that hold objects that are not direct, until none is dropped.
	for changed := true; changed; {
		changed = false
		for name, o := range candidates {
			for _, f := range o.fields {
				if (f.kind == objectField || f.kind == objectListField) && candidates[f.object] == nil {
					delete(candidates, name)
					changed = true
					break
				}
			}
		}
	}
	return candidates
}

// asDirectObject reads gqlgen's marshaller of an object: fields collected, one field set, each
// case "out.Values[i] = ec._T_f(ctx, field, obj)" with at most a null check after it.
func asDirectObject(name string, fd *ast.FuncDecl, funcs map[string]*ast.FuncDecl, text func(ast.Node) string) *directObject {
	params := fd.Type.Params.List
	if !strings.HasPrefix(name, "_") || strings.Contains(name[1:], "_") || len(params) != 3 ||
		len(params[1].Names) != 1 || params[1].Names[0].Name != "sel" || len(params[2].Names) != 1 || params[2].Names[0].Name != "obj" {
		return nil
	}
	body := text(fd.Body)
	if !strings.Contains(body, "graphql.NewFieldSet(fields)") || strings.Contains(body, "Concurrently") {
		return nil
	}
	o := &directObject{name: name[1:], goType: text(params[2].Type), decl: fd}
	ok := true
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if isSelector(n.Fun, "graphql", "CollectFields") && len(n.Args) == 3 {
				o.implementors = text(n.Args[2])
			}
		case *ast.CaseClause:
			if len(n.List) == 0 {
				return false // default: panics on unknown fields
			}
			if len(n.List) != 1 {
				ok = false
				return false
			}
			lit, isLit := n.List[0].(*ast.BasicLit)
			if !isLit || lit.Kind != token.STRING {
				ok = false
				return false
			}
			field, _ := strconv.Unquote(lit.Value)
			if field == "__typename" {
				return false
			}
			f, fine := fieldOf(n.Body, field, funcs)
			if !fine {
				ok = false
				return false
			}
			o.fields = append(o.fields, f)
			return false
		}
		return true
	})
	if !ok || o.implementors == "" || len(o.fields) == 0 {
		return nil
	}
	return o
}

// fieldOf classifies a case of an object marshaller.
func fieldOf(body []ast.Stmt, field string, funcs map[string]*ast.FuncDecl) (directField, bool) {
	none := directField{}
	if len(body) == 0 || len(body) > 2 {
		return none, false
	}
	assign, ok := body[0].(*ast.AssignStmt)
	if !ok || len(assign.Rhs) != 1 {
		return none, false
	}
	call, ok := assign.Rhs[0].(*ast.CallExpr)
	if !ok {
		return none, false
	}
	fieldFunc, ok := ecMethod(call.Fun)
	if !ok || funcs[fieldFunc] == nil {
		return none, false
	}
	sf, ok := asStructField(funcs[fieldFunc], funcs)
	if !ok || sf.takesArguments() {
		return none, false
	}
	marshaller := sf.marshaller
	f := directField{name: field, goName: sf.goName}
	md := funcs[marshaller]
	if w := scalarWriter(md); w != "" {
		f.kind, f.writer = scalarField, w
		return f, true
	}
	if cannotFail(md) && len(md.Body.List) == 1 {
		f.kind = enumField
		return f, true
	}
	if obj := optionalObject(md); obj != "" {
		f.kind, f.object = objectField, obj
		return f, true
	}
	if elem := listElement(md); elem != "" && funcs[elem] != nil {
		if obj := requiredObject(funcs[elem]); obj != "" {
			f.kind, f.object = objectListField, obj
			return f, true
		}
	}
	return none, false
}

// scalarWriter returns the writer for a non-null scalar's marshaller that cannot fail and calls
// one of directScalars ("_ = sel; res := pkg.MarshalX(v); if res == graphql.Null {…}; return res"),
// or "".
func scalarWriter(md *ast.FuncDecl) string {
	if !cannotFail(md) || len(md.Body.List) != 4 {
		return ""
	}
	call := md.Body.List[1].(*ast.AssignStmt).Rhs[0].(*ast.CallExpr) // cannotFail checked the shape
	for fn, w := range directScalars {
		if isSelector(call.Fun, fn.pkg, fn.name) {
			return w
		}
	}
	return ""
}

// optionalObject returns T of a marshaller "if v == nil { return graphql.Null }; return ec._T(ctx, sel, v)".
func optionalObject(fd *ast.FuncDecl) string {
	list := fd.Body.List
	if len(list) != 2 {
		return ""
	}
	nilCheck, ok := list[0].(*ast.IfStmt)
	if !ok || len(nilCheck.Body.List) != 1 {
		return ""
	}
	ret, ok := nilCheck.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 || !isSelector(ret.Results[0], "graphql", "Null") {
		return ""
	}
	return objectCalled(list[1])
}

// requiredObject returns T of a marshaller of a non-null object: a nil check that reports the
// error, then "return ec._T(ctx, sel, v)".
func requiredObject(fd *ast.FuncDecl) string {
	list := fd.Body.List
	if len(list) != 2 {
		return ""
	}
	if _, ok := list[0].(*ast.IfStmt); !ok {
		return ""
	}
	return objectCalled(list[1])
}

// objectCalled returns T of "return ec._T(ctx, sel, v)".
func objectCalled(s ast.Stmt) string {
	call := callReturned(s)
	if call == nil {
		return ""
	}
	m, ok := ecMethod(call.Fun)
	if !ok || !strings.HasPrefix(m, "_") || strings.Contains(m[1:], "_") {
		return ""
	}
	return m[1:]
}

// listElement returns the element marshaller of a non-null list marshaller, as gqlgen writes it
// for a list of non-null objects (after the rewrite to marshalSliceInOrder).
func listElement(fd *ast.FuncDecl) string {
	if len(fd.Body.List) != 3 || !strings.HasSuffix(fd.Name.Name, "ᚄ") || !strings.HasPrefix(fd.Name.Name, "marshalN") {
		return ""
	}
	assign, ok := fd.Body.List[0].(*ast.AssignStmt)
	if !ok || len(assign.Rhs) != 1 {
		return ""
	}
	call, ok := assign.Rhs[0].(*ast.CallExpr)
	if !ok || len(call.Args) != 5 {
		return ""
	}
	if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "marshalSliceInOrder" {
		if !isSelector(call.Fun, "graphql", "MarshalSliceConcurrently") {
			return ""
		}
	}
	lit, ok := call.Args[4].(*ast.FuncLit)
	if !ok || len(lit.Body.List) == 0 {
		return ""
	}
	elem := callReturned(lit.Body.List[len(lit.Body.List)-1])
	if elem == nil {
		return ""
	}
	name, _ := ecMethod(elem.Fun)
	return name
}

// directEdits replaces the bodies of direct objects' marshallers with a call to their writer.
func directEdits(fset *token.FileSet, objects map[string]*directObject) []edit {
	var edits []edit
	for _, o := range objects {
		from, to := fset.Position(o.decl.Body.Pos()).Offset, fset.Position(o.decl.Body.End()).Offset
		edits = append(edits, edit{from, to - from,
			fmt.Sprintf("{\n\treturn ec.direct_%s(ctx, sel, obj) %s\n}", o.name, directMark)})
	}
	return edits
}

// directSource is the generated package's direct.go: a marshaller and a writer per direct object.
func directSource(objects map[string]*directObject, imports []*ast.ImportSpec) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by gqlinorder. DO NOT EDIT.\n\n")
	b.WriteString("package generated\n\nimport (\n\t\"context\"\n\t\"io\"\n\n")
	b.WriteString("\t\"github.com/99designs/gqlgen/graphql\"\n\t\"github.com/vektah/gqlparser/v2/ast\"\n")
	used := map[string]bool{}
	for _, o := range objects {
		if pkg, _, ok := strings.Cut(strings.TrimPrefix(o.goType, "*"), "."); ok {
			used[pkg] = true
		}
	}
	for _, spec := range imports {
		path, _ := strconv.Unquote(spec.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if used[name] {
			if spec.Name != nil {
				fmt.Fprintf(&b, "\t%s %q\n", spec.Name.Name, path)
			} else {
				fmt.Fprintf(&b, "\t%q\n", path)
			}
		}
	}
	b.WriteString(")\n")
	names := make([]string, 0, len(objects))
	for name := range objects {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		o := objects[name]
		fmt.Fprintf(&b, `
// direct_%[1]s marshals a %[1]s when the response is written (gqlinorder's direct objects).
func (ec *executionContext) direct_%[1]s(ctx context.Context, sel ast.SelectionSet, obj %[2]s) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { ec.write_%[1]s(ctx, w, sel, obj) })
}

// write_%[1]s writes the selected fields of a %[1]s.
func (ec *executionContext) write_%[1]s(ctx context.Context, w io.Writer, sel ast.SelectionSet, obj %[2]s) {
	fields := graphql.CollectFields(ec.OperationContext, sel, %[3]s)
	io.WriteString(w, "{")
	for i, field := range fields {
		writeJSONKey(w, i, field.Alias)
		switch field.Name {
		case "__typename":
			io.WriteString(w, %[4]q)
`, name, o.goType, o.implementors, strconv.Quote(name))
		for _, f := range o.fields {
			fmt.Fprintf(&b, "\t\tcase %q:\n", f.name)
			switch f.kind {
			case scalarField:
				fmt.Fprintf(&b, "\t\t\t%s(w, obj.%s)\n", f.writer, f.goName)
			case enumField:
				fmt.Fprintf(&b, "\t\t\tobj.%s.MarshalGQL(w)\n", f.goName)
			case objectField:
				fmt.Fprintf(&b, "\t\t\tif obj.%[1]s == nil {\n\t\t\t\tio.WriteString(w, \"null\")\n\t\t\t} else {\n\t\t\t\tec.write_%[2]s(ctx, w, field.Selections, obj.%[1]s)\n\t\t\t}\n", f.goName, f.object)
			case objectListField:
				fmt.Fprintf(&b, "\t\t\tio.WriteString(w, \"[\")\n\t\t\tfor j, e := range obj.%[1]s {\n\t\t\t\tif j > 0 {\n\t\t\t\t\tio.WriteString(w, \",\")\n\t\t\t\t}\n\t\t\t\tif e == nil {\n\t\t\t\t\twriteMissingElement(ctx, w, %[3]q)\n\t\t\t\t} else {\n\t\t\t\t\tec.write_%[2]s(ctx, w, field.Selections, e)\n\t\t\t\t}\n\t\t\t}\n\t\t\tio.WriteString(w, \"]\")\n", f.goName, f.object, f.object+"!")
			}
		}
		b.WriteString("\t\tdefault:\n\t\t\tio.WriteString(w, \"null\")\n\t\t}\n\t}\n\tio.WriteString(w, \"}\")\n}\n")
	}
	return format.Source(b.Bytes())
}
