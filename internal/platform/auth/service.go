package auth

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// ServiceTokens issues the access token a Marquee service presents when it calls another one on
// its own behalf (a webhook confirming a booking, a sweeper cancelling a payment): role
// RoleService, subject "service:<name>". A token is reused until half its life has passed.
type ServiceTokens struct {
	issuer *Issuer
	name   string

	mu    sync.Mutex
	token AccessToken
	renew time.Time
}

// NewServiceTokens returns the tokens of the named service, signed by issuer. A nil issuer (a
// process without the signing key) makes every Context call fail.
func NewServiceTokens(issuer *Issuer, name string) *ServiceTokens {
	return &ServiceTokens{issuer: issuer, name: name}
}

// Identity is the identity the service acts with.
func (s *ServiceTokens) Identity() Identity {
	return Identity{UserID: "service:" + s.name, Roles: []string{RoleService}}
}

// Context returns ctx acting as the service: its identity, and its token in the outgoing gRPC
// metadata, in place of any caller's.
func (s *ServiceTokens) Context(ctx context.Context) (context.Context, error) {
	if s == nil || s.issuer == nil {
		return ctx, fmt.Errorf("auth: this process cannot sign service tokens: give it --jwt-key")
	}
	s.mu.Lock()
	now := s.issuer.clock.Now()
	if s.token.Token == "" || !now.Before(s.renew) {
		t, err := s.issuer.Issue(s.Identity())
		if err != nil {
			s.mu.Unlock()
			return ctx, err
		}
		s.token, s.renew = t, now.Add(s.issuer.TTL()/2)
	}
	token := s.token.Token
	s.mu.Unlock()
	ctx = WithToken(WithIdentity(ctx, s.Identity()), token)
	return ToOutgoing(ctx, token), nil
}
