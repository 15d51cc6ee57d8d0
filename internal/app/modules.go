package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Module is one unit the manager starts and stops: a service, a store, a server.
type Module struct {
	Name string
	// Deps are the modules that must be running before this one starts.
	Deps []string
	// Start initialises and starts the module. It must return promptly; long-running work goes
	// into goroutines that Stop ends.
	Start func(ctx context.Context) error
	// Stop ends the module within ctx's deadline. May be nil.
	Stop func(ctx context.Context) error
}

// State is a module's life-cycle state.
type State string

// The states.
const (
	StateNew      State = "new"
	StateRunning  State = "running"
	StateStopping State = "stopping"
	StateStopped  State = "stopped"
	StateFailed   State = "failed"
)

// Manager starts modules in dependency order and stops them in reverse. It knows every module
// and each module's state, for readiness.
type Manager struct {
	log      *slog.Logger
	modules  map[string]*Module
	order    []string // registration order, for deterministic starts
	mu       sync.Mutex
	states   map[string]State
	started  []string
	onChange func(name string, s State)
}

// NewManager returns an empty manager. onChange, when non-nil, hears every state change.
func NewManager(log *slog.Logger, onChange func(name string, s State)) *Manager {
	return &Manager{log: log, modules: map[string]*Module{}, states: map[string]State{}, onChange: onChange}
}

// Register adds a module. Registering a name twice is a programming error.
func (m *Manager) Register(mod Module) {
	if _, dup := m.modules[mod.Name]; dup {
		panic("app: module registered twice: " + mod.Name)
	}
	m.modules[mod.Name] = &mod
	m.order = append(m.order, mod.Name)
}

// Plan returns the modules needed for targets, dependencies first.
func (m *Manager) Plan(targets []string) ([]string, error) {
	var plan []string
	visiting := map[string]bool{}
	done := map[string]bool{}
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		if done[name] {
			return nil
		}
		mod, ok := m.modules[name]
		if !ok {
			return fmt.Errorf("unknown module %q", name)
		}
		if visiting[name] {
			return fmt.Errorf("module dependency cycle: %v", append(path, name))
		}
		visiting[name] = true
		for _, d := range mod.Deps {
			if err := visit(d, append(path, name)); err != nil {
				return err
			}
		}
		visiting[name] = false
		done[name] = true
		plan = append(plan, name)
		return nil
	}
	// Visit in registration order so the plan does not depend on the target's spelling.
	for _, name := range m.order {
		if slices.Contains(targets, name) {
			if err := visit(name, nil); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range targets {
		if _, ok := m.modules[t]; !ok {
			return nil, fmt.Errorf("unknown module %q", t)
		}
	}
	return plan, nil
}

// Start starts the planned modules in order. When one fails, those already started are
// stopped in reverse and the error is returned.
func (m *Manager) Start(ctx context.Context, plan []string) error {
	for _, name := range plan {
		m.set(name, StateNew)
	}
	for _, name := range plan {
		mod := m.modules[name]
		begin := time.Now()
		if mod.Start != nil {
			if err := mod.Start(ctx); err != nil {
				m.set(name, StateFailed)
				stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				defer cancel()
				return errors.Join(fmt.Errorf("start %s: %w", name, err), m.Stop(stopCtx))
			}
		}
		m.mu.Lock()
		m.started = append(m.started, name)
		m.mu.Unlock()
		m.set(name, StateRunning)
		m.log.Debug("module started", "module", name, "duration", time.Since(begin))
	}
	return nil
}

// Stop stops the started modules in reverse order, each within ctx. It returns every error.
func (m *Manager) Stop(ctx context.Context) error {
	m.mu.Lock()
	started := m.started
	m.started = nil
	m.mu.Unlock()
	var all []error
	for i := len(started) - 1; i >= 0; i-- {
		name := started[i]
		m.set(name, StateStopping)
		if stop := m.modules[name].Stop; stop != nil {
			if err := stop(ctx); err != nil {
				all = append(all, fmt.Errorf("stop %s: %w", name, err))
				m.set(name, StateFailed)
				continue
			}
		}
		m.set(name, StateStopped)
		m.log.Debug("module stopped", "module", name)
	}
	return errors.Join(all...)
}

// Ready reports whether every planned module is running, and the states otherwise.
func (m *Manager) Ready() (bool, map[string]State) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ready := len(m.states) > 0
	out := make(map[string]State, len(m.states))
	for k, v := range m.states {
		out[k] = v
		if v != StateRunning {
			ready = false
		}
	}
	return ready, out
}

func (m *Manager) set(name string, s State) {
	m.mu.Lock()
	m.states[name] = s
	m.mu.Unlock()
	if m.onChange != nil {
		m.onChange(name, s)
	}
}
