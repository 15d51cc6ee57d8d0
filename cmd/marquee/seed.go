package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/marquee-cinema/marquee/internal/app"
	"github.com/marquee-cinema/marquee/internal/platform/config"
	"github.com/marquee-cinema/marquee/internal/platform/logging"
)

// seed loads the demo data set into an empty store and exits.
func seed(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var cfg config.Config
	full := flag.NewFlagSet("marquee seed", flag.ContinueOnError)
	cfg.FlagSet(full)
	fs := flag.NewFlagSet("marquee seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, name := range []string{"data-dir", "mongo-uri", "config", "log-level", "log-format"} {
		f := full.Lookup(name)
		fs.Var(f.Value, f.Name, f.Usage)
	}
	if err := config.Resolve(fs, args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	cfg.Target = app.ModuleMovie + "," + app.ModuleTheatre + "," + app.ModuleShow + "," + app.ModuleBooking
	cfg.HTTPAddr, cfg.GRPCAddr = "127.0.0.1:0", ""
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	log := logging.New(stderr, cfg.LogLevel, cfg.LogFormat)
	a, err := app.New(cfg, app.Options{Log: log})
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
	sum, err := a.SeedDemo(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Seeded the demo data set: %d cities, %d theatres, %d screens (%d seats), %d movies, %d shows.\n",
		sum.Cities, sum.Theatres, sum.Screens, sum.Seats, sum.Movies, sum.Shows)
	return nil
}
