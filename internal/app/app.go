// Package app wires Marquee together: it turns a configuration into modules (stores, services,
// the gateway, servers), starts the ones the target needs in dependency order, serves HTTP and
// gRPC, and stops everything in reverse.
package app

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fullstorydev/grpchan"
	"github.com/fullstorydev/grpchan/inprocgrpc"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	paymentv1 "github.com/marquee-cinema/marquee/api/proto/marquee/payment/v1"
	showv1 "github.com/marquee-cinema/marquee/api/proto/marquee/show/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	userv1 "github.com/marquee-cinema/marquee/api/proto/marquee/user/v1"
	"github.com/marquee-cinema/marquee/internal/audit"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlockredis"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/cache"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/config"
	"github.com/marquee-cinema/marquee/internal/platform/grpcx"
	"github.com/marquee-cinema/marquee/internal/platform/metrics"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
	"github.com/marquee-cinema/marquee/internal/platform/session"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/user/usergrpc"
)

// App is one Marquee process: the modules of its target and the servers in front of them.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	clock   clock.Clock
	metrics *metrics.Metrics
	manager *Manager
	plan    []string

	httpListener net.Listener
	httpServer   *http.Server
	mux          *http.ServeMux
	grpcListener net.Listener
	grpcServer   *grpc.Server
	inproc       *inprocgrpc.Channel // in-process streams
	local        *localConn          // in-process unary calls (and streams, through inproc)
	health       *health.Server

	// Set by the store module.
	sqlDB   *sql.DB
	mongoDB *mongo.Database
	mongoCl *mongo.Client

	svc services

	targets    []string
	signingKey ed25519.PrivateKey
	verifier   *auth.CachingVerifier
	memLimiter *ratelimit.Memory
	audit      audit.Repository
	eventBus   pubsub.Bus
	seatLocker *seatlockredis.Locker // when the booking module runs on Redis
	sessions   *session.Signer
	jobs       sync.WaitGroup
	stopJobs   context.CancelFunc
	jobsCtx    context.Context

	redis    redis.UniversalClient
	memCache *cache.Memory
	demoStop context.CancelFunc
	demoDone chan struct{}

	mu      sync.Mutex
	conns   map[string]*grpc.ClientConn // by address
	serving sync.WaitGroup
}

// Options are what tests and the command line may set besides the configuration.
type Options struct {
	Log   *slog.Logger
	Clock clock.Clock
}

// New builds the app for cfg and binds its listeners, so their addresses are known (":0" in
// tests) before Start. Nothing runs until Start.
func New(cfg config.Config, o Options) (*App, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	targets, err := config.ParseTarget(cfg.Target)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: o.Log, clock: o.Clock, metrics: metrics.New(), mux: http.NewServeMux(),
		health: health.NewServer(), targets: targets}
	a.jobsCtx, a.stopJobs = context.WithCancel(context.Background())
	a.manager = NewManager(a.log, a.onModuleState)
	a.registerModules()
	if a.plan, err = a.manager.Plan(append(targets, a.extraTargets(targets)...)); err != nil {
		return nil, err
	}
	if err := a.checkPeers(); err != nil {
		return nil, err
	}
	if err := a.resolveKeys(); err != nil {
		return nil, err
	}
	if err := a.resolveSessionKey(); err != nil {
		return nil, err
	}

	ic := grpcx.ServerInterceptors{Log: a.log, Metrics: a.metrics}
	ai := auth.ServerInterceptor(a.verifier).IgnoreInvalidFor(usergrpc.PublicMethods...)
	si := a.sessions
	a.grpcServer = grpc.NewServer(grpc.ChainUnaryInterceptor(ic.Unary(), ai.Unary(), si.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(ic.Stream(), ai.Stream(), si.StreamServerInterceptor()))
	unary := chainUnary(ic.Unary(), ai.Unary(), si.UnaryServerInterceptor())
	a.inproc = new(inprocgrpc.Channel).WithServerUnaryInterceptor(unary).
		WithServerStreamInterceptor(chainStream(ic.Stream(), ai.Stream(), si.StreamServerInterceptor()))
	a.local = newLocalConn(a.inproc, unary)
	healthpb.RegisterHealthServer(a.grpcServer, a.health)

	if a.httpListener, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("listen on --http-addr %s: %w", cfg.HTTPAddr, err)
	}
	if cfg.GRPCAddr != "" {
		if a.grpcListener, err = net.Listen("tcp", cfg.GRPCAddr); err != nil {
			_ = a.httpListener.Close()
			return nil, fmt.Errorf("listen on --grpc-addr %s: %w", cfg.GRPCAddr, err)
		}
	}
	a.mountOperational()
	a.httpServer = &http.Server{Handler: a.httpHandler(), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	return a, nil
}

