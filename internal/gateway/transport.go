package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// jsonPOST is gqlgen's POST transport, except that an answer's data is written as the executor
// wrote it. gqlgen encodes the response with encoding/json, which re-parses the data to compact it
// (it is compact already) and escape it for HTML: for a seat map of 58 KiB, a tenth of the
// request's CPU. jsonPOST escapes it in one pass over its bytes. Requests that fail
// before execution (a body that is not JSON, a query that does not parse or validate) are handed to
// gqlgen's POST, so their status codes and errors stay gqlgen's.
type jsonPOST struct {
	transport.POST
}

var _ graphql.Transport = jsonPOST{}

// maxGraphQLBody bounds a GraphQL request's body; the largest the web front end sends is a few KiB.
const maxGraphQLBody = 1 << 20

func (t jsonPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxGraphQLBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = w.Write(appendResponse(nil, &graphql.Response{Errors: gqlerror.List{{Message: "the request body is larger than 1 MiB",
			Extensions: map[string]any{"code": CodeBadUserInput}}}}))
		return
	}
	if err != nil {
		t.POST.Do(w, r, exec)
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		t.replay(w, r, body, exec)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := r.Context()
	op, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		t.replay(w, r, body, exec)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, op)
	w.Header().Set("Content-Type", responseContentType(r))
	_, _ = w.Write(appendResponse(nil, responses(ctx)))
}

// appendHTMLEscaped appends JSON with <, >, & and the line and paragraph separators escaped, as
// encoding/json writes them (so that an answer is safe inside HTML as gqlgen's is): one pass over
// the bytes, where gqlgen's encoding re-parses them.
func appendHTMLEscaped(b, data []byte) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '<' || c == '>' || c == '&' {
			b = append(b, data[start:i]...)
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			start = i + 1
		}
		// U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
		if c == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && data[i+2]&^1 == 0xA8 {
			b = append(b, data[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[data[i+2]&0xf])
			i += 2
			start = i + 1
		}
	}
	return append(b, data[start:]...)
}

// replay lets gqlgen's POST answer a request that failed before execution.
func (t jsonPOST) replay(w http.ResponseWriter, r *http.Request, body []byte, exec graphql.GraphExecutor) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	t.POST.Do(w, r, exec)
}

// responseContentType is the content type gqlgen's POST answers with: what the Accept header asks
// for, application/json when it asks for nothing in particular.
func responseContentType(r *http.Request) string {
	const plain, graphqlJSON = "application/json", "application/graphql-response+json"
	accept := r.Header.Get("Accept")
	if accept == "" {
		return plain
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", plain:
			return plain
		case graphqlJSON:
			return graphqlJSON
		}
	}
	return graphqlJSON
}

// appendResponse appends the JSON of a response as encoding/json writes it: its fields in the same
// order, its data as the executor wrote it, HTML-escaped.
func appendResponse(b []byte, resp *graphql.Response) []byte {
	if resp == nil {
		resp = &graphql.Response{}
	}
	b = append(b, '{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			errs = []byte(`[{"message":"internal error"}]`)
		}
		b = append(b, `"errors":`...)
		b = append(b, errs...)
		b = append(b, ',')
	}
	b = append(b, `"data":`...)
	if len(resp.Data) == 0 {
		b = append(b, "null"...)
	} else {
		b = appendHTMLEscaped(b, resp.Data)
	}
	if resp.Label != "" || len(resp.Path) > 0 || resp.HasNext != nil || len(resp.Extensions) > 0 {
		rest, err := json.Marshal(struct {
			Label      string         `json:"label,omitempty"`
			Path       ast.Path       `json:"path,omitempty"`
			HasNext    *bool          `json:"hasNext,omitempty"`
			Extensions map[string]any `json:"extensions,omitempty"`
		}{resp.Label, resp.Path, resp.HasNext, resp.Extensions})
		if err == nil && len(rest) > 2 {
			b = append(b, ',')
			b = append(b, rest[1:len(rest)-1]...)
		}
	}
	return append(b, '}')
}
