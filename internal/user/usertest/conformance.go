// Package usertest is the conformance suite every adapter of the user repositories must pass,
// and sample data for tests.
package usertest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/user"
)

// Repositories is one adapter's pair of repositories, both empty.
type Repositories struct {
	Users  user.Repository
	Tokens user.TokenRepository
}

// T0 is the time samples are made at: whole milliseconds, as every store keeps them.
var T0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

// SampleHash is a syntactically valid argon2id hash (of no particular password).
const SampleHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

// SampleUser returns a valid customer with a fresh id and the given (normalised) e-mail.
func SampleUser(email string) user.User {
	return user.User{ID: ids.New(), Email: email, Name: "Asha Rao", Phone: "+919876543210",
		Roles: []user.Role{user.RoleCustomer}, PasswordHash: SampleHash, PasswordChangedAt: T0,
		CreatedAt: T0, UpdatedAt: T0}
}

// SampleFamily returns an active family of userID created at T0 whose first token, also
// returned, expires after ttl.
func SampleFamily(userID string, ttl time.Duration) (user.Family, user.RefreshToken) {
	f := user.Family{ID: ids.New(), UserID: userID, CreatedAt: T0, ExpiresAt: T0.Add(ttl)}
	return f, SampleToken(f, T0, ttl)
}

// SampleToken returns an unused token of family f made at created, with a fresh random hash.
func SampleToken(f user.Family, created time.Time, ttl time.Duration) user.RefreshToken {
	_, hash, err := user.NewRefreshToken()
	if err != nil {
		panic(err) // only when the system random source fails
	}
	return user.RefreshToken{Hash: hash, FamilyID: f.ID, UserID: f.UserID, CreatedAt: created, ExpiresAt: created.Add(ttl)}
}

// nextToken is a token to rotate to: made at now, family and user left for Rotate to fill in.
func nextToken(now time.Time, ttl time.Duration) user.RefreshToken {
	t := SampleToken(user.Family{}, now, ttl)
	t.FamilyID, t.UserID = "", ""
	return t
}

const day = 24 * time.Hour