// HTTPAddr is the bound HTTP address.
func (a *App) HTTPAddr() string { return a.httpListener.Addr().String() }

// GRPCAddr is the bound gRPC address, or "" when gRPC is disabled.
func (a *App) GRPCAddr() string {
	if a.grpcListener == nil {
		return ""
	}
	return a.grpcListener.Addr().String()
}

// Plan is the modules this app runs, in start order.
func (a *App) Plan() []string { return slices.Clone(a.plan) }

// Start serves HTTP at once (so /healthz answers during start-up), starts the modules, and then
// serves gRPC. On error everything started is stopped again.
func (a *App) Start(ctx context.Context) error {
	a.serving.Add(1)
	go func() {
		defer a.serving.Done()
		if err := a.httpServer.Serve(a.httpListener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server stopped", "error", err)
		}
	}()
	if err := a.manager.Start(ctx, a.plan); err != nil {
		a.stopJobs()
		a.jobs.Wait()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = a.httpServer.Shutdown(shutdownCtx)
		a.closeConns()
		return err
	}
	if a.grpcListener != nil {
		a.serving.Add(1)
		go func() {
			defer a.serving.Done()
			if err := a.grpcServer.Serve(a.grpcListener); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				a.log.Error("grpc server stopped", "error", err)
			}
		}()
	}
	a.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	return nil
}

// Stop drains the servers, then stops the modules in reverse order, all within ctx.
func (a *App) Stop(ctx context.Context) error {
	a.health.Shutdown()
	var all []error
	if err := a.httpServer.Shutdown(ctx); err != nil {
		all = append(all, fmt.Errorf("http shutdown: %w", err))
	}
	stopped := make(chan struct{})
	go func() { a.grpcServer.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-ctx.Done():
		a.grpcServer.Stop()
	}
	a.stopJobs()
	a.jobs.Wait()
	a.closeConns()
	if err := a.manager.Stop(ctx); err != nil {
		all = append(all, err)
	}
	a.serving.Wait()
	return errors.Join(all...)
}

func (a *App) closeConns() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.conns {
		_ = c.Close()
	}
	a.conns = nil
}

func (a *App) onModuleState(name string, s State) {
	up := 0.0
	if s == StateRunning {
		up = 1
	}
	a.metrics.ModuleUp.WithLabelValues(name).Set(up)
	if slices.Contains(serviceNames, name) {
		st := healthpb.HealthCheckResponse_NOT_SERVING
		if s == StateRunning {
			st = healthpb.HealthCheckResponse_SERVING
		}
		for _, svc := range grpcServiceNames[name] {
			a.health.SetServingStatus(svc, st)
		}
	}
}

// runs reports whether a module runs in this process.
func (a *App) runs(module string) bool { return slices.Contains(a.plan, module) }

// clientConn returns a connection to the service module: the in-process channel when the
// module runs here, else a network connection to addr.
func (a *App) clientConn(module string) (grpc.ClientConnInterface, error) {
	addr := a.cfg.PeerAddr(module)
	if a.runs(module) {
		ch := grpchan.InterceptClientConn(a.local, grpcx.UnaryClient(), grpcx.StreamClient())
		return grpchan.InterceptClientConn(ch, forwardIdentity, forwardIdentityStream), nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if conn, ok := a.conns[addr]; ok {
		return conn, nil
	}
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(grpcx.UnaryClient(), forwardIdentity),
		grpc.WithChainStreamInterceptor(grpcx.StreamClient(), forwardIdentityStream))
	if err != nil {
		return nil, fmt.Errorf("connect to the %s service at %s: %w", module, addr, err)
	}
	if a.conns == nil {
		a.conns = map[string]*grpc.ClientConn{}
	}
	a.conns[addr] = conn
	return conn, nil
}

// peers are the gRPC clients of the services, each over the in-process channel when the service
// runs here, else over the network; nil for a service this process can reach neither way
// (checkPeers makes sure every module has those it needs).
type peers struct {
	users    userv1.UserServiceClient
	movies   moviev1.MovieServiceClient
	theatres theatrev1.TheatreServiceClient
	shows    showv1.ShowServiceClient
	bookings bookingv1.BookingServiceClient
	payments paymentv1.PaymentServiceClient
}

