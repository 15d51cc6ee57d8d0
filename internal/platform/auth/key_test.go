package auth_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
)

func TestLoadOrCreateKeyPersists(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, err := auth.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, auth.KeyFileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Fatalf("key file is not PEM PKCS#8: %.30q", b)
	}
	// A restart reads the same key.
	k2, err := auth.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k2) {
		t.Fatal("a second start made a new key")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("the data directory holds %d files, want only the key", len(entries))
	}
}

// TestLoadOrCreateKeyRace starts many processes' worth of callers on a fresh directory at once:
// all must end up with one and the same key.
func TestLoadOrCreateKeyRace(t *testing.T) {
	dir := t.TempDir()
	const n = 16
	keys := make([]ed25519.PrivateKey, n)
	errsOut := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errsOut[i] = auth.LoadOrCreateKey(dir) })
	}
	wg.Wait()
	for i := range n {
		if errsOut[i] != nil {
			t.Fatal(errsOut[i])
		}
		if !keys[i].Equal(keys[0]) {
			t.Fatal("concurrent starts produced different keys")
		}
	}
}

func TestLoadOrCreateKeyRefusesLooseOrBadFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	if _, err := auth.LoadOrCreateKey(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, auth.KeyFileName)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.LoadOrCreateKey(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable key: %v", err)
	}
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.LoadOrCreateKey(dir); err == nil {
		t.Fatal("a garbage key file was accepted")
	}
}

func TestParseKey(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	pemKey, err := auth.MarshalKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	seed := priv.Seed()
	for name, in := range map[string]string{
		"PEM":                      string(pemKey),
		"PEM with spaces around":   "\n  " + string(pemKey) + "\n",
		"base64 seed":              base64.StdEncoding.EncodeToString(seed),
		"raw base64url seed":       base64.RawURLEncoding.EncodeToString(seed),
		"base64 64-byte key":       base64.StdEncoding.EncodeToString(priv),
		"base64url 64-byte key":    base64.URLEncoding.EncodeToString(priv),
		"base64 PKCS#8 DER":        base64.StdEncoding.EncodeToString(der),
		"raw base64 PKCS#8 DER":    base64.RawStdEncoding.EncodeToString(der),
		"base64 seed with newline": base64.StdEncoding.EncodeToString(seed) + "\n",
	} {
		got, err := auth.ParseKey(in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !got.Equal(priv) {
			t.Errorf("%s: a different key", name)
		}
	}

	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	mismatched := append(append([]byte{}, seed...), make([]byte, 32)...)
	for name, in := range map[string]string{
		"empty":                  "",
		"garbage":                "hello world",
		"ECDSA PKCS#8 PEM":       string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})),
		"wrong PEM type":         string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})),
		"broken PEM":             "-----BEGIN PRIVATE KEY-----\nAAAA",
		"31 bytes":               base64.StdEncoding.EncodeToString(seed[:31]),
		"64 bytes, wrong public": base64.StdEncoding.EncodeToString(mismatched),
	} {
		if _, err := auth.ParseKey(in); err == nil {
			t.Errorf("%s: accepted", name)
		} else if len(in) > 20 && strings.Contains(err.Error(), in[len(in)-20:]) {
			t.Errorf("%s: the error quotes the key", name)
		}
	}
}

func TestPublicKeyRoundTrip(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	p, err := auth.MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{string(p), base64.StdEncoding.EncodeToString(pub), base64.RawURLEncoding.EncodeToString(pub)} {
		got, err := auth.ParsePublicKey(in)
		if err != nil || !got.Equal(pub) {
			t.Fatalf("%q: %v", in, err)
		}
	}
	if _, err := auth.ParsePublicKey("AAAA"); err == nil {
		t.Fatal("3 bytes accepted as a public key")
	}
}
