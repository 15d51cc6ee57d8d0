package generated

import (
	"context"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceInOrder is graphql.MarshalSliceConcurrently for lists of objects whose fields resolve
// nothing: it marshals the elements one after another on the caller's goroutine, with the same
// field contexts and panic handling, instead of one goroutine each. The gqlinorder command puts
// it in place of MarshalSliceConcurrently where it applies, after gqlgen generates this package.
func marshalSliceInOrder(ctx context.Context, length int, _ int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					ret[i] = graphql.Null
				}
			}()
			ret[i] = marshalElement(childCtx, i)
		}()
	}
	return ret
}

// The writers below serve direct.go, which gqlinorder writes: they write JSON as gqlgen's
// marshallers of the same scalars do, without allocating.

// writeJSONKey writes the separator before the i-th field of an object and its key. Keys are
// GraphQL names (letters, digits and underscores) and need no escaping.
func writeJSONKey(w io.Writer, i int, alias string) {
	if i > 0 {
		io.WriteString(w, ",")
	}
	io.WriteString(w, `"`)
	io.WriteString(w, alias)
	io.WriteString(w, `":`)
}

// writeJSONString writes s as a JSON string, escaping what JSON requires as gqlgen does.
func writeJSONString(w io.Writer, s string) {
	const hex = "0123456789ABCDEF" // gqlgen writes upper case
	io.WriteString(w, `"`)
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		io.WriteString(w, s[start:i])
		switch c {
		case '\t':
			io.WriteString(w, `\t`)
		case '\r':
			io.WriteString(w, `\r`)
		case '\n':
			io.WriteString(w, `\n`)
		case '\\':
			io.WriteString(w, `\\`)
		case '"':
			io.WriteString(w, `\"`)
		default:
			io.WriteString(w, `\u00`)
			io.WriteString(w, hex[c>>4:c>>4+1])
			io.WriteString(w, hex[c&0xf:c&0xf+1])
		}
		start = i + 1
	}
	io.WriteString(w, s[start:])
	io.WriteString(w, `"`)
}

func writeJSONInt(w io.Writer, v int) { io.WriteString(w, strconv.Itoa(v)) }

func writeJSONBool(w io.Writer, v bool) {
	if v {
		io.WriteString(w, "true")
	} else {
		io.WriteString(w, "false")
	}
}

// writeMissingElement stands for a nil element of a list of non-null objects, which resolvers never
// return: null, and the error gqlgen reports for it.
func writeMissingElement(ctx context.Context, w io.Writer, typ string) {
	graphql.AddErrorf(ctx, "the requested element is null which the schema does not allow (%s)", typ)
	io.WriteString(w, "null")
}
