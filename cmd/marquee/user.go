package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/app"
	"github.com/marquee-cinema/marquee/internal/platform/config"
	"github.com/marquee-cinema/marquee/internal/platform/logging"
)

// userCommand handles `marquee user create`: it creates an account with roles directly in the
// store, for bootstrapping a production deployment (the first admin). The password is read from
// standard input: typed at the prompt, or piped.
func userCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{errors.New("usage: marquee user create --email=E --role=R [--name=N] [--theatres=ID,ID] [--data-dir=D|--mongo-uri=U]")}
	}
	var cfg config.Config
	full := flag.NewFlagSet("marquee user create", flag.ContinueOnError)
	cfg.FlagSet(full)
	fs := flag.NewFlagSet("marquee user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, name := range []string{"data-dir", "mongo-uri", "config", "jwt-key", "log-level", "log-format"} {
		f := full.Lookup(name)
		fs.Var(f.Value, f.Name, f.Usage)
	}
	email := fs.String("email", "", "the account's e-mail address (required)")
	name := fs.String("name", "", "the account holder's name (default: the e-mail's local part)")
	role := fs.String("role", "customer", "customer, theatre_admin or admin")
	theatres := fs.String("theatres", "", "comma-separated theatre ids a theatre_admin manages")
	phone := fs.String("phone", "", "phone number (optional)")
	if err := config.Resolve(fs, args[1:], getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if *email == "" {
		return usageError{errors.New("--email is required")}
	}
	if *name == "" {
		*name, _, _ = strings.Cut(*email, "@")
	}
	var theatreIDs []string
	for _, id := range strings.Split(*theatres, ",") {
		if id = strings.TrimSpace(id); id != "" {
			theatreIDs = append(theatreIDs, id)
		}
	}
	fmt.Fprintf(stderr, "Password for %s: ", *email)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read the password: %w", err)
	}
	fmt.Fprintln(stderr)
	password := strings.TrimRight(line, "\r\n")

	cfg.Target = app.ModuleUser
	cfg.HTTPAddr, cfg.GRPCAddr = "127.0.0.1:0", ""
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	a, err := app.New(cfg, app.Options{Log: logging.New(stderr, cfg.LogLevel, cfg.LogFormat)})
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Stop(stopCtx)
	}()
	u, err := a.CreateUser(ctx, *email, password, *name, *phone, *role, theatreIDs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s (%s) with roles %v, id %s.\n", u.Email, u.Name, u.Roles, u.ID)
	return nil
}
