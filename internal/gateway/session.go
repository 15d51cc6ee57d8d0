package gateway

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/marquee-cinema/marquee/internal/gateway/graph"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/session"
)

// sessionMaxAge is how long a browser keeps its anonymous session.
const sessionMaxAge = 30 * 24 * time.Hour

// withSession reads the anonymous session cookie and, for a request without one, lets resolvers
// that need an owner (holds) create it: the cookie is then set on the response. Signed-in callers
// are owned by their account and need no session.
func withSession(o Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if c, err := r.Cookie(session.CookieName); err == nil {
			if _, err := o.Sessions.Verify(c.Value); err == nil {
				ctx = session.WithValue(ctx, c.Value)
			}
		}
		var once sync.Once
		var value string
		ensure := func(ctx context.Context) context.Context {
			if _, ok := auth.FromContext(ctx); ok {
				return ctx
			}
			if _, ok := session.ValueFrom(ctx); ok {
				return ctx
			}
			once.Do(func() {
				value, _ = o.Sessions.New()
				http.SetCookie(w, &http.Cookie{Name: session.CookieName, Value: value, Path: "/", HttpOnly: true,
					SameSite: http.SameSiteLaxMode, Secure: secureRequest(r), MaxAge: int(sessionMaxAge / time.Second)})
			})
			return session.WithValue(ctx, value)
		}
		next.ServeHTTP(w, r.WithContext(graph.WithSessionEnsurer(ctx, ensure)))
	})
}

func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// wsAcceptOptions accept the browser's own origin and any origin of a client that is not a
// browser; CheckOrigin-style protection comes from the SameSite cookie and bearer tokens.
var wsAcceptOptions = coderws.AcceptOptions{InsecureSkipVerify: true}

// wsInit authenticates a subscription from its connection_init payload, where browsers put the
// bearer token they cannot send as a header: {"Authorization": "Bearer <token>"}.
func wsInit(o Options) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		h := payload.Authorization()
		if h == "" {
			if v, ok := payload["authorization"].(string); ok {
				h = v
			}
		}
		if h == "" {
			return ctx, nil, nil
		}
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			token = h
		}
		id, err := o.Verifier.Verify(strings.TrimSpace(token))
		if err != nil {
			return ctx, nil, err
		}
		return auth.WithToken(auth.WithIdentity(ctx, id), strings.TrimSpace(token)), nil, nil
	}
}
