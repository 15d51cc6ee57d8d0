package session_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/session"
)

func TestSignAndVerify(t *testing.T) {
	dir := t.TempDir()
	key, err := session.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := session.LoadOrCreateKey(dir)
	if err != nil || string(again) != string(key) {
		t.Fatal("the key must be reused on restart")
	}
	s, _ := session.NewSigner(key)
	value, id := s.New()
	got, err := s.Verify(value)
	if err != nil || got != id {
		t.Fatalf("verify: %q %v", got, err)
	}
	other, _ := session.NewSigner(make([]byte, 32))
	for name, v := range map[string]string{
		"another key":    func() string { v, _ := other.New(); return v }(),
		"altered id":     otherChar(value[:1]) + value[1:],
		"altered sig":    value[:len(value)-1] + otherChar(value[len(value)-1:]),
		"no signature":   id,
		"empty":          "",
		"too long":       value + value + value,
		"id of the user": "user-123." + value[len(id)+1:],
	} {
		if _, err := s.Verify(v); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestServerInterceptor(t *testing.T) {
	s, _ := session.NewSigner(make([]byte, 32))
	value, id := s.New()
	ic := s.UnaryServerInterceptor()
	call := func(md metadata.MD) (string, error) {
		ctx := metadata.NewIncomingContext(context.Background(), md)
		var seen string
		_, err := ic(ctx, nil, &grpc.UnaryServerInfo{}, func(ctx context.Context, _ any) (any, error) {
			seen, _ = session.IDFrom(ctx)
			return nil, nil
		})
		return seen, err
	}
	if got, err := call(metadata.Pairs(session.MetadataKey, value)); err != nil || got != id {
		t.Fatalf("valid session: %q %v", got, err)
	}
	if got, err := call(metadata.MD{}); err != nil || got != "" {
		t.Fatalf("no session: %q %v", got, err)
	}
	if _, err := call(metadata.Pairs(session.MetadataKey, "forged.value")); err == nil {
		t.Fatal("a forged session passed")
	}
}

// otherChar returns a base64url character different from c.
func otherChar(c string) string {
	if c == "A" {
		return "B"
	}
	return "A"
}
