// Command ferretdb runs an embedded FerretDB (SQLite backend) for Marquee's
// tests, so that they can talk to a real MongoDB wire-protocol server without
// linking FerretDB into the root module.
//
// It lives in its own Go module (github.com/marquee-cinema/marquee/test/ferretdb)
// on purpose: the root module must not depend on FerretDB. Tests build and
// start it through package internal/platform/mongotest.
//
// Usage:
//
//	ferretdb -dir DATA_DIR [-listen 127.0.0.1:0] [-remove-dir]
//
// Once the server accepts connections it prints exactly one line
//
//	FERRETDB_LISTENING <host:port>
//
// to stdout, then runs until SIGINT/SIGTERM or until its stdin is closed (so
// that it dies together with the test process that started it). Run by hand,
// keep stdin open (a terminal, or e.g. `sleep infinity | ferretdb ...`): with
// stdin at /dev/null it stops at once. FerretDB's own logging goes to stderr
// at warn level (the Go driver's endSessions on disconnect, which FerretDB
// does not implement, logs a harmless warning).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", "", "directory for SQLite data files (required; created if missing)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	removeDir := flag.Bool("remove-dir", false, "remove -dir and its contents on exit")
	flag.Parse()

	if *dir == "" {
		return errors.New("-dir is required")
	}

	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	if err = os.MkdirAll(abs, 0o755); err != nil {
		return err
	}
	if *removeDir {
		// Runs after the deferred shutdown below (the backend is closed by then).
		defer os.RemoveAll(abs)
	}

	// FerretDB wants a "file:" URI whose path ends with "/". Transactions take the write lock when
	// they begin (_txlock=immediate): a transaction that read first and then wrote failed at once
	// with SQLITE_BUSY when another write had committed meanwhile (WAL mode does not wait for the
	// busy timeout there), which concurrent tests hit now and then.
	sqliteURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/", RawQuery: "_txlock=immediate"}).String()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Stop when stdin is closed (EOF or error): the parent test process died
	// or closed its end of the pipe.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// ferretdb.New already listens; Run starts the accept loop. Make sure a
	// connection really goes through before announcing the address.
	u, err := url.Parse(f.MongoDBURI())
	if err != nil {
		return err
	}
	addr := u.Host
	if err = waitDial(ctx, addr); err != nil {
		cancel()
		<-done
		return err
	}

	fmt.Printf("FERRETDB_LISTENING %s\n", addr)
	_ = os.Stdout.Sync()

	return <-done
}

// waitDial waits until a TCP connection to addr succeeds.
func waitDial(ctx context.Context, addr string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server did not accept connections on %s: %w", addr, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
