package auth

import (
	"context"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/grpcx"
)

// MetadataKey is the gRPC metadata key that carries "Bearer <access token>".
const MetadataKey = "authorization"

const bearer = "Bearer"

// ToOutgoing returns ctx whose outgoing gRPC metadata carries "authorization: Bearer <token>",
// replacing any authorization already there. An empty token removes it. Client side.
func ToOutgoing(ctx context.Context, token string) context.Context {
	md, _ := metadata.FromOutgoingContext(ctx)
	md = md.Copy()
	if token == "" {
		delete(md, MetadataKey)
	} else {
		md.Set(MetadataKey, bearer+" "+token)
	}
	return metadata.NewOutgoingContext(ctx, md)
}

// ForwardToken returns ctx with the caller's verified token (TokenFromContext) in its outgoing
// metadata, so that a service calls another one as its caller. Without a token it returns ctx
// with no authorization in its outgoing metadata.
func ForwardToken(ctx context.Context) context.Context {
	t, _ := TokenFromContext(ctx)
	return ToOutgoing(ctx, t)
}

// Interceptors authenticate incoming gRPC calls. Build them with ServerInterceptor.
type Interceptors struct {
	verifier TokenVerifier
	lenient  map[string]bool
}

// ServerInterceptor returns the server interceptors that authenticate calls with v: a call whose
// metadata has no authorization runs without an identity (handlers decide with Require); a call
// with "authorization: Bearer <token>" runs with the token's Identity and the raw token in its
// context (FromContext, TokenFromContext); a call with a bad, expired or non-bearer authorization,
// or more than one, is refused with Unauthenticated before its handler runs. Any identity the
// incoming context carried before is dropped: only a verified token gives one.
//
// Register them inside grpcx's interceptors, e.g.
//
//	ic := grpcx.ServerInterceptors{Log: log, Metrics: m}
//	ai := auth.ServerInterceptor(verifier)
//	grpc.NewServer(grpc.ChainUnaryInterceptor(ic.Unary(), ai.Unary()), grpc.ChainStreamInterceptor(ic.Stream(), ai.Stream()))
//
// The errors they return are already gRPC statuses (grpcx.ToStatus), so the order is not critical.
func ServerInterceptor(v TokenVerifier) Interceptors {
	return Interceptors{verifier: v}
}

// IgnoreInvalidFor returns a copy of the interceptors that, for the given full method names
// (e.g. "/marquee.user.v1.UserService/Refresh"), treat an invalid or expired token as no token
// instead of refusing the call: for calls that do not need an identity and that clients make
// precisely when their access token has expired (refresh, login, logout).
func (i Interceptors) IgnoreInvalidFor(fullMethods ...string) Interceptors {
	c := Interceptors{verifier: i.verifier, lenient: make(map[string]bool, len(i.lenient)+len(fullMethods))}
	for m := range i.lenient {
		c.lenient[m] = true
	}
	for _, m := range fullMethods {
		c.lenient[m] = true
	}
	return c
}

// Unary returns the unary server interceptor.
func (i Interceptors) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := i.authenticate(ctx, info.FullMethod)
		if err != nil {
			return nil, grpcx.ToStatus(err)
		}
		return handler(ctx, req)
	}
}

// Stream returns the stream server interceptor.
func (i Interceptors) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := i.authenticate(ss.Context(), info.FullMethod)
		if err != nil {
			return grpcx.ToStatus(err)
		}
		return handler(srv, &identityStream{ServerStream: ss, ctx: ctx})
	}
}

type identityStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *identityStream) Context() context.Context { return s.ctx }

func (i Interceptors) authenticate(ctx context.Context, method string) (context.Context, error) {
	ctx = withoutIdentity(ctx)
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get(MetadataKey)
	if len(values) == 0 {
		return ctx, nil
	}
	id, token, err := i.verify(values)
	if err != nil {
		if i.lenient[method] {
			return ctx, nil
		}
		return ctx, err
	}
	return WithToken(WithIdentity(ctx, id), token), nil
}

func (i Interceptors) verify(values []string) (Identity, string, error) {
	if len(values) > 1 {
		return Identity{}, "", errs.E(errs.Unauthenticated, "more than one authorization header").WithReason(ReasonTokenInvalid)
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, bearer) || token == "" {
		return Identity{}, "", errs.E(errs.Unauthenticated, "authorization must be \"Bearer <access token>\"").WithReason(ReasonTokenInvalid)
	}
	if i.verifier == nil {
		return Identity{}, "", errs.E(errs.Unauthenticated, "this server verifies no tokens").WithReason(ReasonTokenInvalid)
	}
	id, err := i.verifier.Verify(token)
	if err != nil {
		if !errs.Is(err, errs.Unauthenticated) {
			err = errs.Wrap(err, errs.Unauthenticated, "invalid access token").WithReason(ReasonTokenInvalid)
		}
		return Identity{}, "", err
	}
	if id.UserID == "" {
		return Identity{}, "", errs.E(errs.Unauthenticated, "invalid access token").WithReason(ReasonTokenInvalid)
	}
	return id, token, nil
}
