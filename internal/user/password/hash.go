// Package password hashes and checks account passwords: argon2id in the PHC string format, and
// the policy a new password must meet (length, not a common password).
//
// Hashes look like
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64>$<hash, base64>
//
// and carry their own parameters, so a hash made with older, weaker parameters still verifies;
// Verify then reports needsRehash and the caller stores a new hash made with the current ones.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen and KeyLen are in bytes.
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams meet OWASP's recommendation for argon2id (Password Storage Cheat Sheet): 19 MiB of
// memory (m=19456 KiB), 2 passes, 1 thread; a 128-bit salt and a 256-bit hash. On the 2-core AMD
// EPYC CI machine one hash takes about 19 ms and 19 MiB (BenchmarkHash). Raise them through
// user.Options.Password; existing hashes are upgraded at each user's next login.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on parameters read from a stored hash, so that a corrupt or hostile hash cannot make a
// verification take gigabytes or minutes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 128
)

// Validate checks that p is within the bounds Verify accepts.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1:
		return errors.New("password: argon2id needs at least one thread")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("password: argon2id memory %d KiB is out of range", p.Memory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("password: argon2id time %d is out of range", p.Time)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("password: salt length %d is out of range", p.SaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("password: key length %d is out of range", p.KeyLen)
	}
	return nil
}

// ErrMalformedHash says a stored hash is not an argon2id PHC string this package can verify.
var ErrMalformedHash = errors.New("password: malformed argon2id hash")

// Hasher hashes and verifies passwords with its parameters. Each hash needs Params.Memory of RAM,
// so a Hasher runs at most a fixed number at once and makes further callers wait (or give up
// when their context ends): a burst of logins cannot exhaust memory. Safe for concurrent use.
type Hasher struct {
	params Params
	slots  chan struct{}
	dummy  string
}

// NewHasher returns a Hasher with params (DefaultParams when zero) running at most concurrency
// hashes at once (GOMAXPROCS when ≤ 0).
func NewHasher(params Params, concurrency int) (*Hasher, error) {
	if params == (Params{}) {
		params = DefaultParams
	}
	if err := params.Validate(); err != nil {
		return nil, err
	}
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: params, slots: make(chan struct{}, concurrency)}
	// The dummy hash has the current parameters, so verifying against it costs what verifying a
	// real password does.
	salt := make([]byte, params.SaltLen)
	key := make([]byte, params.KeyLen)
	h.dummy = encode(params, salt, key)
	return h, nil
}

// Params returns the hasher's parameters.
func (h *Hasher) Params() Params { return h.params }

func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("password: %w", err)
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("password: waiting to hash: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC-encoded argon2id hash of password, with a fresh random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encode(p, salt, key), nil
}

// Verify reports whether password matches the encoded hash, using the parameters in the hash,
// and whether the hash should be replaced because its parameters differ from the hasher's.
// ErrMalformedHash when encoded is not a hash Verify understands.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok, needsRehash bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// VerifyDummy costs what a Verify of a current hash costs and always fails. Call it when there is
// no account to check a password against, so that an unknown e-mail and a wrong password take the
// same time.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	_, _, err := h.Verify(ctx, password, h.dummy)
	return err
}

// Dummy returns the hash VerifyDummy checks against: the current parameters, a zero salt and a
// zero key that no password produces.
func (h *Hasher) Dummy() string { return h.dummy }

// NeedsRehash reports whether encoded was made with parameters other than the hasher's (true
// for a hash it cannot read).
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, _, _, err := decode(encoded)
	return err != nil || p != h.params
}

var b64 = base64.RawStdEncoding.Strict()

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses "$argon2id$v=19$m=M,t=T,p=P$salt$hash".
func decode(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, ErrMalformedHash
	}
	var p Params
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return Params{}, nil, nil, ErrMalformedHash
	}
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return Params{}, nil, nil, ErrMalformedHash
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return Params{}, nil, nil, ErrMalformedHash
		}
		switch name {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return Params{}, nil, nil, ErrMalformedHash
			}
			p.Threads = uint8(n)
		}
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, ErrMalformedHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return Params{}, nil, nil, ErrMalformedHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if p.Validate() != nil {
		return Params{}, nil, nil, ErrMalformedHash
	}
	return p, salt, key, nil
}