func (a *App) peers() (peers, error) {
	var p peers
	conn := func(module string) (grpc.ClientConnInterface, error) {
		if !a.runs(module) && a.cfg.PeerAddr(module) == "" {
			return nil, nil
		}
		return a.clientConn(module)
	}
	for module, set := range map[string]func(grpc.ClientConnInterface){
		ModuleUser:    func(c grpc.ClientConnInterface) { p.users = userv1.NewUserServiceClient(c) },
		ModuleMovie:   func(c grpc.ClientConnInterface) { p.movies = moviev1.NewMovieServiceClient(c) },
		ModuleTheatre: func(c grpc.ClientConnInterface) { p.theatres = theatrev1.NewTheatreServiceClient(c) },
		ModuleShow:    func(c grpc.ClientConnInterface) { p.shows = showv1.NewShowServiceClient(c) },
		ModuleBooking: func(c grpc.ClientConnInterface) { p.bookings = bookingv1.NewBookingServiceClient(c) },
		ModulePayment: func(c grpc.ClientConnInterface) { p.payments = paymentv1.NewPaymentServiceClient(c) },
	} {
		c, err := conn(module)
		if err != nil {
			return peers{}, err
		}
		if c != nil {
			set(c)
		}
	}
	return p, nil
}

// registerService registers a gRPC service on both the network server and the in-process channel.
func (a *App) registerService(desc *grpc.ServiceDesc, impl any) {
	a.grpcServer.RegisterService(desc, impl)
	a.inproc.RegisterService(desc, impl)
	a.local.register(desc, impl)
}

// openStore opens the configured store: MongoDB when --mongo-uri is set, else SQLite in --data-dir.
func (a *App) openStore(ctx context.Context) error {
	if a.cfg.MongoURI != "" {
		cl, db, err := mongodb.Connect(ctx, a.cfg.MongoURI)
		if err != nil {
			return err
		}
		a.mongoCl, a.mongoDB = cl, db
		return nil
	}
	db, err := sqlitedb.Open(ctx, filepath.Join(a.cfg.DataDir, sqlitedb.FileName))
	if err != nil {
		return err
	}
	a.sqlDB = db
	return nil
}

func (a *App) closeStore(ctx context.Context) error {
	if a.mongoCl != nil {
		return a.mongoCl.Disconnect(ctx)
	}
	if a.sqlDB != nil {
		return a.sqlDB.Close()
	}
	return nil
}

// mountOperational adds /healthz, /readyz and /metrics.
func (a *App) mountOperational() {
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	a.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		ready, states := a.manager.Ready()
		w.Header().Set("Content-Type", "application/json")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ready": ready, "modules": states})
	})
	a.mux.Handle("GET /metrics", a.metrics.Handler())
}

// httpHandler wraps the mux with request metrics and panic recovery.
func (a *App) httpHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				a.log.ErrorContext(r.Context(), "panic in http handler", "path", r.URL.Path, "panic", p)
				if !rec.wrote {
					http.Error(rec, "internal error", http.StatusInternalServerError)
				}
			}
			_, route := a.mux.Handler(r)
			if route == "" {
				route = "unmatched"
			}
			a.metrics.HTTP.WithLabelValues(route, fmt.Sprint(rec.status)).Observe(time.Since(start).Seconds())
		}()
		a.mux.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (flush, hijack).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// openRedis connects to --redis-url and checks that it answers.
func (a *App) openRedis(ctx context.Context) error {
	opt, err := redis.ParseURL(a.cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("--redis-url: %w", err)
	}
	client := redis.NewClient(opt)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		_ = client.Close()
		return fmt.Errorf("redis at %s does not answer: %w", opt.Addr, err)
	}
	a.redis = client
	return nil
}

func (a *App) closeRedis(context.Context) error {
	if a.redis == nil {
		return nil
	}
	return a.redis.Close()
}

// cache is Redis when configured, else one in-process cache shared by this process's modules.
func (a *App) cache() cache.Cache {
	if a.redis != nil {
		return cache.NewRedis(a.redis, a.cfg.RedisPrefix+"cache:", func(err error) { a.log.Warn("redis cache", "error", err) })
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.memCache == nil {
		a.memCache = cache.NewMemory(10_000)
	}
	return a.memCache
}

// every runs job every interval in the background until the app stops, logging failures.
func (a *App) every(interval time.Duration, name string, job func(ctx context.Context) error) {
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-a.jobsCtx.Done():
				return
			case <-t.C:
				if err := job(a.jobsCtx); err != nil && a.jobsCtx.Err() == nil {
					a.log.Warn("background job failed", "job", name, "error", err)
				}
			}
		}
	}()
}
