// Package mongotest gives tests a MongoDB wire-protocol server to talk to.
//
// If the environment variable MARQUEE_TEST_MONGO_URI is set, tests use that
// server (a real MongoDB). Otherwise the package builds the helper command in
// test/ferretdb — a separate Go module that embeds FerretDB with its SQLite
// backend, so that the root module never links FerretDB — once per test
// process, caches the binary under os.TempDir keyed by a hash of its sources,
// starts it once per test process and points tests at it. The server dies
// with the test process: it exits when its stdin (a pipe held by this
// package) is closed.
//
// FerretDB is not MongoDB: use IsRealMongo to skip tests that depend on
// behaviour only a real MongoDB has. Seen with FerretDB v1.24 (SQLite):
//   - updates are not atomic under concurrency: concurrent $inc lose updates
//     and concurrent conditional updates ("claim if unowned") can all succeed;
//   - no transactions, change streams, positional "$" updates, arrayFilters,
//     pipeline updates, $expr, $lookup, $facet, partial/TTL/text/2dsphere
//     indexes, collations, validators, Decimal128 (the connection is dropped);
//   - $elemMatch only takes operators ({$elemMatch: {$eq: x}}), not field
//     conditions; matching a whole sub-document inside an array finds nothing,
//     and $pull with a condition document silently removes nothing;
//   - a unique index on an array field compares whole arrays (MongoDB indexes
//     each element), and documents missing a uniquely indexed field do not
//     collide (MongoDB treats them as null duplicates);
//   - an update/replace/findOneAndUpdate that breaks a unique index fails with
//     InternalError (code 1), not E11000, so mongo.IsDuplicateKeyError is false
//     (inserts and upserts that insert do report E11000);
//   - distinct fails when the context has a deadline (the driver sends maxTimeMS).
package mongotest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// EnvURI names the environment variable that, when set, points tests at a real
// MongoDB instead of the embedded FerretDB.
const EnvURI = "MARQUEE_TEST_MONGO_URI"

// ferretDBDir is the helper module's directory relative to the repository root.
const ferretDBDir = "test/ferretdb"

// startTimeout bounds how long the started server may take to announce its address.
const startTimeout = 60 * time.Second

const listeningPrefix = "FERRETDB_LISTENING "

// IsRealMongo reports whether tests run against a real MongoDB
// (MARQUEE_TEST_MONGO_URI is set) rather than the embedded FerretDB.
// Tests that depend on MongoDB-only behaviour should skip otherwise:
//
//	if !mongotest.IsRealMongo() {
//		t.Skip("needs a real MongoDB (set " + mongotest.EnvURI + "); FerretDB ...")
//	}
func IsRealMongo() bool {
	return os.Getenv(EnvURI) != ""
}

var (
	serverOnce sync.Once
	serverURI  string
	serverErr  error

	// serverStdin is the write end of the server's stdin. It is never closed
	// nor written: the server exits when the test process exits and the OS
	// closes it. Holding it in a package variable keeps it from being
	// garbage-collected (and so closed by a finalizer).
	//lint:ignore U1000 written only, to keep the pipe reachable
	serverStdin io.WriteCloser
	//lint:ignore U1000 written only, to keep the process handle reachable
	serverCmd *exec.Cmd
)

// URI returns a MongoDB connection URI for tests: MARQUEE_TEST_MONGO_URI if
// set, otherwise the URI of an embedded FerretDB shared by the whole test
// process (built and started on first use). It fails the test if the server
// cannot be built or started.
func URI(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvURI); u != "" {
		return u
	}
	serverOnce.Do(func() {
		serverURI, serverErr = startFerretDB()
	})
	if serverErr != nil {
		t.Fatalf("mongotest: cannot start the embedded FerretDB (set %s to use a real MongoDB instead): %v", EnvURI, serverErr)
	}
	return serverURI
}

