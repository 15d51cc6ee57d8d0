package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/marquee-cinema/marquee/internal/app"
)

// recorder notes the order in which modules start and stop, and every state change.
type recorder struct {
	mu     sync.Mutex
	events []string
	states []string
}

func (r *recorder) note(event string) {
	r.mu.Lock()
	r.events = append(r.events, event)
	r.mu.Unlock()
}

func (r *recorder) onChange(name string, s app.State) {
	r.mu.Lock()
	r.states = append(r.states, name+"="+string(s))
	r.mu.Unlock()
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// module returns a module that records its start and stop, failing them when told.
func (r *recorder) module(name string, deps []string, startErr, stopErr error) app.Module {
	return app.Module{
		Name: name,
		Deps: deps,
		Start: func(context.Context) error {
			r.note("start " + name)
			return startErr
		},
		Stop: func(context.Context) error {
			r.note("stop " + name)
			return stopErr
		},
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// marquee registers a module graph shaped like the real one: stores under services under the
// gateway and servers.
func marquee(r *recorder, fail map[string]error) *app.Manager {
	m := app.NewManager(discard(), r.onChange)
	for _, mod := range []struct {
		name string
		deps []string
	}{
		{"gateway", []string{"movie", "theatre", "http-server"}},
		{"store", nil},
		{"movie", []string{"store", "grpc-server"}},
		{"theatre", []string{"store", "grpc-server"}},
		{"grpc-server", nil},
		{"http-server", nil},
	} {
		m.Register(r.module(mod.name, mod.deps, fail[mod.name], nil))
	}
	return m
}

func TestPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		targets []string
		want    []string
	}{
		{"nothing", nil, nil},
		{"one leaf", []string{"store"}, []string{"store"}},
		{"movie", []string{"movie"}, []string{"store", "grpc-server", "movie"}},
		{"movie and theatre share their dependencies", []string{"theatre", "movie"},
			[]string{"store", "grpc-server", "movie", "theatre"}},
		{"gateway brings everything", []string{"gateway"},
			[]string{"store", "grpc-server", "movie", "theatre", "http-server", "gateway"}},
		{"listing a dependency too changes nothing", []string{"gateway", "store", "movie"},
			[]string{"store", "grpc-server", "movie", "theatre", "http-server", "gateway"}},
		{"duplicates", []string{"movie", "movie"}, []string{"store", "grpc-server", "movie"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := marquee(&recorder{}, nil)
			got, err := m.Plan(tt.targets)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Plan(%v) = %v, want %v", tt.targets, got, tt.want)
			}
			checkDepsFirst(t, m, got)
		})
	}
}

// checkDepsFirst fails unless every module of plan comes after the modules it depends on.
func checkDepsFirst(t *testing.T, m *app.Manager, plan []string) {
	t.Helper()
	deps := map[string][]string{
		"gateway": {"movie", "theatre", "http-server"}, "movie": {"store", "grpc-server"}, "theatre": {"store", "grpc-server"},
	}
	for i, name := range plan {
		for _, d := range deps[name] {
			if j := slices.Index(plan, d); j < 0 || j > i {
				t.Errorf("plan %v: %s comes before its dependency %s", plan, name, d)
			}
		}
	}
}

func TestPlanErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		modules [][2]string // name, comma-separated deps
		targets []string
		mention []string
	}{
		{"unknown target", [][2]string{{"a", ""}}, []string{"b"}, []string{`unknown module "b"`}},
		{"unknown target next to a known one", [][2]string{{"a", ""}}, []string{"a", "zz"}, []string{`"zz"`}},
		{"unknown dependency", [][2]string{{"a", "ghost"}}, []string{"a"}, []string{`unknown module "ghost"`}},
		{"self-dependency", [][2]string{{"a", "a"}}, []string{"a"}, []string{"cycle", "a a"}},
		{"two-module cycle", [][2]string{{"a", "b"}, {"b", "a"}}, []string{"a"}, []string{"cycle", "a b a"}},
		{"cycle below the target", [][2]string{{"top", "x"}, {"x", "y"}, {"y", "z"}, {"z", "x"}}, []string{"top"},
			[]string{"cycle", "x y z x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := app.NewManager(discard(), nil)
			for _, mod := range tt.modules {
				var deps []string
				if mod[1] != "" {
					deps = strings.Split(mod[1], ",")
				}
				m.Register(app.Module{Name: mod[0], Deps: deps})
			}
			plan, err := m.Plan(tt.targets)
			if err == nil {
				t.Fatalf("Plan(%v) = %v, want an error", tt.targets, plan)
			}
			for _, s := range tt.mention {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	t.Parallel()
	m := app.NewManager(discard(), nil)
	m.Register(app.Module{Name: "movie"})
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "movie") {
			t.Fatalf("recovered %v, want a panic naming the module", r)
		}
	}()
	m.Register(app.Module{Name: "movie"})
}

func TestStartAndStop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := &recorder{}
	m := marquee(r, nil)
	if ready, states := m.Ready(); ready || len(states) != 0 {
		t.Fatalf("before start: ready %v, states %v", ready, states)
	}
	plan, err := m.Plan([]string{"movie", "theatre"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx, plan); err != nil {
		t.Fatal(err)
	}
	ready, states := m.Ready()
	if !ready || len(states) != len(plan) {
		t.Fatalf("after start: ready %v, states %v", ready, states)
	}
	for _, name := range plan {
		if states[name] != app.StateRunning {
			t.Errorf("%s is %s, want running", name, states[name])
		}
	}
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"start store", "start grpc-server", "start movie", "start theatre",
		"stop theatre", "stop movie", "stop grpc-server", "stop store"}
	if got := r.log(); !slices.Equal(got, want) {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
	ready, states = m.Ready()
	if ready {
		t.Error("ready after stop")
	}
	for _, name := range plan {
		if states[name] != app.StateStopped {
			t.Errorf("%s is %s after stop, want stopped", name, states[name])
		}
	}
	// Stopping again stops nothing twice.
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.log(); len(got) != len(want) {
		t.Errorf("second Stop ran %v", got[len(want):])
	}
	// Every module went new → running → stopping → stopped, and listeners heard each step.
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range plan {
		var seq []string
		for _, s := range r.states {
			if n, st, _ := strings.Cut(s, "="); n == name {
				seq = append(seq, st)
			}
		}
		if strings.Join(seq, ">") != "new>running>stopping>stopped" {
			t.Errorf("%s went %v", name, seq)
		}
	}
}

func TestStartFailureStopsStartedModulesInReverse(t *testing.T) {
	t.Parallel()
	errBoom := errors.New("port 9090 in use")
	tests := []struct {
		name       string
		failing    string
		wantEvents []string
		wantStates map[string]app.State
	}{
		{"first module fails", "store", []string{"start store"},
			map[string]app.State{"store": app.StateFailed, "grpc-server": app.StateNew, "movie": app.StateNew, "theatre": app.StateNew}},
		{"a middle module fails", "grpc-server", []string{"start store", "start grpc-server", "stop store"},
			map[string]app.State{"store": app.StateStopped, "grpc-server": app.StateFailed, "movie": app.StateNew, "theatre": app.StateNew}},
		{"the last module fails", "theatre", []string{"start store", "start grpc-server", "start movie", "start theatre",
			"stop movie", "stop grpc-server", "stop store"},
			map[string]app.State{"store": app.StateStopped, "grpc-server": app.StateStopped, "movie": app.StateStopped, "theatre": app.StateFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{}
			m := marquee(r, map[string]error{tt.failing: errBoom})
			plan, err := m.Plan([]string{"movie", "theatre"})
			if err != nil {
				t.Fatal(err)
			}
			err = m.Start(context.Background(), plan)
			if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "start "+tt.failing) {
				t.Fatalf("Start = %v, want an error naming %s and wrapping the cause", err, tt.failing)
			}
			if got := r.log(); !slices.Equal(got, tt.wantEvents) {
				t.Fatalf("events\n got %v\nwant %v", got, tt.wantEvents)
			}
			ready, states := m.Ready()
			if ready {
				t.Error("ready after a failed start")
			}
			for name, want := range tt.wantStates {
				if states[name] != want {
					t.Errorf("%s is %s, want %s", name, states[name], want)
				}
			}
		})
	}
}

