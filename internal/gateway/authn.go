package gateway

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/marquee-cinema/marquee/internal/gateway/graph"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// authenticate checks the bearer token of a request, if any, and puts the caller's identity and
// token in its context; the gRPC clients forward the token so that each service verifies the
// caller itself. A request with a bad or expired token is refused with 401 and a GraphQL error
// UNAUTHENTICATED, so clients know to refresh. It also records the client address.
func authenticate(o Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := graph.WithClientIP(r.Context(), clientAddress(r, o.TrustForwardedFor))
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
				refuse(w, errs.E(errs.Unauthenticated, "the Authorization header must be \"Bearer <access token>\"").WithReason(auth.ReasonTokenInvalid))
				return
			}
			token = strings.TrimSpace(token)
			id, err := o.Verifier.Verify(token)
			if err != nil {
				refuse(w, err)
				return
			}
			ctx = auth.WithToken(auth.WithIdentity(ctx, id), token)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// refuse answers 401 with a GraphQL error body.
func refuse(w http.ResponseWriter, err error) {
	e := errs.As(err)
	ext := map[string]any{"code": CodeUnauthenticated}
	if e.Reason != "" {
		ext["reason"] = e.Reason
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": errs.PublicMessage(e), "extensions": ext}}})
}

// clientAddress is the caller's IP: the first X-Forwarded-For address when trusted, else the
// connection's peer.
func clientAddress(r *http.Request, trustForwarded bool) string {
	if trustForwarded {
		if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
			first, _, _ := strings.Cut(fwd, ",")
			if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