// Database connects to the server given by URI and returns a freshly named,
// empty database (named "t_" plus random hex) together with the URI. A
// cleanup registered on t drops the database and disconnects the client.
// The client is db.Client().
func Database(t testing.TB) (*mongo.Database, string) {
	t.Helper()
	uri := URI(t)

	client, err := mongo.Connect(options.Client().
		ApplyURI(uri).
		SetServerSelectionTimeout(30 * time.Second))
	if err != nil {
		t.Fatalf("mongotest: connect to %s: %v", uri, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err = client.Ping(ctx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		t.Fatalf("mongotest: ping %s: %v", uri, err)
	}

	name := "t_" + randomHex(8)
	db := client.Database(name)

	t.Cleanup(func() {
		// t.Context() is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Errorf("mongotest: drop database %s: %v", name, err)
		}
		if err := client.Disconnect(ctx); err != nil {
			t.Errorf("mongotest: disconnect: %v", err)
		}
	})

	return db, uri
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// startFerretDB builds (or reuses) the helper binary, starts it and waits for
// its address.
func startFerretDB() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	bin, err := buildFerretDB(filepath.Join(root, filepath.FromSlash(ferretDBDir)))
	if err != nil {
		return "", err
	}

	dataDir, err := os.MkdirTemp("", "marquee-ferretdb-data-")
	if err != nil {
		return "", err
	}

	cmd := exec.Command(bin, "-dir", dataDir, "-listen", "127.0.0.1:0", "-remove-dir")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	stderr := &tailBuffer{max: 64 << 10}
	cmd.Stderr = stderr

	if err = cmd.Start(); err != nil {
		_ = os.RemoveAll(dataDir)
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	serverCmd, serverStdin = cmd, stdin

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				lines <- sc.Text()
				first = false
			}
		}
		if first {
			close(lines)
		}
	}()

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()

	fail := func(format string, args ...any) (string, error) {
		_ = cmd.Process.Kill()
		_ = stdin.Close()
		msg := fmt.Sprintf(format, args...)
		return "", fmt.Errorf("%s\n--- %s stderr ---\n%s", msg, filepath.Base(bin), stderr.String())
	}

	select {
	case line, ok := <-lines:
		if !ok {
			err := <-exited
			return fail("server exited before announcing its address (%v)", err)
		}
		addr, found := strings.CutPrefix(line, listeningPrefix)
		if !found || addr == "" {
			return fail("unexpected first line from server: %q", line)
		}
		return "mongodb://" + addr + "/", nil
	case err := <-exited:
		return fail("server exited before announcing its address (%v)", err)
	case <-timer.C:
		return fail("server did not announce its address within %s", startTimeout)
	}
}

// repoRoot walks up from the working directory to the directory that holds
// test/ferretdb/go.mod.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(ferretDBDir), "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no %s/go.mod found in %s or any parent directory", ferretDBDir, wd)
		}
		dir = parent
	}
}

// buildFerretDB returns the path of the helper binary for the sources in
// srcDir, building it if no cached build for this exact source hash exists.
// Parallel test processes share the cache: a lock file serializes builds
// (where supported) and the binary is built under a temporary name and
// renamed into place atomically.
func buildFerretDB(srcDir string) (string, error) {
	sum, err := hashSources(srcDir)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", srcDir, err)
	}

	cacheDir := filepath.Join(os.TempDir(), "marquee-ferretdb-"+sum[:16])
	if err = os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	name := "ferretdb"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(cacheDir, name)

	if isFile(bin) {
		return bin, nil
	}

	unlock, err := lockFile(filepath.Join(cacheDir, "build.lock"))
	if err != nil {
		return "", fmt.Errorf("lock build: %w", err)
	}
	defer unlock()

	// Another process may have built it while we waited for the lock.
	if isFile(bin) {
		return bin, nil
	}

	tmp := filepath.Join(cacheDir, fmt.Sprintf("%s.tmp-%d-%s", name, os.Getpid(), randomHex(4)))
	goCmd := "go"
	if p, err := exec.LookPath("go"); err == nil {
		goCmd = p
	}
	cmd := exec.Command(goCmd, "build", "-C", srcDir, "-o", tmp, ".")
	// Do not let the caller's GOFLAGS (e.g. -race, -cover, -mod=vendor) or a
	// go.work leak into the helper's build.
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("go build -C %s: %w\n%s", srcDir, err, out)
	}
	if err = os.Rename(tmp, bin); err != nil {
		_ = os.Remove(tmp)
		if isFile(bin) { // lost a race where rename cannot replace (Windows)
			return bin, nil
		}
		return "", err
	}
	return bin, nil
}

// hashSources hashes the helper module's go.mod, go.sum and .go files, plus the
// Go version and target platform.
func hashSources(dir string) (string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		n := d.Name()
		if n == "go.mod" || n == "go.sum" || strings.HasSuffix(n, ".go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)

	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, f := range files {
		rel, err := filepath.Rel(dir, f)
		if err != nil {
			return "", err
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// tailBuffer is an io.Writer, safe for concurrent use, that keeps the last max bytes written.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return n, nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() == 0 {
		return "(empty)"
	}
	return b.buf.String()
}
