package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// gqlgenObject is what gqlgen writes for type Thing { name: String! }, with the marshaller of
// String as MARSHAL.
const gqlgenObject = `package generated

var thingImplementors = []string{"Thing"}

func (ec *executionContext) _Thing(ctx context.Context, sel ast.SelectionSet, obj *model.Thing) graphql.Marshaler {
	fields := graphql.CollectFields(ec.OperationContext, sel, thingImplementors)
	out := graphql.NewFieldSet(fields)
	deferred := graphql.NewDeferredGroup(ctx)
	for i, field := range fields {
		switch field.Name {
		case "__typename":
			out.Values[i] = graphql.MarshalString("Thing")
		case "name":
			out.Values[i] = ec._Thing_name(ctx, field, obj)
			if out.Values[i] == graphql.Null {
				out.Invalids++
			}
		default:
			panic("unknown field " + strconv.Quote(field.Name))
		}
	}
	out.Dispatch(ctx)
	if out.Invalids > 0 {
		return graphql.Null
	}
	if len(deferred.Defers) > 0 {
		ec.ProcessDeferredGroup(deferred)
	}
	return out
}

func (ec *executionContext) _Thing_name(ctx context.Context, field graphql.CollectedField, obj *model.Thing) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_Thing_name(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.Name, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v string) graphql.Marshaler {
			return ec.marshalNString2string(ctx, selections, v)
		},
		true,
		true,
	)
}

func (ec *executionContext) fieldContext_Thing_name(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	return graphql.NewScalarFieldContext("Thing", field, false, false, "String")
}

func (ec *executionContext) marshalNString2string(ctx context.Context, sel ast.SelectionSet, v string) graphql.Marshaler {
	_ = sel
	res := MARSHAL(v)
	if res == graphql.Null {
		graphql.AddInvalidNullFromMarshaler(ctx, "String!")
	}
	return res
}
`

// TestDirectObjectsKeepCustomScalars: an object is written directly when its String field is
// marshalled by gqlgen's MarshalString, and not when the scalar is bound to a marshaller of the
// project's own, whatever gqlgen names the marshaller.
func TestDirectObjectsKeepCustomScalars(t *testing.T) {
	for marshal, direct := range map[string]bool{"graphql.MarshalString": true, "model.MarshalRedacted": false} {
		src := strings.Replace(gqlgenObject, "MARSHAL", marshal, 1)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "generated.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		funcs := map[string]*ast.FuncDecl{}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				funcs[fd.Name.Name] = fd
			}
		}
		text := func(n ast.Node) string { return src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset] }
		objects := directObjects(funcs, text)
		if got := objects["Thing"] != nil; got != direct {
			t.Errorf("with %s: written directly %v, want %v", marshal, got, direct)
		}
		if direct && (len(objects["Thing"].fields) != 1 || objects["Thing"].fields[0].writer != "writeJSONString") {
			t.Errorf("with %s: fields %+v", marshal, objects["Thing"].fields)
		}
	}
}
