// Package config resolves Marquee's configuration from, in rising precedence: defaults (the
// embedded setup), an optional YAML file, MARQUEE_* environment variables and command-line flags.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the resolved configuration of `marquee serve`.
type Config struct {
	Target       string
	HTTPAddr     string
	GRPCAddr     string
	DataDir      string
	MongoURI     string
	RedisURL     string
	RedisPrefix  string
	Demo         bool
	ConfigFile   string
	MovieAddr    string
	TheatreAddr  string
	ShowAddr     string
	UserAddr     string
	BookingAddr  string
	PaymentAddr  string
	ServicesAddr string

	SessionKey        string
	HoldTTL           time.Duration
	FeePerTicket      int64
	FeeTaxBasisPoints int64

	GraphQLCacheTTL          time.Duration
	PublicURL                string
	PaymentWebhookSecret     string
	PaymentReconcileInterval time.Duration

	JWTKey         string
	JWTPublicKey   string
	TrustForwarded bool
	AuthRatePerIP  int
	AuthRateWindow time.Duration
	LogLevel       string
	LogFormat      string
	Shutdown       time.Duration

	GraphQLMaxDepth      int
	GraphQLMaxComplexity int
	Playground           bool
}

// secret flags are masked when the configuration is logged.
var secretFlags = map[string]bool{"mongo-uri": true, "redis-url": true, "jwt-key": true, "session-key": true,
	"payment-webhook-secret": true}

// EnvName returns the environment variable of a flag: --http-addr → MARQUEE_HTTP_ADDR.
func EnvName(flagName string) string {
	return "MARQUEE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// FlagSet defines every serve flag on fs, bound to c, with the embedded defaults.
func (c *Config) FlagSet(fs *flag.FlagSet) {
	fs.StringVar(&c.Target, "target", "all", "comma-separated modules to run: all, or any of gateway, user, movie, theatre, show, booking")
	fs.StringVar(&c.HTTPAddr, "http-addr", ":8080", "address of the HTTP server (GraphQL, health, metrics)")
	fs.StringVar(&c.GRPCAddr, "grpc-addr", ":9090", "address of the gRPC server; empty disables it")
	fs.StringVar(&c.DataDir, "data-dir", "./data", "directory of the embedded SQLite store and generated keys")
	fs.StringVar(&c.MongoURI, "mongo-uri", "", "MongoDB URI; empty means the embedded SQLite store")
	fs.StringVar(&c.RedisURL, "redis-url", "", "Redis URL; empty means in-process holds, caches and events")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", "marquee:", "prefix of every Redis key and channel, to share one Redis between deployments")
	fs.BoolVar(&c.Demo, "demo", false, "seed the demo data set into an empty store and create the demo accounts")
	fs.StringVar(&c.ConfigFile, "config", "", "optional YAML file whose keys are these flag names")
	fs.StringVar(&c.MovieAddr, "movie-addr", "", "gRPC address of the movie service when it is not in this process")
	fs.StringVar(&c.TheatreAddr, "theatre-addr", "", "gRPC address of the theatre service when it is not in this process")
	fs.StringVar(&c.ShowAddr, "show-addr", "", "gRPC address of the show service when it is not in this process")
	fs.StringVar(&c.UserAddr, "user-addr", "", "gRPC address of the user service when it is not in this process")
	fs.StringVar(&c.BookingAddr, "booking-addr", "", "gRPC address of the booking service when it is not in this process")
	fs.StringVar(&c.PaymentAddr, "payment-addr", "", "gRPC address of the payment service when it is not in this process")
	fs.DurationVar(&c.GraphQLCacheTTL, "graphql-cache-ttl", time.Second, "how long identical anonymous catalogue queries (showtimes, seat maps at most 250ms, …) are answered from memory; 0 turns it off")
	fs.StringVar(&c.PublicURL, "public-url", "", "the site's public base URL (payment pages and webhooks are reached there); default: http:// and the --http-addr this process listens on")
	fs.StringVar(&c.PaymentWebhookSecret, "payment-webhook-secret", "", "secret signing the sandbox provider's webhooks (comma-separated while rotating: new first); default: generated once into --data-dir")
	fs.DurationVar(&c.PaymentReconcileInterval, "payment-reconcile-interval", 30*time.Second, "how often payments are reconciled with the provider (webhooks that never arrived)")
	fs.StringVar(&c.SessionKey, "session-key", "", "base64 key (32+ bytes) signing anonymous session cookies; default: generated once into --data-dir")
	fs.DurationVar(&c.HoldTTL, "hold-ttl", 8*time.Minute, "how long a seat hold lasts")
	fs.Int64Var(&c.FeePerTicket, "fee-per-ticket", 3000, "convenience fee per ticket, in minor units of the show's currency")
	fs.Int64Var(&c.FeeTaxBasisPoints, "fee-tax-basis-points", 1800, "tax on the convenience fee, in hundredths of a percent (1800 = 18%)")
	fs.StringVar(&c.ServicesAddr, "services-addr", "", "gRPC address of every service not in this process that has no --<service>-addr of its own")
	fs.StringVar(&c.JWTKey, "jwt-key", "", "Ed25519 private key (PEM or base64 PKCS#8) signing access tokens; default: generated once into --data-dir")
	fs.StringVar(&c.JWTPublicKey, "jwt-public-key", "", "Ed25519 public key (PEM or base64) verifying access tokens in processes that do not sign them")
	fs.BoolVar(&c.TrustForwarded, "trust-forwarded-for", false, "take the client IP from X-Forwarded-For (only behind a proxy that sets it)")
	fs.IntVar(&c.AuthRatePerIP, "auth-rate-limit", 20, "sign-in, sign-up and token refreshes allowed per client IP per --auth-rate-window")
	fs.DurationVar(&c.AuthRateWindow, "auth-rate-window", time.Minute, "window of --auth-rate-limit")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFormat, "log-format", "auto", "log format: auto (text on a terminal, JSON otherwise), json, text")
	fs.DurationVar(&c.Shutdown, "shutdown-grace", 15*time.Second, "how long to wait for in-flight work on shutdown")
	fs.IntVar(&c.GraphQLMaxDepth, "graphql-max-depth", 12, "deepest GraphQL selection accepted")
	fs.IntVar(&c.GraphQLMaxComplexity, "graphql-max-complexity", 50000, "highest GraphQL query complexity accepted")
	fs.BoolVar(&c.Playground, "playground", true, "serve the GraphiQL playground at /playground")
}

