package payment

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SecretFile is the name of the webhook signing secret's file in the data directory.
const SecretFile = "payment-webhook-secret"

// secretPrefix marks Marquee webhook secrets, so that one is recognised when it leaks into a log.
const secretPrefix = "whsec_"

// minSecretLen is the shortest secret accepted from the file, in characters.
const minSecretLen = 32

// NewSecret returns a fresh random webhook signing secret ("whsec_" and 32 random bytes in hex).
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return secretPrefix + hex.EncodeToString(b)
}

// LoadOrCreateSecret returns the webhook signing secret kept in dataDir, generating one (readable
// by the owner only, 0600) the first time. Processes starting at once on the same directory all
// end up with the one secret that was written first: it is written under a temporary name and
// linked into place, so a half-written file is never read.
func LoadOrCreateSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, SecretFile)
	if s, err := readSecret(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return s, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	tmp, err := os.CreateTemp(dataDir, "."+SecretFile+"-*")
	if err != nil {
		return "", fmt.Errorf("create webhook secret: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return "", fmt.Errorf("create webhook secret: %w", err)
	}
	secret := NewSecret()
	if _, err := tmp.WriteString(secret + "\n"); err != nil {
		_ = tmp.Close()
		return "", fmt.Errorf("write webhook secret: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return "", fmt.Errorf("write webhook secret: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write webhook secret: %w", err)
	}
	// Link fails when the file exists: another process got there first, and its secret wins.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("store webhook secret: %w", err)
	}
	return readSecret(path)
}

func readSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		return "", fmt.Errorf("read webhook secret: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if len(s) < minSecretLen {
		return "", fmt.Errorf("webhook secret %s is malformed (too short); remove it to generate a new one", path)
	}
	return s, nil
}