func TestStartFailureReportsStopErrorsToo(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	m := app.NewManager(discard(), nil)
	errStop := errors.New("flush failed")
	errStart := errors.New("bind failed")
	m.Register(r.module("store", nil, nil, errStop))
	m.Register(r.module("server", []string{"store"}, errStart, nil))
	err := m.Start(context.Background(), []string{"store", "server"})
	if !errors.Is(err, errStart) || !errors.Is(err, errStop) || !strings.Contains(err.Error(), "stop store") {
		t.Fatalf("Start = %v, want both the start and the stop error", err)
	}
	if _, states := m.Ready(); states["store"] != app.StateFailed {
		t.Errorf("store is %s after a failed stop, want failed", states["store"])
	}
}

func TestStopReturnsEveryErrorAndStopsTheRest(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	m := app.NewManager(discard(), nil)
	errA, errC := errors.New("a stuck"), errors.New("c stuck")
	m.Register(r.module("a", nil, nil, errA))
	m.Register(r.module("b", []string{"a"}, nil, nil))
	m.Register(r.module("c", []string{"b"}, nil, errC))
	m.Register(app.Module{Name: "d", Deps: []string{"c"}}) // no Start, no Stop
	plan, err := m.Plan([]string{"d"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background(), plan); err != nil {
		t.Fatal(err)
	}
	if ready, _ := m.Ready(); !ready {
		t.Fatal("not ready")
	}
	err = m.Stop(context.Background())
	if !errors.Is(err, errA) || !errors.Is(err, errC) || !strings.Contains(err.Error(), "stop a") || !strings.Contains(err.Error(), "stop c") {
		t.Fatalf("Stop = %v, want both errors naming their modules", err)
	}
	if got, want := r.log(), []string{"start a", "start b", "start c", "stop c", "stop b", "stop a"}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	_, states := m.Ready()
	want := map[string]app.State{"a": app.StateFailed, "b": app.StateStopped, "c": app.StateFailed, "d": app.StateStopped}
	for name, s := range want {
		if states[name] != s {
			t.Errorf("%s is %s, want %s", name, states[name], s)
		}
	}
}

func TestReadyWhileStarting(t *testing.T) {
	t.Parallel()
	// A module that checks readiness while it starts sees the manager not ready yet, with the
	// modules before it running and those after it new.
	m := app.NewManager(discard(), nil)
	var ready bool
	var states map[string]app.State
	m.Register(app.Module{Name: "first"})
	m.Register(app.Module{Name: "second", Deps: []string{"first"}, Start: func(context.Context) error {
		ready, states = m.Ready()
		return nil
	}})
	m.Register(app.Module{Name: "third", Deps: []string{"second"}})
	if err := m.Start(context.Background(), []string{"first", "second", "third"}); err != nil {
		t.Fatal(err)
	}
	if ready || states["first"] != app.StateRunning || states["second"] != app.StateNew || states["third"] != app.StateNew {
		t.Fatalf("during start: ready %v, states %v", ready, states)
	}
	if ok, _ := m.Ready(); !ok {
		t.Fatal("not ready after start")
	}
}

func TestConcurrentReadyDuringStartAndStop(t *testing.T) {
	t.Parallel()
	// Readiness probes run on other goroutines while modules start and stop; -race checks the
	// manager's locking.
	r := &recorder{}
	m := marquee(r, nil)
	plan, err := m.Plan([]string{"gateway"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, states := m.Ready()
				for name, s := range states {
					if !slices.Contains(plan, name) || s == app.StateFailed {
						t.Errorf("probe saw %s %s", name, s)
					}
				}
			}
		})
	}
	for range 20 {
		if err := m.Start(context.Background(), plan); err != nil {
			t.Fatal(err)
		}
		if err := m.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