// Load parses args (without the sub-command) and resolves the configuration. getenv is
// os.Getenv outside tests. Usage errors mention the flag at fault.
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("marquee serve", flag.ContinueOnError)
	fs.SetOutput(usage)
	c.FlagSet(fs)
	if err := Resolve(fs, args, getenv); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Resolve parses args into fs, then fills every flag not given on the command line from its
// MARQUEE_* variable, or else from the YAML file named by --config / MARQUEE_CONFIG.
func Resolve(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })

	var fileValues map[string]string
	file := ""
	if f := fs.Lookup("config"); f != nil {
		file = f.Value.String()
		if !explicit["config"] && getenv(EnvName("config")) != "" {
			file = getenv(EnvName("config"))
		}
	}
	if file != "" {
		var err error
		if fileValues, err = readYAML(file); err != nil {
			return err
		}
		for k := range fileValues {
			if fs.Lookup(k) == nil {
				return fmt.Errorf("config file %s: unknown key %q (keys are flag names such as http-addr)", file, k)
			}
		}
	}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || explicit[f.Name] {
			return
		}
		if v := getenv(EnvName(f.Name)); v != "" {
			if setErr := fs.Set(f.Name, v); setErr != nil {
				err = fmt.Errorf("%s: %w", EnvName(f.Name), setErr)
			}
			return
		}
		if v, ok := fileValues[f.Name]; ok {
			if setErr := fs.Set(f.Name, v); setErr != nil {
				err = fmt.Errorf("config file key %s: %w", f.Name, setErr)
			}
		}
	})
	return err
}

