package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/config"
)

// env is a fake environment.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func writeYAML(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "marquee.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := config.Load(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{Target: "all", HTTPAddr: ":8080", GRPCAddr: ":9090", DataDir: "./data", LogLevel: "info",
		LogFormat: "auto", Shutdown: 15 * time.Second, GraphQLMaxDepth: 12, GraphQLMaxComplexity: 50000, Playground: true, RedisPrefix: "marquee:", HoldTTL: 8 * time.Minute, FeePerTicket: 3000, FeeTaxBasisPoints: 1800,
		AuthRatePerIP: 20, AuthRateWindow: time.Minute, PaymentReconcileInterval: 30 * time.Second, GraphQLCacheTTL: time.Second}
	if c != want {
		t.Fatalf("defaults\n got %+v\nwant %+v", c, want)
	}
}

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	// Each layer sets http-addr and one key of its own; the higher layer must win on http-addr
	// and the lower layers must still fill what the higher ones leave alone.
	file := writeYAML(t, `
http-addr: ":1111"
grpc-addr: ":2222"
log-level: debug
demo: true
graphql-max-depth: 7
shutdown-grace: 3s
`)
	tests := []struct {
		name  string
		args  []string
		vars  map[string]string
		check func(t *testing.T, c config.Config)
	}{
		{"defaults only", nil, nil, func(t *testing.T, c config.Config) {
			expect(t, "http-addr", c.HTTPAddr, ":8080")
			expect(t, "demo", c.Demo, false)
		}},
		{"file over defaults", []string{"--config", file}, nil, func(t *testing.T, c config.Config) {
			expect(t, "http-addr", c.HTTPAddr, ":1111")
			expect(t, "grpc-addr", c.GRPCAddr, ":2222")
			expect(t, "log-level", c.LogLevel, "debug")
			expect(t, "demo", c.Demo, true)
			expect(t, "graphql-max-depth", c.GraphQLMaxDepth, 7)
			expect(t, "shutdown-grace", c.Shutdown, 3*time.Second)
			expect(t, "data-dir", c.DataDir, "./data")
			expect(t, "config", c.ConfigFile, file)
		}},
		{"file named by the environment", nil, map[string]string{"MARQUEE_CONFIG": file}, func(t *testing.T, c config.Config) {
			expect(t, "http-addr", c.HTTPAddr, ":1111")
			expect(t, "config", c.ConfigFile, file)
		}},
		{"environment over file", []string{"--config", file}, map[string]string{
			"MARQUEE_HTTP_ADDR": ":3333", "MARQUEE_DATA_DIR": "/var/lib/marquee", "MARQUEE_DEMO": "false",
		}, func(t *testing.T, c config.Config) {
			expect(t, "http-addr", c.HTTPAddr, ":3333")
			expect(t, "data-dir", c.DataDir, "/var/lib/marquee")
			expect(t, "demo", c.Demo, false)
			expect(t, "grpc-addr", c.GRPCAddr, ":2222")
		}},
		{"flags over environment and file", []string{"--config", file, "--http-addr=:4444", "--demo=false", "-graphql-max-depth", "20"},
			map[string]string{"MARQUEE_HTTP_ADDR": ":3333", "MARQUEE_GRAPHQL_MAX_DEPTH": "9"}, func(t *testing.T, c config.Config) {
				expect(t, "http-addr", c.HTTPAddr, ":4444")
				expect(t, "demo", c.Demo, false)
				expect(t, "graphql-max-depth", c.GraphQLMaxDepth, 20)
				expect(t, "grpc-addr", c.GRPCAddr, ":2222")
				expect(t, "log-level", c.LogLevel, "debug")
			}},
		{"a flag set to its default still beats the environment", []string{"--http-addr=:8080"},
			map[string]string{"MARQUEE_HTTP_ADDR": ":3333"}, func(t *testing.T, c config.Config) {
				expect(t, "http-addr", c.HTTPAddr, ":8080")
			}},
		{"--config beats MARQUEE_CONFIG", []string{"--config", file}, map[string]string{"MARQUEE_CONFIG": "/does/not/exist.yaml"},
			func(t *testing.T, c config.Config) {
				expect(t, "http-addr", c.HTTPAddr, ":1111")
			}},
		{"an empty variable counts as unset", []string{"--config", file}, map[string]string{"MARQUEE_HTTP_ADDR": ""},
			func(t *testing.T, c config.Config) {
				expect(t, "http-addr", c.HTTPAddr, ":1111")
			}},
		{"environment without a file", nil, map[string]string{
			"MARQUEE_TARGET": "movie,theatre", "MARQUEE_MONGO_URI": "mongodb://localhost/marquee", "MARQUEE_SHUTDOWN_GRACE": "1m",
		}, func(t *testing.T, c config.Config) {
			expect(t, "target", c.Target, "movie,theatre")
			expect(t, "mongo-uri", c.MongoURI, "mongodb://localhost/marquee")
			expect(t, "shutdown-grace", c.Shutdown, time.Minute)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := config.Load(tt.args, env(tt.vars), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func expect[T comparable](t *testing.T, name string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	unknownKey := writeYAML(t, "http-addr: \":1\"\nhttp_port: 8080\n")
	nested := writeYAML(t, "http-addr:\n  host: x\n")
	notYAML := writeYAML(t, "http-addr: [\n")
	badValue := writeYAML(t, "graphql-max-depth: deep\n")
	tests := []struct {
		name    string
		args    []string
		vars    map[string]string
		mention []string // the error names the flag, variable or key at fault
	}{
		{"unknown target", []string{"--target=bogus"}, nil, []string{"--target", "bogus"}},
		{"unknown module among known ones", []string{"--target=movie,bogus"}, nil, []string{"--target", "bogus"}},
		{"empty target", []string{"--target="}, nil, []string{"--target"}},
		{"log format xml", []string{"--log-format=xml"}, nil, []string{"--log-format", "xml"}},
		{"log level verbose", []string{"--log-level=verbose"}, nil, []string{"--log-level", "verbose"}},
		{"mongo URI over HTTP", []string{"--mongo-uri=http://x"}, nil, []string{"--mongo-uri"}},
		{"redis URL over HTTP", []string{"--redis-url=http://x"}, nil, []string{"--redis-url"}},
		{"zero depth", []string{"--graphql-max-depth=0"}, nil, []string{"--graphql-max-depth"}},
		{"negative complexity", []string{"--graphql-max-complexity=-1"}, nil, []string{"--graphql-max-complexity"}},
		{"unknown flag", []string{"--nope"}, nil, []string{"nope"}},
		{"bad duration flag", []string{"--shutdown-grace=soon"}, nil, []string{"shutdown-grace"}},
		{"stray argument", []string{"extra"}, nil, []string{`"extra"`}},
		{"bad variable", nil, map[string]string{"MARQUEE_SHUTDOWN_GRACE": "soon"}, []string{"MARQUEE_SHUTDOWN_GRACE"}},
		{"bad variable value passing parsing", nil, map[string]string{"MARQUEE_LOG_FORMAT": "xml"}, []string{"--log-format"}},
		{"unknown YAML key", []string{"--config", unknownKey}, nil, []string{unknownKey, `"http_port"`}},
		{"nested YAML value", []string{"--config", nested}, nil, []string{`"http-addr"`}},
		{"malformed YAML", []string{"--config", notYAML}, nil, []string{notYAML}},
		{"bad YAML value", []string{"--config", badValue}, nil, []string{"graphql-max-depth"}},
		{"missing config file", []string{"--config", "/does/not/exist.yaml"}, nil, []string{"config file"}},
		{"missing config file from the environment", nil, map[string]string{"MARQUEE_CONFIG": "/does/not/exist.yaml"}, []string{"config file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := config.Load(tt.args, env(tt.vars), io.Discard)
			if err == nil {
				t.Fatalf("Load accepted %v %v: %+v", tt.args, tt.vars, c)
			}
			for _, m := range tt.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if c != (config.Config{}) {
				t.Errorf("Load returned a configuration with the error: %+v", c)
			}
		})
	}
}

func TestMaskURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		raw   string
		keep  []string
		never string
	}{
		{"mongo password", "mongodb://u:secret@h/db", []string{"mongodb://", "u:", "@h/db"}, "secret"},
		{"mongo several hosts", "mongodb://app:secret@h1:27017,h2:27017/marquee?replicaSet=rs0", []string{"app", "h1:27017,h2:27017", "replicaSet=rs0"}, "secret"},
		{"mongo srv", "mongodb+srv://app:secret@cluster0.example.net/marquee", []string{"cluster0.example.net"}, "secret"},
		{"password with an at sign", "mongodb://u:p@secret@h/db", []string{"@h/db"}, "secret"},
		{"password percent-encoded", "mongodb://u:s%40cret%21secret@h/db", []string{"@h/db"}, "secret"},
		{"redis password only", "redis://:secret@localhost:6379/0", []string{"localhost:6379/0"}, "secret"},
		{"password in the query", "mongodb://h/db?authSource=admin&password=secret", []string{"authSource=admin"}, "secret"},
		{"token in the query", "rediss://h:6380/?Access_Token=secret", []string{"h:6380"}, "secret"},
		{"does not parse", "mongodb://u:secret@h:port/%zz", nil, "secret"},
		{"no credentials", "redis://localhost:6379", []string{"redis://localhost:6379"}, "xxxxx"},
		{"user without password", "mongodb://reader@h/db", []string{"reader@h/db"}, "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := config.MaskURL(tt.raw)
			if strings.Contains(got, tt.never) {
				t.Errorf("MaskURL(%q) = %q shows %q", tt.raw, got, tt.never)
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("MaskURL(%q) = %q lost %q", tt.raw, got, k)
				}
			}
		})
	}
}

