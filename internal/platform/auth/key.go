package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KeyFileName is the signing key's file name inside the data directory.
const KeyFileName = "jwt-ed25519.key"

// LoadOrCreateKey returns the Ed25519 signing key in <dataDir>/jwt-ed25519.key, generating it
// (PEM, PKCS#8, mode 0600) the first time, so that tokens survive a restart. Two processes
// starting at once end up with the same key: the file is written under a temporary name and
// linked into place only if no key exists yet. A key file readable by group or others is refused
// (on Unix), like ssh does.
func LoadOrCreateKey(dataDir string) (ed25519.PrivateKey, error) {
	path := filepath.Join(dataDir, KeyFileName)
	key, err := readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("auth: create data directory: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: generate signing key: %w", err)
	}
	pemBytes, err := MarshalKey(priv)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dataDir, ".jwt-key-*")
	if err != nil {
		return nil, fmt.Errorf("auth: write signing key: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		_ = tmp.Close()
		return nil, fmt.Errorf("auth: write signing key: %w", err)
	}
	_, werr := tmp.Write(pemBytes)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return nil, fmt.Errorf("auth: write signing key: %w", err)
	}
	// Link fails if the key exists: then another process won the race and its key is the key.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links on this file system: create the file exclusively instead.
		if err := writeExclusive(path, pemBytes); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("auth: store signing key: %w", err)
		}
	}
	return readKeyFile(path)
}

func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	return errors.Join(werr, serr, f.Close())
}

func readKeyFile(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("auth: signing key: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("auth: signing key %s has mode %04o; it must not be readable by others (chmod 600)",
			path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: read signing key: %w", err)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("auth: signing key %s: %w", path, err)
	}
	return key, nil
}

// MarshalKey encodes a private key as PEM ("PRIVATE KEY", PKCS#8).
func MarshalKey(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("auth: encode signing key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseKey reads an Ed25519 private key given in configuration: PEM (PKCS#8 "PRIVATE KEY"), or
// base64 (standard or URL alphabet, padded or not) of a 32-byte seed, a 64-byte private key or
// PKCS#8 DER. Errors never contain key material.
func ParseKey(pemOrBase64 string) (ed25519.PrivateKey, error) {
	s := strings.TrimSpace(pemOrBase64)
	if strings.HasPrefix(s, "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil {
			return nil, errors.New("auth: key is not valid PEM")
		}
		if block.Type != "PRIVATE KEY" {
			return nil, fmt.Errorf("auth: PEM block is %q; want an Ed25519 \"PRIVATE KEY\" (PKCS#8)", block.Type)
		}
		return parsePKCS8(block.Bytes)
	}
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, errors.New("auth: key is neither PEM nor base64")
	}
	switch len(raw) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(raw), nil
	case ed25519.PrivateKeySize:
		key := ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
		if !bytes.Equal(key, raw) {
			return nil, errors.New("auth: 64-byte key's public half does not match its seed")
		}
		return key, nil
	default:
		return parsePKCS8(raw)
	}
}

func parsePKCS8(der []byte) (ed25519.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("auth: key is not a PKCS#8 private key")
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("auth: key is a %T, not Ed25519", k)
	}
	return key, nil
}

// MarshalPublicKey encodes a public key as PEM ("PUBLIC KEY", PKIX), for verifiers elsewhere.
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("auth: encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKey reads an Ed25519 public key: PEM ("PUBLIC KEY", PKIX) or base64 of the 32 raw
// bytes.
func ParsePublicKey(pemOrBase64 string) (ed25519.PublicKey, error) {
	s := strings.TrimSpace(pemOrBase64)
	if strings.HasPrefix(s, "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil || block.Type != "PUBLIC KEY" {
			return nil, errors.New("auth: public key is not a PEM \"PUBLIC KEY\"")
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("auth: public key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("auth: public key is a %T, not Ed25519", k)
		}
		return pub, nil
	}
	raw, err := decodeBase64(s)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("auth: public key is neither PEM nor base64 of 32 bytes")
	}
	return ed25519.PublicKey(raw), nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