func readYAML(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("parse config file %s: %w", path, err)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = v
		case bool:
			out[k] = strconv.FormatBool(v)
		case int, int64, float64:
			out[k] = fmt.Sprint(v)
		default:
			return nil, fmt.Errorf("config file %s: key %q must be a string, number or boolean", path, k)
		}
	}
	return out, nil
}

// Validate checks values that flag parsing alone cannot.
func (c *Config) Validate() error {
	if _, err := ParseTarget(c.Target); err != nil {
		return err
	}
	switch c.LogFormat {
	case "auto", "json", "text":
	default:
		return fmt.Errorf("--log-format must be auto, json or text, not %q", c.LogFormat)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return errors.New("--mongo-uri must start with mongodb:// or mongodb+srv://")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return errors.New("--redis-url must start with redis:// or rediss://")
	}
	if c.GraphQLCacheTTL < 0 || c.GraphQLCacheTTL > time.Minute {
		return errors.New("--graphql-cache-ttl must be between 0 (off) and 1m")
	}
	if c.PaymentReconcileInterval < 100*time.Millisecond {
		return errors.New("--payment-reconcile-interval must be at least 100ms")
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return errors.New("--public-url must be an absolute http(s) URL without a path, e.g. https://tickets.example.com")
		}
	}
	if c.HoldTTL < time.Second || c.HoldTTL > time.Hour {
		return errors.New("--hold-ttl must be between 1s and 1h")
	}
	if c.FeePerTicket < 0 || c.FeeTaxBasisPoints < 0 || c.FeeTaxBasisPoints > 10_000 {
		return errors.New("--fee-per-ticket must be ≥ 0 and --fee-tax-basis-points between 0 and 10000")
	}
	if c.AuthRatePerIP < 1 || c.AuthRateWindow <= 0 {
		return errors.New("--auth-rate-limit and --auth-rate-window must be positive")
	}
	if c.AuthRateWindow/time.Duration(c.AuthRatePerIP) < time.Microsecond {
		return errors.New("--auth-rate-window / --auth-rate-limit must be at least a microsecond")
	}
	if c.GraphQLMaxDepth < 1 || c.GraphQLMaxComplexity < 1 {
		return errors.New("--graphql-max-depth and --graphql-max-complexity must be positive")
	}
	return nil
}

// Services are the service modules a target may name, besides "all".
var Services = []string{"gateway", "user", "movie", "theatre", "show", "booking", "payment"}

// ParseTarget splits a target into module names, expanding "all".
func ParseTarget(target string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, name := range strings.Split(target, ",") {
		name = strings.TrimSpace(name)
		var names []string
		switch {
		case name == "all":
			names = Services
		case contains(Services, name):
			names = []string{name}
		default:
			return nil, fmt.Errorf("--target: unknown module %q (known: all, %s)", name, strings.Join(Services, ", "))
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Masked returns the configuration as flag → value with secrets hidden, for the start-up log.
func Masked(fs *flag.FlagSet) map[string]string {
	out := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) {
		v := f.Value.String()
		if secretFlags[f.Name] && v != "" {
			if strings.Contains(v, "://") {
				v = MaskURL(v)
			} else {
				v = "****"
			}
		}
		out[f.Name] = v
	})
	return out
}

// MaskURL hides the password of a URL (and the whole value when it does not parse).
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "****"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "password") || strings.Contains(lk, "secret") || strings.Contains(lk, "token") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// SortedKeys returns m's keys in order, for stable logs.
func SortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PeerAddr is the gRPC address of a service in another process: its own --<service>-addr, else
// --services-addr.
func (c *Config) PeerAddr(service string) string {
	own := map[string]string{"movie": c.MovieAddr, "theatre": c.TheatreAddr, "show": c.ShowAddr, "user": c.UserAddr,
		"booking": c.BookingAddr, "payment": c.PaymentAddr}[service]
	if own != "" {
		return own
	}
	return c.ServicesAddr
}
