// Command marquee runs Marquee: every service in one process on embedded defaults, or any
// subset of them against MongoDB and Redis. See README.md for the commands and flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "marquee:", err)
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	var u usageError
	if errors.Is(err, flag.ErrHelp) || errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError marks errors in how marquee was called.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

const usage = `marquee — cinema management and movie-ticket booking

Usage:
  marquee serve [flags]     run the services of --target (default all); marquee serve -h lists the flags
  marquee seed  [flags]     load the demo data set into an empty store
  marquee user create --email=E --role=R [--theatres=IDS] [flags]
                            create an account (the password is read from standard input)
  marquee version           print the version

Every flag has an environment variable: --http-addr is MARQUEE_HTTP_ADDR.
`

// run is the whole program; main only adds signals and the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{errors.New("a command is required")}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr, getenv)
	case "seed":
		return seed(ctx, args[1:], stdout, stderr, getenv)
	case "user":
		return userCommand(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}
