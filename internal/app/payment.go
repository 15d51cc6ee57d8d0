package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	paymentv1 "github.com/marquee-cinema/marquee/api/proto/marquee/payment/v1"
	"github.com/marquee-cinema/marquee/internal/gateway"
	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/payment/paymentgrpc"
	"github.com/marquee-cinema/marquee/internal/payment/paymentmongo"
	"github.com/marquee-cinema/marquee/internal/payment/paymentsqlite"
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
)

// publicURL is the site's public base URL: --public-url, else this process's HTTP listener
// (on the loopback address when it listens on every interface).
func (a *App) publicURL() string {
	if a.cfg.PublicURL != "" {
		return strings.TrimSuffix(a.cfg.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(a.HTTPAddr())
	if err != nil {
		return "http://" + a.HTTPAddr()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// serviceTokens returns the tokens a service of this process calls others with; it needs the
// signing key (--jwt-key in a split deployment).
func (a *App) serviceTokens(name string) (*auth.ServiceTokens, error) {
	if a.signingKey == nil {
		return auth.NewServiceTokens(nil, name), nil
	}
	issuer, err := auth.NewIssuer(a.signingKey, a.clock)
	if err != nil {
		return nil, err
	}
	return auth.NewServiceTokens(issuer, name), nil
}

// webhookSecrets are the secrets signing the sandbox's webhooks: --payment-webhook-secret
// (comma-separated while rotating), else one generated once into --data-dir.
func (a *App) webhookSecrets() ([]string, error) {
	if a.cfg.PaymentWebhookSecret != "" {
		var out []string
		for _, s := range strings.Split(a.cfg.PaymentWebhookSecret, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	s, err := payment.LoadOrCreateSecret(a.cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("webhook secret in --data-dir: %w", err)
	}
	return []string{s}, nil
}

func (a *App) startPayment(ctx context.Context) error {
	var repos payment.Repository
	var events payment.EventRepository
	var sandboxStore sandbox.Store
	if a.mongoDB != nil {
		st, err := paymentmongo.New(ctx, a.mongoDB)
		if err != nil {
			return fmt.Errorf("payment store: %w", err)
		}
		repos, events, sandboxStore = st.Payments, st.Events, st.Sandbox
	} else {
		st, err := paymentsqlite.New(ctx, a.sqlDB)
		if err != nil {
			return fmt.Errorf("payment store: %w", err)
		}
		repos, events, sandboxStore = st.Payments, st.Events, st.Sandbox
	}
	secrets, err := a.webhookSecrets()
	if err != nil {
		return err
	}
	base := a.publicURL()
	provider, err := sandbox.New(sandboxStore, sandbox.Config{BaseURL: base, WebhookURL: base + "/webhooks/payments/" + sandbox.Name,
		Secrets: secrets, Clock: a.clock, Log: a.log.With("component", "sandbox")})
	if err != nil {
		return err
	}
	p, err := a.peers()
	if err != nil {
		return err
	}
	tokens, err := a.serviceTokens(ModulePayment)
	if err != nil {
		return err
	}
	svc := payment.NewService(repos, events, paymentgrpc.NewBookings(p.bookings, tokens), a.clock, a.log, provider)
	// An open payment is asked about once it is a reconciliation interval old (at most 30 s).
	svc.SetReconcileAfter(min(a.cfg.PaymentReconcileInterval, payment.ReconcileAfter))
	a.registerService(&paymentv1.PaymentService_ServiceDesc, paymentgrpc.NewServer(svc))
	a.mux.Handle(sandbox.PagePath, provider.Handler())
	if !a.runs(ModuleGateway) {
		// Without a gateway here, this process takes its provider's webhooks itself, so that
		// --public-url can name it for both the pages and the webhooks.
		conn, err := a.clientConn(ModulePayment)
		if err != nil {
			return err
		}
		a.mux.Handle("POST /webhooks/payments/{provider}", gateway.WebhookHandler(paymentv1.NewPaymentServiceClient(conn), a.log))
	}
	a.background("sandbox webhooks", provider.Run)
	a.every(a.cfg.PaymentReconcileInterval, "payment reconciliation", func(ctx context.Context) error {
		_, err := svc.Reconcile(ctx)
		return err
	})
	return nil
}

// background runs job until the process stops.
func (a *App) background(name string, job func(ctx context.Context) error) {
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		if err := job(a.jobsCtx); err != nil && !errors.Is(err, context.Canceled) && a.jobsCtx.Err() == nil {
			a.log.Error("background job stopped", "job", name, "error", err)
		}
	}()
}
