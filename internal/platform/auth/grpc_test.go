package auth_test

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/fullstorydev/grpchan/inprocgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/grpcx"
)

// whoami is a tiny hand-written gRPC service: Get answers who the caller is, Watch streams the
// same answer once, Lenient is Get registered as a method that ignores invalid tokens.
const (
	whoamiGet     = "/test.Whoami/Get"
	whoamiLenient = "/test.Whoami/Lenient"
	whoamiWatch   = "/test.Whoami/Watch"
)

// describe is what the handlers answer: "anonymous", or the user id, roles and whether the raw
// token came along, plus the authorization the handler would forward onward.
func describe(ctx context.Context) string {
	id, ok := auth.FromContext(ctx)
	if !ok {
		return "anonymous"
	}
	tok, _ := auth.TokenFromContext(ctx)
	md, _ := metadata.FromOutgoingContext(auth.ForwardToken(ctx))
	fwd := md.Get("authorization")
	return id.UserID + " " + strings.Join(id.Roles, ",") + " token=" + tok[:8] + " forward=" + strings.Join(fwd, "|")[:15]
}

func unaryHandler(method string) grpc.MethodHandler {
	return func(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		in := new(emptypb.Empty)
		if err := dec(in); err != nil {
			return nil, err
		}
		h := func(ctx context.Context, _ any) (any, error) { return wrapperspb.String(describe(ctx)), nil }
		if interceptor == nil {
			return h(ctx, in)
		}
		return interceptor(ctx, in, &grpc.UnaryServerInfo{FullMethod: method}, h)
	}
}

var whoamiDesc = grpc.ServiceDesc{
	ServiceName: "test.Whoami",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Get", Handler: unaryHandler(whoamiGet)},
		{MethodName: "Lenient", Handler: unaryHandler(whoamiLenient)},
	},
	Streams: []grpc.StreamDesc{{StreamName: "Watch", ServerStreams: true,
		Handler: func(_ any, ss grpc.ServerStream) error {
			if err := ss.RecvMsg(new(emptypb.Empty)); err != nil {
				return err
			}
			return ss.SendMsg(wrapperspb.String(describe(ss.Context())))
		}}},
}

type env struct {
	issuer *auth.Issuer
	conns  map[string]grpc.ClientConnInterface
}

// newEnv serves whoami with grpcx's and auth's interceptors over a real gRPC server (bufconn) and
// over an in-process channel.
func newEnv(t *testing.T) env {
	t.Helper()
	clk := clock.NewManual(t0)
	iss := newIssuer(t, newKey(t), clk)
	ic := grpcx.ServerInterceptors{Log: slog.New(slog.DiscardHandler)}
	ai := auth.ServerInterceptor(iss.Verifier()).IgnoreInvalidFor(whoamiLenient)

	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(ic.Unary(), ai.Unary()), grpc.ChainStreamInterceptor(ic.Stream(), ai.Stream()))
	srv.RegisterService(&whoamiDesc, struct{}{})
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	cc, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })

	// inprocgrpc takes one interceptor of each kind: chain by hand.
	inproc := new(inprocgrpc.Channel).
		WithServerUnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			return ic.Unary()(ctx, req, info, func(ctx context.Context, req any) (any, error) { return ai.Unary()(ctx, req, info, h) })
		}).
		WithServerStreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			return ic.Stream()(srv, ss, info, func(srv any, ss grpc.ServerStream) error { return ai.Stream()(srv, ss, info, h) })
		})
	inproc.RegisterService(&whoamiDesc, struct{}{})
	return env{issuer: iss, conns: map[string]grpc.ClientConnInterface{"network": cc, "in-process": inproc}}
}

func call(ctx context.Context, cc grpc.ClientConnInterface, method string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if method == whoamiWatch {
		s, err := cc.NewStream(ctx, &whoamiDesc.Streams[0], method)
		if err != nil {
			return "", err
		}
		if err := s.SendMsg(&emptypb.Empty{}); err != nil {
			return "", err
		}
		if err := s.CloseSend(); err != nil {
			return "", err
		}
		out := new(wrapperspb.StringValue)
		if err := s.RecvMsg(out); err != nil {
			return "", err
		}
		return out.GetValue(), nil
	}
	out := new(wrapperspb.StringValue)
	err := cc.Invoke(ctx, method, &emptypb.Empty{}, out)
	return out.GetValue(), err
}

