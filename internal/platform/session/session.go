// Package session gives anonymous visitors a stable identity: a random session id signed with
// HMAC-SHA256, carried by the gateway's HttpOnly cookie and forwarded to the services in gRPC
// metadata, where each service verifies the signature itself. It is what owns a guest's holds.
package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// CookieName is the gateway's session cookie (API.md).
const CookieName = "marquee_session"

// MetadataKey carries the signed session in gRPC metadata.
const MetadataKey = "x-marquee-session"

// KeyFile is the generated key's file name in the data directory.
const KeyFile = "session.key"

var b64 = base64.RawURLEncoding

// Signer issues and verifies signed session ids.
type Signer struct{ key []byte }

// NewSigner returns a Signer with key (at least 32 bytes).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("session key must be at least 32 bytes")
	}
	return &Signer{key: key}, nil
}

// LoadOrCreateKey reads the session key from dataDir, creating a random one the first time.
func LoadOrCreateKey(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, KeyFile)
	if b, err := os.ReadFile(path); err == nil {
		key, err := b64.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("session key %s is malformed", path)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read session key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKey(dataDir) // another process created it first
	}
	if err != nil {
		return nil, fmt.Errorf("create session key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(b64.EncodeToString(key) + "\n"); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	return key, nil
}

// ParseKey decodes a base64 key from configuration.
func ParseKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		key, err = b64.DecodeString(strings.TrimSpace(s))
	}
	if err != nil || len(key) < 32 {
		return nil, errors.New("the session key must be at least 32 bytes, base64-encoded")
	}
	return key, nil
}

// New returns a fresh signed session value and its id.
func (s *Signer) New() (value, id string) {
	raw := make([]byte, 16)
	_, _ = rand.Read(raw)
	id = b64.EncodeToString(raw)
	return id + "." + s.sign(id), id
}

func (s *Signer) sign(id string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("marquee-session:" + id))
	return b64.EncodeToString(m.Sum(nil))
}

// Verify returns the id of a signed session value. Unauthenticated when it is not one we made.
func (s *Signer) Verify(value string) (string, error) {
	id, sig, ok := strings.Cut(value, ".")
	if !ok || len(id) != 22 || len(value) > 100 || !hmac.Equal([]byte(sig), []byte(s.sign(id))) {
		return "", errs.E(errs.Unauthenticated, "the session is not valid; reload the page").WithReason("SESSION_INVALID")
	}
	return id, nil
}

type valueKey struct{}
type idKey struct{}

// WithValue returns ctx carrying a signed session value to forward to services.
func WithValue(ctx context.Context, value string) context.Context {
	return context.WithValue(ctx, valueKey{}, value)
}

// ValueFrom returns the signed session value ctx carries.
func ValueFrom(ctx context.Context) (string, bool) {
	v, ok := ctx.Value(valueKey{}).(string)
	return v, ok && v != ""
}

// IDFrom returns the verified session id of the caller.
func IDFrom(ctx context.Context) (string, bool) {
	v, ok := ctx.Value(idKey{}).(string)
	return v, ok && v != ""
}

// WithID returns ctx with a verified session id (the server interceptor's job; tests).
func WithID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, idKey{}, id)
}

// Forward copies the session value of ctx into its outgoing gRPC metadata.
func Forward(ctx context.Context) context.Context {
	v, ok := ValueFrom(ctx)
	if !ok {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, MetadataKey, v)
}

// UnaryServerInterceptor verifies the session value in incoming metadata and puts its id, and
// the value for forwarding, in the context. A bad value is refused.
func (s *Signer) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := s.fromMetadata(ctx)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streams.
func (s *Signer) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := s.fromMetadata(ss.Context())
		if err != nil {
			return err
		}
		return handler(srv, &stream{ServerStream: ss, ctx: ctx})
	}
}

type stream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *stream) Context() context.Context { return s.ctx }

func (s *Signer) fromMetadata(ctx context.Context) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get(MetadataKey)
	if len(vals) == 0 {
		return ctx, nil
	}
	id, err := s.Verify(vals[0])
	if err != nil {
		return nil, err
	}
	return WithValue(WithID(ctx, id), vals[0]), nil
}
