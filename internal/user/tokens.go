package user

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// RefreshTokenBytes is the number of random bytes in a refresh token.
const RefreshTokenBytes = 32

var b64 = base64.RawURLEncoding.Strict()

// NewRefreshToken returns a fresh refresh token for the client — 32 random bytes, base64url
// without padding (43 characters) — and the hash to store in its place.
func NewRefreshToken() (token, hash string, err error) {
	var b [RefreshTokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("refresh token: %w", err)
	}
	token = b64.EncodeToString(b[:])
	return token, hashToken(token), nil
}

// HashRefreshToken returns the stored form of a token a client presents: the hex SHA-256 of the
// token string. ok is false when the string is not a token NewRefreshToken could have made, so
// that garbage never reaches the store.
func HashRefreshToken(token string) (hash string, ok bool) {
	if len(token) != b64.EncodedLen(RefreshTokenBytes) {
		return "", false
	}
	if _, err := b64.DecodeString(token); err != nil {
		return "", false
	}
	return hashToken(token), true
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
