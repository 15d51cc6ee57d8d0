package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// settleTimeout bounds the store writes that record an attempt's result, which run even when
// the worker is being stopped.
const settleTimeout = 10 * time.Second

// maxResponseDrain is how much of a receiver's answer is read, so that the connection is reused.
const maxResponseDrain = 64 << 10

// notify wakes Run: there is a new delivery due now.
func (p *Provider) notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run delivers queued webhooks until ctx ends, then waits for the attempts in flight and returns
// nil. It keeps up to Concurrency attempts in flight, claiming only as many deliveries as it has
// room for (so that it never sits on leases it is not using); it looks for due deliveries when
// this instance queues an event, when an attempt finishes while it is saturated, and every
// PollInterval otherwise (to pick up retries, refunds and events queued by other instances). Now
// and then it repairs interrupted session writes (Store.RecoverOutbox). Run it once per process;
// several processes may run it on one store.
func (p *Provider) Run(ctx context.Context) error {
	ticker := time.NewTicker(p.cfg.PollInterval)
	defer ticker.Stop()
	inFlight := make(chan struct{}, p.cfg.Concurrency) // one token per attempt in flight
	freed := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	var lastRecover time.Time
	for {
		if now := time.Now(); now.Sub(lastRecover) >= p.cfg.RecoverAfter/2 {
			lastRecover = now
			if _, err := p.RecoverOutbox(ctx); err != nil && ctx.Err() == nil {
				p.cfg.Log.WarnContext(ctx, "sandbox: recovering queued webhooks failed", "err", err)
			}
		}
		room := min(cap(inFlight)-len(inFlight), p.cfg.BatchSize)
		saturated := room == 0
		if room > 0 {
			due, err := p.store.ClaimDue(ctx, p.now(), p.cfg.Lease, room)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				p.cfg.Log.WarnContext(ctx, "sandbox: claiming due webhooks failed", "err", err)
			}
			for _, d := range due {
				inFlight <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					p.attempt(ctx, d)
					<-inFlight
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
			}
			if len(due) == room {
				saturated = true
				if cap(inFlight)-len(inFlight) > 0 {
					continue // more may be due, and there is room for them
				}
			}
		}
		var whenFreed chan struct{}
		if saturated {
			whenFreed = freed
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-p.wake:
		case <-whenFreed:
		}
	}
}

// RecoverOutbox queues the events of session writes that were interrupted more than RecoverAfter
// ago (see Store.RecoverOutbox) and returns how many sessions it repaired.
func (p *Provider) RecoverOutbox(ctx context.Context) (int, error) {
	return p.store.RecoverOutbox(ctx, p.cfg.RecoverAfter, p.cfg.BatchSize)
}

// DeliverDue claims up to BatchSize due deliveries, attempts them (Concurrency at a time), records
// each result, and returns how many it claimed: one pass of what Run does continuously, for a
// periodic job or a test.
func (p *Provider) DeliverDue(ctx context.Context) (int, error) {
	due, err := p.store.ClaimDue(ctx, p.now(), p.cfg.Lease, p.cfg.BatchSize)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, p.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, d := range due {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			p.attempt(ctx, d)
		}()
	}
	wg.Wait()
	return len(due), nil
}

// attempt sends one claimed delivery and records the result.
func (p *Provider) attempt(ctx context.Context, d Delivery) {
	sendErr := p.send(ctx, d)
	// Record the result even when ctx ended during the attempt; if that fails too, the lease runs
	// out and the delivery is attempted again.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	now := p.now()
	log := p.cfg.Log.With("eventId", d.EventID, "type", string(d.Type), "delivery", d.ID, "attempt", d.Attempts)
	if sendErr == nil {
		if !d.Duplicate && p.cfg.DuplicateRate > 0 && rand.Float64() < p.cfg.DuplicateRate {
			dup := d
			dup.ID, dup.Duplicate, dup.Attempts, dup.LeaseUntil, dup.LeaseToken, dup.LastError = d.ID+"-dup", true, 0, time.Time{}, "", ""
			dup.NextAttemptAt, dup.CreatedAt = now.Add(p.cfg.InitialBackoff), now
			if err := p.store.Enqueue(sctx, dup); err != nil {
				log.WarnContext(ctx, "sandbox: queueing a duplicate webhook failed", "err", err)
			}
		}
		if err := p.store.Finish(sctx, d.ID, d.LeaseToken, DeliveryDelivered, now, ""); err != nil {
			log.WarnContext(ctx, "sandbox: recording a delivered webhook failed", "err", err)
		}
		return
	}
	next := now.Add(p.backoff(d.Attempts))
	if (p.cfg.MaxAttempts > 0 && d.Attempts >= p.cfg.MaxAttempts) || next.Sub(d.CreatedAt) > p.cfg.MaxAge {
		log.ErrorContext(ctx, "sandbox: giving up delivering a webhook", "err", sendErr)
		if err := p.store.Finish(sctx, d.ID, d.LeaseToken, DeliveryFailed, now, sendErr.Error()); err != nil {
			log.WarnContext(ctx, "sandbox: recording a failed webhook failed", "err", err)
		}
		return
	}
	log.InfoContext(ctx, "sandbox: webhook delivery failed; will retry", "err", sendErr, "retryAt", next)
	if err := p.store.Retry(sctx, d.ID, d.LeaseToken, next, sendErr.Error()); err != nil {
		log.WarnContext(ctx, "sandbox: scheduling a webhook retry failed", "err", err)
	}
}

// backoff is the wait after the attempts-th failed attempt: InitialBackoff doubled per earlier
// failure, capped at MaxBackoff, plus up to 10% jitter so that retries do not march in step.
func (p *Provider) backoff(attempts int) time.Duration {
	d := p.cfg.InitialBackoff
	for i := 1; i < attempts && d < p.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.cfg.MaxBackoff)
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

// send POSTs a delivery's payload, signed now, and succeeds on a 2xx answer.
func (p *Provider) send(ctx context.Context, d Delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.WebhookURL, bytes.NewReader(d.Payload))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Marquee-Sandbox-Webhooks/1")
	p.signer.Sign(req.Header, d.Payload, p.now())
	resp, err := p.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseDrain))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("receiver answered %s", resp.Status)
	}
	return nil
}