// Run runs the suite; newRepos returns empty repositories for each subtest.
func Run(t *testing.T, newRepos func(t *testing.T) Repositories) {
	ctx := context.Background()

	t.Run("users: create and get round-trip every field", func(t *testing.T) {
		r := newRepos(t).Users
		u := SampleUser("asha.rao@example.com")
		u.Roles = []user.Role{user.RoleCustomer, user.RoleTheatreAdmin}
		u.TheatreIDs = []string{ids.New(), ids.New()}
		u.PasswordChangedAt = T0.Add(time.Hour)
		u.UpdatedAt = T0.Add(2 * time.Hour)
		if err := r.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := r.Get(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(u) {
			t.Fatalf("got  %+v\nwant %+v", got, u)
		}
		plain := SampleUser("plain@example.com")
		plain.Phone = ""
		mustCreate(t, r, plain)
		if got, _ := r.Get(ctx, plain.ID); fmt.Sprint(got) != fmt.Sprint(plain) || got.TheatreIDs != nil {
			t.Fatalf("got  %+v\nwant %+v", got, plain)
		}
	})

	t.Run("users: get by e-mail ignores case", func(t *testing.T) {
		r := newRepos(t).Users
		u := SampleUser("asha.rao@example.com")
		mustCreate(t, r, u)
		for _, e := range []string{"asha.rao@example.com", "Asha.Rao@Example.COM", "  ASHA.RAO@EXAMPLE.COM "} {
			got, err := r.GetByEmail(ctx, e)
			if err != nil || got.ID != u.ID {
				t.Fatalf("by %q: %+v %v", e, got, err)
			}
		}
		if _, err := r.GetByEmail(ctx, "asha.rao@example.org"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another address: %v", err)
		}
	})

	t.Run("users: the store refuses a second account for an address, whatever its case", func(t *testing.T) {
		r := newRepos(t).Users
		first := SampleUser("Asha@Example.com") // stored as given: the store itself folds case
		mustCreate(t, r, first)
		for _, email := range []string{"asha@example.com", "ASHA@EXAMPLE.COM", "asha@example.COM", " asha@example.com"} {
			err := r.Create(ctx, SampleUser(email))
			if e := errs.As(err); err == nil || e.Code != errs.Conflict || e.Reason != user.ReasonEmailTaken {
				t.Fatalf("second account for %q: %v, want conflict EMAIL_TAKEN", email, err)
			}
		}
		if n, _ := r.Count(ctx); n != 1 {
			t.Fatalf("%d users, want 1", n)
		}
		if got, _ := r.Get(ctx, first.ID); got.Email != "Asha@Example.com" {
			t.Fatalf("the first account changed: %+v", got)
		}
		// Another address is fine.
		mustCreate(t, r, SampleUser("asha2@example.com"))
	})

	t.Run("users: concurrent sign-ups for one address: exactly one wins", func(t *testing.T) {
		r := newRepos(t).Users
		const n = 8
		results := make(chan error, n)
		for i := range n {
			go func() {
				email := "race@example.com"
				if i%2 == 1 {
					email = "RACE@example.com"
				}
				results <- r.Create(ctx, SampleUser(email))
			}()
		}
		won := 0
		for range n {
			switch err := <-results; {
			case err == nil:
				won++
			case errs.Is(err, errs.Conflict) && errs.As(err).Reason == user.ReasonEmailTaken:
			default:
				t.Fatal(err)
			}
		}
		if c, _ := r.Count(ctx); won != 1 || c != 1 {
			t.Fatalf("%d sign-ups succeeded, %d users stored; want exactly one", won, c)
		}
	})

	t.Run("users: duplicate id is a conflict", func(t *testing.T) {
		r := newRepos(t).Users
		u := SampleUser("one@example.com")
		mustCreate(t, r, u)
		again := u
		again.Email = "two@example.com"
		err := r.Create(ctx, again)
		if e := errs.As(err); err == nil || e.Code != errs.Conflict || e.Reason == user.ReasonEmailTaken {
			t.Fatalf("duplicate id: %v, want a conflict that is not about the e-mail", err)
		}
	})

	t.Run("users: unknown is not found", func(t *testing.T) {
		r := newRepos(t).Users
		if _, err := r.Get(ctx, ids.New()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("get: %v", err)
		}
		if _, err := r.GetByEmail(ctx, "nobody@example.com"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("get by e-mail: %v", err)
		}
		if _, err := r.Update(ctx, ids.New(), func(*user.User) error { return nil }); !errs.Is(err, errs.NotFound) {
			t.Fatalf("update: %v", err)
		}
	})

	t.Run("users: update applies the function atomically", func(t *testing.T) {
		r := newRepos(t).Users
		u := SampleUser("before@example.com")
		other := SampleUser("taken@example.com")
		mustCreate(t, r, u, other)
		tid := ids.New()
		got, err := r.Update(ctx, u.ID, func(x *user.User) error {
			x.Name = "Asha R."
			x.Roles = []user.Role{user.RoleCustomer, user.RoleTheatreAdmin}
			x.TheatreIDs = []string{tid}
			x.PasswordHash = SampleHash + "x"
			x.UpdatedAt = T0.Add(time.Minute)
			return nil
		})
		if err != nil || got.Name != "Asha R." {
			t.Fatalf("update: %+v %v", got, err)
		}
		stored, _ := r.Get(ctx, u.ID)
		if fmt.Sprint(stored) != fmt.Sprint(got) {
			t.Fatalf("stored %+v\nreturned %+v", stored, got)
		}
		if stored.TheatreIDs[0] != tid || stored.PasswordHash != SampleHash+"x" || !stored.UpdatedAt.Equal(T0.Add(time.Minute)) {
			t.Fatalf("stored %+v", stored)
		}

		boom := errs.E(errs.Invalid, "no")
		if _, err := r.Update(ctx, u.ID, func(x *user.User) error { x.Name = "Lost"; return boom }); err != boom {
			t.Fatalf("fn error: got %v, want it unchanged", err)
		}
		if again, _ := r.Get(ctx, u.ID); again.Name != "Asha R." {
			t.Fatalf("a failed update changed the user: %q", again.Name)
		}

		// Changing the e-mail to a taken one, in any case, is refused and changes nothing.
		_, err = r.Update(ctx, u.ID, func(x *user.User) error { x.Email = "Taken@Example.com"; x.Name = "Lost"; return nil })
		if e := errs.As(err); err == nil || e.Code != errs.Conflict || e.Reason != user.ReasonEmailTaken {
			t.Fatalf("update to a taken e-mail: %v", err)
		}
		if again, _ := r.Get(ctx, u.ID); again.Email != "before@example.com" || again.Name != "Asha R." {
			t.Fatalf("a refused update changed the user: %+v", again)
		}
		// Changing it to a free one moves the key with it.
		if _, err := r.Update(ctx, u.ID, func(x *user.User) error { x.Email = "after@example.com"; return nil }); err != nil {
			t.Fatal(err)
		}
		if got, err := r.GetByEmail(ctx, "AFTER@example.com"); err != nil || got.ID != u.ID {
			t.Fatalf("by the new e-mail: %v", err)
		}
		if _, err := r.GetByEmail(ctx, "before@example.com"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("by the old e-mail: %v", err)
		}
		mustCreate(t, r, SampleUser("before@example.com")) // the old address is free again
	})

	t.Run("users: count", func(t *testing.T) {
		r := newRepos(t).Users
		if n, err := r.Count(ctx); err != nil || n != 0 {
			t.Fatalf("empty: %d %v", n, err)
		}
		mustCreate(t, r, SampleUser("a@example.com"), SampleUser("b@example.com"))
		if n, err := r.Count(ctx); err != nil || n != 2 {
			t.Fatalf("count = %d, %v", n, err)
		}
	})

	t.Run("tokens: start a family and find its token", func(t *testing.T) {
		r := newRepos(t).Tokens
		f, tok := SampleFamily(ids.New(), 30*day)
		if err := r.StartFamily(ctx, f, tok); err != nil {
			t.Fatal(err)
		}
		gt, gf, err := r.FindToken(ctx, tok.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(gt) != fmt.Sprint(tok) || fmt.Sprint(gf) != fmt.Sprint(f) {
			t.Fatalf("got %+v %+v\nwant %+v %+v", gt, gf, tok, f)
		}
		if gt.Used() || gf.Revoked() {
			t.Fatal("a new token is used or revoked")
		}
		if err := r.StartFamily(ctx, f, SampleToken(f, T0, day)); !errs.Is(err, errs.Conflict) {
			t.Fatalf("the same family again: %v", err)
		}
		if _, _, err := r.FindToken(ctx, "0000"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown token: %v", err)
		}
	})

	t.Run("tokens: rotation marks the token used and stores the next in its family", func(t *testing.T) {
		r := newRepos(t).Tokens
		f, first := SampleFamily(ids.New(), 30*day)
		if err := r.StartFamily(ctx, f, first); err != nil {
			t.Fatal(err)
		}
		now := T0.Add(day)
		next := nextToken(now, 30*day)
		rot, err := r.Rotate(ctx, first.Hash, next, now)
		if err != nil || rot.Outcome != user.RotateOK {
			t.Fatalf("rotate: %+v %v", rot, err)
		}
		if rot.Token.Hash != first.Hash || rot.Token.Used() || rot.Family.ID != f.ID || rot.Token.UserID != f.UserID {
			t.Fatalf("rotation reports %+v, want the token as it was", rot)
		}
		old, _, _ := r.FindToken(ctx, first.Hash)
		if !old.UsedAt.Equal(now) {
			t.Fatalf("old token used at %v, want %v", old.UsedAt, now)
		}
		gotNext, fam, err := r.FindToken(ctx, next.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if gotNext.FamilyID != f.ID || gotNext.UserID != f.UserID || gotNext.Used() || !gotNext.ExpiresAt.Equal(now.Add(30*day)) {
			t.Fatalf("next token %+v", gotNext)
		}
		if !fam.ExpiresAt.Equal(now.Add(30 * day)) {
			t.Fatalf("family expires %v, want extended to %v", fam.ExpiresAt, now.Add(30*day))
		}

		// A chain of rotations.
		cur := next
		for i := range 3 {
			now = now.Add(time.Hour)
			n := nextToken(now, 30*day)
			if rot, err := r.Rotate(ctx, cur.Hash, n, now); err != nil || rot.Outcome != user.RotateOK {
				t.Fatalf("rotation %d: %+v %v", i, rot, err)
			}
			cur = n
		}
	})

	t.Run("tokens: a used token is a replay and stores nothing", func(t *testing.T) {
		r := newRepos(t).Tokens
		f, first := SampleFamily(ids.New(), 30*day)
		_ = r.StartFamily(ctx, f, first)
		now := T0.Add(time.Hour)
		if rot, err := r.Rotate(ctx, first.Hash, nextToken(now, 30*day), now); err != nil || rot.Outcome != user.RotateOK {
			t.Fatalf("%+v %v", rot, err)
		}
		replayNext := nextToken(now, 30*day)
		rot, err := r.Rotate(ctx, first.Hash, replayNext, now.Add(time.Minute))
		if err != nil || rot.Outcome != user.RotateReused {
			t.Fatalf("replay: %+v %v, want RotateReused", rot, err)
		}
		if rot.Family.ID != f.ID || rot.Token.UserID != f.UserID {
			t.Fatalf("replay reports %+v: the caller needs the family to revoke", rot)
		}
		if _, _, err := r.FindToken(ctx, replayNext.Hash); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a replay stored a token: %v", err)
		}
	})

	t.Run("tokens: a revoked family accepts none of its tokens", func(t *testing.T) {
		r := newRepos(t).Tokens
		f, first := SampleFamily(ids.New(), 30*day)
		_ = r.StartFamily(ctx, f, first)
		now := T0.Add(time.Hour)
		second := nextToken(now, 30*day)
		if _, err := r.Rotate(ctx, first.Hash, second, now); err != nil {
			t.Fatal(err)
		}
		if err := r.RevokeFamily(ctx, f.ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		_, fam, _ := r.FindToken(ctx, second.Hash)
		if !fam.Revoked() || !fam.RevokedAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("family %+v, want revoked at %v", fam, now.Add(time.Minute))
		}
		for name, hash := range map[string]string{"the newest (unused) token": second.Hash, "the used token": first.Hash} {
			n := nextToken(now, 30*day)
			rot, err := r.Rotate(ctx, hash, n, now.Add(2*time.Minute))
			if err != nil || rot.Outcome != user.RotateRevoked {
				t.Fatalf("%s: %+v %v, want RotateRevoked", name, rot, err)
			}
			if _, _, err := r.FindToken(ctx, n.Hash); !errs.Is(err, errs.NotFound) {
				t.Fatalf("%s: a revoked family got a new token", name)
			}
		}
		// Revoking again keeps the first revocation time; an unknown family is no error.
		if err := r.RevokeFamily(ctx, f.ID, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, fam, _ := r.FindToken(ctx, second.Hash); !fam.RevokedAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("revoked at %v after revoking twice", fam.RevokedAt)
		}
		if err := r.RevokeFamily(ctx, ids.New(), now); err != nil {
			t.Fatalf("unknown family: %v", err)
		}
	})

	t.Run("tokens: an expired token is refused and stays unused", func(t *testing.T) {
		r := newRepos(t).Tokens
		f, first := SampleFamily(ids.New(), day)
		_ = r.StartFamily(ctx, f, first)
		for _, at := range []time.Time{T0.Add(day), T0.Add(2 * day)} {
			rot, err := r.Rotate(ctx, first.Hash, nextToken(at, day), at)
			if err != nil || rot.Outcome != user.RotateExpired {
				t.Fatalf("at %v: %+v %v, want RotateExpired", at, rot, err)
			}
		}
		if tok, _, _ := r.FindToken(ctx, first.Hash); tok.Used() {
			t.Fatal("an expired token was marked used")
		}
		// A millisecond before expiry it still works.
		at := T0.Add(day - time.Millisecond)
		if rot, err := r.Rotate(ctx, first.Hash, nextToken(at, day), at); err != nil || rot.Outcome != user.RotateOK {
			t.Fatalf("just before expiry: %+v %v", rot, err)
		}
	})

	t.Run("tokens: unknown token is not found", func(t *testing.T) {
		r := newRepos(t).Tokens
		_, hash, _ := user.NewRefreshToken()
		if _, err := r.Rotate(ctx, hash, nextToken(T0, day), T0); !errs.Is(err, errs.NotFound) {
			t.Fatalf("rotate: %v", err)
		}
	})

	t.Run("tokens: revoke every family of a user but one", func(t *testing.T) {
		r := newRepos(t).Tokens
		uid, other := ids.New(), ids.New()
		var fams []user.Family
		var toks []user.RefreshToken
		for _, owner := range []string{uid, uid, uid, other} {
			f, tok := SampleFamily(owner, 30*day)
			if err := r.StartFamily(ctx, f, tok); err != nil {
				t.Fatal(err)
			}
			fams, toks = append(fams, f), append(toks, tok)
		}
		_ = r.RevokeFamily(ctx, fams[2].ID, T0) // already revoked: not counted again
		n, err := r.RevokeUserFamilies(ctx, uid, fams[0].ID, T0.Add(time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("revoked %d (%v), want 1", n, err)
		}
		for i, want := range []bool{false, true, true, false} {
			if _, f, _ := r.FindToken(ctx, toks[i].Hash); f.Revoked() != want {
				t.Errorf("family %d revoked = %v, want %v", i, f.Revoked(), want)
			}
		}
		if n, err := r.RevokeUserFamilies(ctx, uid, "", T0.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("revoke all: %d %v, want the one left", n, err)
		}
	})

	t.Run("tokens: expired tokens and families are deleted", func(t *testing.T) {
		r := newRepos(t).Tokens
		short, shortTok := SampleFamily(ids.New(), day)
		long, longTok := SampleFamily(ids.New(), 30*day)
		for _, p := range []struct {
			f user.Family
			t user.RefreshToken
		}{{short, shortTok}, {long, longTok}} {
			if err := r.StartFamily(ctx, p.f, p.t); err != nil {
				t.Fatal(err)
			}
		}
		// The long family rotates once: its used token expires at T0+30d, the next at T0+31d.
		next := nextToken(T0.Add(day-time.Hour), 30*day)
		if _, err := r.Rotate(ctx, longTok.Hash, next, T0.Add(day-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := r.DeleteExpired(ctx, T0.Add(day-time.Millisecond)); err != nil || n != 0 {
			t.Fatalf("before anything expired: deleted %d (%v)", n, err)
		}
		if n, err := r.DeleteExpired(ctx, T0.Add(day)); err != nil || n != 1 {
			t.Fatalf("deleted %d (%v), want the short family's token", n, err)
		}
		if _, _, err := r.FindToken(ctx, shortTok.Hash); !errs.Is(err, errs.NotFound) {
			t.Fatalf("expired token still found: %v", err)
		}
		if n, err := r.DeleteExpired(ctx, T0.Add(30*day)); err != nil || n != 1 {
			t.Fatalf("deleted %d (%v), want the long family's used token", n, err)
		}
		if _, f, err := r.FindToken(ctx, next.Hash); err != nil || f.ID != long.ID {
			t.Fatalf("the live token of a live family: %v", err)
		}
		if n, err := r.DeleteExpired(ctx, T0.Add(40*day)); err != nil || n != 1 {
			t.Fatalf("deleted %d (%v)", n, err)
		}
		// The families are gone too: starting one with the same id works again.
		if err := r.StartFamily(ctx, long, SampleToken(long, T0, day)); err != nil {
			t.Fatalf("family not deleted: %v", err)
		}
	})
}

// RunConcurrency races real concurrent callers on one adapter. Run it only on stores that are
// atomic under concurrency (SQLite; a real MongoDB, not FerretDB).
func RunConcurrency(t *testing.T, newRepos func(t *testing.T) Repositories) {
	ctx := context.Background()

	t.Run("concurrent refreshes of one token: exactly one wins", func(t *testing.T) {
		r := newRepos(t).Tokens
		for round := range 5 {
			f, first := SampleFamily(ids.New(), 30*day)
			if err := r.StartFamily(ctx, f, first); err != nil {
				t.Fatal(err)
			}
			const n = 12
			type result struct {
				rot  user.Rotation
				next user.RefreshToken
				err  error
			}
			results := make(chan result, n)
			var start sync.WaitGroup
			start.Add(1)
			for range n {
				go func() {
					next := nextToken(T0.Add(time.Hour), 30*day)
					start.Wait()
					rot, err := r.Rotate(ctx, first.Hash, next, T0.Add(time.Hour))
					results <- result{rot, next, err}
				}()
			}
			start.Done()
			won := 0
			for range n {
				res := <-results
				if res.err != nil {
					// A store may give up a contended rotation with a Conflict; it must not win.
					if !errs.Is(res.err, errs.Conflict) {
						t.Fatal(res.err)
					}
					continue
				}
				_, _, ferr := r.FindToken(ctx, res.next.Hash)
				switch res.rot.Outcome {
				case user.RotateOK:
					won++
					if ferr != nil {
						t.Fatalf("round %d: the winner's next token is not stored: %v", round, ferr)
					}
				case user.RotateReused:
					if !errs.Is(ferr, errs.NotFound) {
						t.Fatalf("round %d: a loser's next token was stored", round)
					}
				default:
					t.Fatalf("round %d: outcome %v", round, res.rot.Outcome)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d of %d concurrent refreshes of one token succeeded, want exactly 1", round, won, n)
			}
		}
	})

	t.Run("concurrent updates lose nothing", func(t *testing.T) {
		r := newRepos(t).Users
		u := SampleUser("busy@example.com")
		mustCreate(t, r, u)
		const writers = 8
		results := make(chan error, writers)
		for i := range writers {
			go func() {
				_, err := r.Update(ctx, u.ID, func(x *user.User) error {
					x.Name += fmt.Sprint(i)
					return nil
				})
				results <- err
			}()
		}
		won := 0
		for range writers {
			switch err := <-results; {
			case err == nil:
				won++
			case errs.Is(err, errs.Conflict):
			default:
				t.Fatal(err)
			}
		}
		got, _ := r.Get(ctx, u.ID)
		if len(got.Name) != len("Asha Rao")+won {
			t.Fatalf("name %q after %d successful updates: an update was lost", got.Name, won)
		}
	})
}

func mustCreate(t *testing.T, r user.Repository, us ...user.User) {
	t.Helper()
	for _, u := range us {
		if err := r.Create(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
}
