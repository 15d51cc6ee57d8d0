package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunCommands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		args     []string
		wantErr  bool
		wantCode int
		stdout   string
		stderr   string
	}{
		{"version", []string{"version"}, false, 0, "marquee ", ""},
		{"help", []string{"help"}, false, 0, "marquee serve", ""},
		{"no command", nil, true, 2, "", "Usage"},
		{"unknown command", []string{"dance"}, true, 2, "", "Usage"},
		{"unknown target", []string{"serve", "--target=popcorn"}, true, 2, "", ""},
		{"bad flag", []string{"serve", "--no-such-flag"}, true, 2, "", "no-such-flag"},
		{"bad mongo uri", []string{"serve", "--mongo-uri=http://x"}, true, 2, "", ""},
		{"gateway without peers", []string{"serve", "--target=gateway", "--http-addr=127.0.0.1:0", "--grpc-addr="}, true, 1, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), c.args, strings.NewReader(""), &out, &errOut, func(string) string { return "" })
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if err != nil && exitCode(err) != c.wantCode {
				t.Fatalf("exit code %d, want %d (%v)", exitCode(err), c.wantCode, err)
			}
			if !strings.Contains(out.String(), c.stdout) || !strings.Contains(errOut.String(), c.stderr) {
				t.Fatalf("stdout %q stderr %q", out.String(), errOut.String())
			}
		})
	}
}

func TestEnvironmentConfiguresServe(t *testing.T) {
	t.Parallel()
	env := map[string]string{"MARQUEE_TARGET": "movie", "MARQUEE_DATA_DIR": t.TempDir(), "MARQUEE_DEMO": "true"}
	in := startWithEnv(t, env)
	_, body := in.get(t, "/readyz")
	if !strings.Contains(body, `"movie":"running"`) || strings.Contains(body, "gateway") || strings.Contains(body, "demo") {
		t.Fatalf("MARQUEE_TARGET=movie ran %s", body)
	}
}

// seedInto runs `marquee seed` into dir.
func seedInto(t *testing.T, dir string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"seed", "--data-dir=" + dir}, strings.NewReader(""), &out, &errOut, func(string) string { return "" }); err != nil {
		t.Fatalf("seed: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "Seeded the demo data set") {
		t.Fatalf("seed said %q", out.String())
	}
	return out.String()
}

func TestSeedThenServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if said := seedInto(t, dir); strings.Contains(said, " 0 shows") {
		t.Fatalf("seed scheduled no shows: %s", said)
	}
	var out, errOut bytes.Buffer
	// Seeding twice is refused: the store is not empty.
	err := run(context.Background(), []string{"seed", "--data-dir=" + dir}, strings.NewReader(""), &out, &errOut, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "empty store") {
		t.Fatalf("second seed: %v", err)
	}
	in := start(t, "--data-dir="+dir)
	var d struct{ Cities []struct{ Name string } }
	in.mustQuery(t, `{ cities { name } }`, nil, &d)
	if len(d.Cities) < 4 {
		t.Fatalf("served %d cities after seed", len(d.Cities))
	}
}

func TestUserCreateBootstrapsAnAdmin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"user", "create", "--email=Boss@Example.com", "--role=admin", "--data-dir=" + dir},
		strings.NewReader("a-very-long-boss-passphrase\n"), &out, &errOut, func(string) string { return "" })
	if err != nil || !strings.Contains(out.String(), "boss@example.com") {
		t.Fatalf("user create: %v\n%s%s", err, out.String(), errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), "a-very-long-boss-passphrase") {
		t.Fatal("the password was echoed")
	}
	err = run(context.Background(), []string{"user", "create", "--email=boss@example.com", "--role=admin", "--data-dir=" + dir},
		strings.NewReader("a-very-long-boss-passphrase\n"), &out, &errOut, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "already has an account") {
		t.Fatalf("second create: %v", err)
	}
	err = run(context.Background(), []string{"user", "create", "--email=weak@example.com", "--role=admin", "--data-dir=" + dir},
		strings.NewReader("password123\n"), &out, &errOut, func(string) string { return "" })
	if err == nil {
		t.Fatal("a common password was accepted")
	}
	in := start(t, "--data-dir="+dir)
	s := in.login(t, "boss@example.com", "a-very-long-boss-passphrase")
	if len(s.User.Roles) != 1 || s.User.Roles[0] != "admin" {
		t.Fatalf("roles %v", s.User.Roles)
	}
}
