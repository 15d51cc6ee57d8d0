package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/app"
	"github.com/marquee-cinema/marquee/internal/demo"
	"github.com/marquee-cinema/marquee/internal/platform/config"
	"github.com/marquee-cinema/marquee/internal/platform/logging"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var cfg config.Config
	fs := flag.NewFlagSet("marquee serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.FlagSet(fs)
	if err := config.Resolve(fs, args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	log := logging.New(stderr, cfg.LogLevel, cfg.LogFormat)
	masked := config.Masked(fs)
	attrs := make([]any, 0, 2*len(masked))
	for _, k := range config.SortedKeys(masked) {
		attrs = append(attrs, k, masked[k])
	}
	log.Info("marquee starting", "version", versionString())
	log.Info("configuration", attrs...)

	began := time.Now()
	a, err := app.New(cfg, app.Options{Log: log})
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	log.Info("marquee ready", "modules", strings.Join(a.Plan(), ","), "http", a.HTTPAddr(), "grpc", a.GRPCAddr(),
		"startup", time.Since(began).Round(time.Millisecond))
	base := "http://" + displayAddr(a.HTTPAddr())
	fmt.Fprintf(stdout, "Marquee is ready (modules: %s)\n", strings.Join(a.Plan(), ", "))
	fmt.Fprintf(stdout, "  http:       %s\n", base)
	if a.GRPCAddr() != "" {
		fmt.Fprintf(stdout, "  grpc:       %s\n", displayAddr(a.GRPCAddr()))
	}
	if contains(a.Plan(), app.ModuleGateway) {
		fmt.Fprintf(stdout, "  GraphQL:    %s/graphql\n", base)
		if cfg.Playground {
			fmt.Fprintf(stdout, "  playground: %s/playground\n", base)
		}
	}
	if cfg.Demo && contains(a.Plan(), app.ModuleDemo) && contains(a.Plan(), app.ModuleUser) {
		fmt.Fprintf(stdout, "Demo accounts (their passwords are public; never use --demo in production):\n")
		for _, acc := range demo.Accounts() {
			fmt.Fprintf(stdout, "  %-20s %-12s %s\n", acc.Email, acc.Password, acc.Role)
		}
	}
	fmt.Fprintf(stdout, "Press Ctrl+C to stop.\n")

	<-ctx.Done()
	log.Info("marquee stopping", "grace", cfg.Shutdown)
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.Shutdown)
	defer cancel()
	if err := a.Stop(stopCtx); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	log.Info("marquee stopped")
	return nil
}

// displayAddr turns a listener address into one a browser can open (":8080" → "localhost:8080").
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