func TestMasked(t *testing.T) {
	t.Parallel()
	var c config.Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.FlagSet(fs)
	if err := config.Resolve(fs, []string{"--mongo-uri=mongodb://u:secret@h/db", "--redis-url=redis://:secret2@r:6379"}, env(nil)); err != nil {
		t.Fatal(err)
	}
	m := config.Masked(fs)
	for _, k := range config.SortedKeys(m) {
		if strings.Contains(m[k], "secret") {
			t.Errorf("%s = %q shows a secret", k, m[k])
		}
	}
	if m["http-addr"] != ":8080" || !strings.Contains(m["mongo-uri"], "@h/db") || m["data-dir"] != "./data" {
		t.Errorf("masked configuration %v", m)
	}
	if keys := config.SortedKeys(m); !slices.IsSorted(keys) || len(keys) != len(m) {
		t.Errorf("SortedKeys = %v", keys)
	}
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	// then lists names followed by the services not yet named, in config.Services order: what
	// "all" expands to after them.
	then := func(names ...string) []string {
		out := slices.Clone(names)
		for _, s := range config.Services {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	tests := []struct {
		target string
		want   []string // nil when invalid
	}{
		{"all", then()},
		{"movie", []string{"movie"}},
		{"theatre,movie", []string{"theatre", "movie"}},
		{" movie , gateway ", []string{"movie", "gateway"}},
		{"movie,movie", []string{"movie"}},
		{"movie,all", then("movie")},
		{"theatre,all,movie,all", then("theatre")},
		{"all,all,theatre", then()},
		{"", nil},
		{"movie,", nil},
		{"Movie", nil},
		{"bogus", nil},
		{"all,bogus", nil},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			t.Parallel()
			got, err := config.ParseTarget(tt.target)
			if tt.want == nil {
				if err == nil || !strings.Contains(err.Error(), "--target") {
					t.Fatalf("ParseTarget(%q) = %v, %v; want an error naming --target", tt.target, got, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("ParseTarget(%q) = %v, %v; want %v", tt.target, got, err, tt.want)
			}
		})
	}
	// Expanding "all" must not let callers change the list of services.
	first := config.Services[0]
	got, _ := config.ParseTarget("all")
	got[0] = "changed"
	if again, _ := config.ParseTarget("all"); again[0] != first || config.Services[0] != first {
		t.Fatalf("ParseTarget(\"all\") returned config.Services itself: now %v", config.Services)
	}
}

func TestEnvName(t *testing.T) {
	t.Parallel()
	for flagName, want := range map[string]string{"http-addr": "MARQUEE_HTTP_ADDR", "graphql-max-depth": "MARQUEE_GRAPHQL_MAX_DEPTH", "demo": "MARQUEE_DEMO"} {
		if got := config.EnvName(flagName); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", flagName, got, want)
		}
	}
}