func TestServerInterceptor(t *testing.T) {
	e := newEnv(t)
	good, err := e.issuer.Issue(auth.Identity{UserID: "user-1", Roles: []string{auth.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	otherIssuer := newIssuer(t, newKey(t), clock.NewManual(t0))
	forged, _ := otherIssuer.Issue(auth.Identity{UserID: "user-1", Roles: []string{auth.RoleAdmin}})
	bg := context.Background()
	withAuth := func(values ...string) context.Context {
		md := metadata.MD{}
		for _, v := range values {
			md.Append("authorization", v)
		}
		return metadata.NewOutgoingContext(bg, md)
	}
	wantIdentity := "user-1 admin token=" + good.Token[:8] + " forward=Bearer " + good.Token[:8]
	cases := []struct {
		name   string
		ctx    context.Context
		method string
		want   string
		code   codes.Code
	}{
		{"no token", bg, whoamiGet, "anonymous", codes.OK},
		{"valid token", auth.ToOutgoing(bg, good.Token), whoamiGet, wantIdentity, codes.OK},
		{"valid token, lower-case scheme", withAuth("bearer " + good.Token), whoamiGet, wantIdentity, codes.OK},
		{"valid token on a stream", auth.ToOutgoing(bg, good.Token), whoamiWatch, wantIdentity, codes.OK},
		{"no token on a stream", bg, whoamiWatch, "anonymous", codes.OK},
		{"token of another key", auth.ToOutgoing(bg, forged.Token), whoamiGet, "", codes.Unauthenticated},
		{"token of another key on a stream", auth.ToOutgoing(bg, forged.Token), whoamiWatch, "", codes.Unauthenticated},
		{"garbage token", auth.ToOutgoing(bg, "garbage"), whoamiGet, "", codes.Unauthenticated},
		{"basic auth", withAuth("Basic dXNlcjpwYXNz"), whoamiGet, "", codes.Unauthenticated},
		{"bare token", withAuth(good.Token), whoamiGet, "", codes.Unauthenticated},
		{"empty bearer", withAuth("Bearer "), whoamiGet, "", codes.Unauthenticated},
		{"two headers", withAuth("Bearer "+good.Token, "Bearer "+good.Token), whoamiGet, "", codes.Unauthenticated},
		{"invalid token, lenient method", auth.ToOutgoing(bg, forged.Token), whoamiLenient, "anonymous", codes.OK},
		{"valid token, lenient method", auth.ToOutgoing(bg, good.Token), whoamiLenient, wantIdentity, codes.OK},
		{"token removed again", auth.ToOutgoing(auth.ToOutgoing(bg, good.Token), ""), whoamiGet, "anonymous", codes.OK},
		// An identity in the client's context is not a token: it never crosses.
		{"identity value without a token", auth.WithIdentity(bg, auth.Identity{UserID: "x", Roles: []string{"admin"}}), whoamiGet, "anonymous", codes.OK},
	}
	for transport, cc := range e.conns {
		for _, c := range cases {
			got, err := call(c.ctx, cc, c.method)
			if code := status.Code(err); code != c.code {
				t.Errorf("%s, %s: code %v (%v), want %v", transport, c.name, code, err, c.code)
				continue
			}
			if c.code == codes.OK && got != c.want {
				t.Errorf("%s, %s: %q, want %q", transport, c.name, got, c.want)
			}
			if err != nil {
				// The refusal carries Marquee's error details, so clients get errs.Unauthenticated back.
				if derr := grpcx.FromStatus(err); derr == nil || !strings.Contains(derr.Error(), "unauthenticated") {
					t.Errorf("%s, %s: %v does not map back to unauthenticated", transport, c.name, derr)
				}
				if strings.Contains(err.Error(), good.Token) || strings.Contains(err.Error(), forged.Token) {
					t.Errorf("%s, %s: the error echoes the token", transport, c.name)
				}
			}
		}
	}
}

func TestToOutgoingReplaces(t *testing.T) {
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer old", "x-other", "kept")
	ctx = auth.ToOutgoing(ctx, "new")
	md, _ := metadata.FromOutgoingContext(ctx)
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer new" {
		t.Fatalf("authorization %v", got)
	}
	if got := md.Get("x-other"); len(got) != 1 {
		t.Fatalf("other metadata lost: %v", md)
	}
	if md2, _ := metadata.FromOutgoingContext(auth.ForwardToken(ctx)); len(md2.Get("authorization")) != 0 {
		t.Fatal("ForwardToken without a verified token kept an authorization")
	}
}

// TestInterceptorDropsUnverifiedIdentities calls the interceptors directly with a context that
// already carries an identity (as a careless in-process transport might pass on): without a
// token, the handler must see none.
func TestInterceptorDropsUnverifiedIdentities(t *testing.T) {
	iss := newIssuer(t, newKey(t), clock.NewManual(t0))
	ai := auth.ServerInterceptor(iss.Verifier())
	smuggled := auth.WithToken(auth.WithIdentity(context.Background(), auth.Identity{UserID: "x", Roles: []string{auth.RoleAdmin}}), "tok")
	smuggled = metadata.NewIncomingContext(smuggled, metadata.MD{})
	_, err := ai.Unary()(smuggled, nil, &grpc.UnaryServerInfo{FullMethod: whoamiGet}, func(ctx context.Context, _ any) (any, error) {
		if id, ok := auth.FromContext(ctx); ok {
			t.Errorf("unary handler sees %+v without a token", id)
		}
		if tok, ok := auth.TokenFromContext(ctx); ok {
			t.Errorf("unary handler sees token %q", tok)
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = ai.Stream()(nil, &fakeStream{ctx: smuggled}, &grpc.StreamServerInfo{FullMethod: whoamiWatch}, func(_ any, ss grpc.ServerStream) error {
		if id, ok := auth.FromContext(ss.Context()); ok {
			t.Errorf("stream handler sees %+v without a token", id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type fakeStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (f *fakeStream) Context() context.Context { return f.ctx }
