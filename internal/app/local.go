package app

import (
	"context"
	"maps"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fullstorydev/grpchan/inprocgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// localConn is the in-process connection to the services this process runs. A unary call runs
// the service's handler, behind the server interceptors, on the caller's goroutine: the request
// is copied in and the response copied out, and the handler sees a context with the caller's
// deadline and cancellation and the call's metadata as incoming metadata, but none of the
// caller's context values — just as over the network. Streams go through the inprocgrpc
// channel. (inprocgrpc runs every unary call on a goroutine of its own, whose stack then grows
// through the whole call: a few percent of a hold's CPU.)
type localConn struct {
	streams *inprocgrpc.Channel
	unary   grpc.UnaryServerInterceptor
	// methods maps a full method name, "/package.Service/Method", to its handler. Services
	// register while others already take calls, so it is replaced, never changed.
	mu      sync.Mutex // serialises register
	methods atomic.Pointer[map[string]localMethod]
}

type localMethod struct {
	impl    any
	handler grpc.MethodHandler
}

var _ grpc.ClientConnInterface = (*localConn)(nil)

func newLocalConn(streams *inprocgrpc.Channel, unary grpc.UnaryServerInterceptor) *localConn {
	c := &localConn{streams: streams, unary: unary}
	c.methods.Store(&map[string]localMethod{})
	return c
}

// register adds a service's unary methods.
func (c *localConn) register(desc *grpc.ServiceDesc, impl any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	methods := maps.Clone(*c.methods.Load())
	for _, m := range desc.Methods {
		methods["/"+desc.ServiceName+"/"+m.MethodName] = localMethod{impl: impl, handler: m.Handler}
	}
	c.methods.Store(&methods)
}

// Invoke implements grpc.ClientConnInterface.
func (c *localConn) Invoke(ctx context.Context, method string, req, resp any, _ ...grpc.CallOption) error {
	if !strings.HasPrefix(method, "/") {
		method = "/" + method
	}
	m, ok := (*c.methods.Load())[method]
	if !ok {
		return status.Errorf(codes.Unimplemented, "method %s not implemented", method)
	}
	in, ok1 := req.(proto.Message)
	out, ok2 := resp.(proto.Message)
	if !ok1 || !ok2 {
		return status.Errorf(codes.Internal, "in-process call %s: messages must be protocol buffers", method)
	}
	dec := func(v any) error { return copyMessage(v, in) }
	res, err := m.handler(m.impl, serverContext(ctx), dec, c.unary)
	if err != nil {
		return err
	}
	msg, ok := res.(proto.Message)
	if !ok || msg == nil {
		return status.Errorf(codes.Internal, "in-process call %s: the handler returned no response", method)
	}
	return copyMessage(out, msg)
}

// NewStream implements grpc.ClientConnInterface.
func (c *localConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return c.streams.NewStream(ctx, desc, method, opts...)
}

func copyMessage(dst any, src proto.Message) error {
	d, ok := dst.(proto.Message)
	if !ok {
		return status.Errorf(codes.Internal, "in-process call: %T is not a protocol buffer", dst)
	}
	proto.Reset(d)
	proto.Merge(d, src)
	return nil
}

// localPeer is the peer address of in-process calls.
var localPeer = &peer.Peer{Addr: localAddr{}}

type localAddr struct{}

func (localAddr) Network() string { return "inproc" }
func (localAddr) String() string  { return "inproc" }

var _ net.Addr = localAddr{}

// serverContext is the handler's context of a call made with ctx: ctx's deadline and
// cancellation, its outgoing metadata as incoming metadata, and no other values.
func serverContext(ctx context.Context) context.Context {
	sctx := context.Context(valueless{ctx})
	if md, ok := metadata.FromOutgoingContext(ctx); ok {
		sctx = metadata.NewIncomingContext(sctx, md)
	}
	return peer.NewContext(sctx, localPeer)
}

// valueless is a context that ends with its parent but carries none of its values.
type valueless struct{ context.Context }

func (valueless) Value(any) any { return nil }

// AfterFunc lets contexts derived from a valueless one hear of its end without a goroutine of
// their own watching it (the context package looks for this method).
func (v valueless) AfterFunc(f func()) func() bool { return context.AfterFunc(v.Context, f) }
