package sandbox

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// maxFormBody bounds the hosted page's POST body.
const maxFormBody = 4 << 10

// Handler serves the hosted payment pages:
//
//	GET  /sandbox/pay/{sessionId}  the page: merchant, booking reference, amount, Pay and Decline
//	POST /sandbox/pay/{sessionId}  form outcome=success|decline: completes the session
//
// GET answers 200 for an open or completed session, 404 for an unknown one and 410 for an
// expired or cancelled one. POST answers 200 with the result page (or 303 to the session's
// ReturnURL, with session_id and status added to its query) when the session ends with the
// outcome asked — also when it had already — 409 when it had ended with the other outcome, 410
// when it expired or was cancelled, 400 for a bad outcome and 404 for an unknown session. Mount
// it at PagePath.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PagePath+"{sessionId}", p.servePage)
	mux.HandleFunc("POST "+PagePath+"{sessionId}", p.serveSubmit)
	return mux
}

func (p *Provider) servePage(w http.ResponseWriter, r *http.Request) {
	s, err := p.Session(r.Context(), r.PathValue("sessionId"))
	if err != nil {
		p.serveError(w, r, err)
		return
	}
	p.page.render(w, p.sessionPage(s))
}

func (p *Provider) serveSubmit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("sessionId")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		p.page.render(w, pageData{Code: http.StatusBadRequest, Title: "Bad request", Tone: "error",
			Message: "The form could not be read. Go back and try again."})
		return
	}
	outcome := Outcome(r.PostForm.Get("outcome"))
	if outcome != OutcomeSuccess && outcome != OutcomeDecline {
		if _, err := p.Session(r.Context(), id); err != nil {
			p.serveError(w, r, err)
			return
		}
		p.page.render(w, pageData{Code: http.StatusBadRequest, Title: "Choose Pay or Decline", Tone: "error",
			Message: "The form must say whether to pay or to decline."})
		return
	}
	s, _, err := p.Complete(r.Context(), id, outcome)
	if e := errs.As(err); err != nil && (e.Reason == ReasonSessionExpired || e.Reason == ReasonSessionCancelled) {
		// The page for the session as it stands says so.
		if s, gerr := p.Session(r.Context(), id); gerr == nil {
			p.page.render(w, p.sessionPage(s))
			return
		}
	}
	if err != nil {
		p.serveError(w, r, err)
		return
	}
	want := payment.SessionPaid
	if outcome == OutcomeDecline {
		want = payment.SessionDeclined
	}
	if s.Status == want && s.ReturnURL != "" {
		http.Redirect(w, r, returnURL(s), http.StatusSeeOther)
		return
	}
	data := p.sessionPage(s)
	if s.Status != want {
		data.Code = http.StatusConflict
		data.Message = "This payment was already completed, with another outcome. " + data.Message
	}
	p.page.render(w, data)
}

// returnURL is the session's ReturnURL with session_id and status added to its query.
func returnURL(s Session) string {
	u, err := url.Parse(s.ReturnURL)
	if err != nil {
		return "/"
	}
	q := u.Query()
	q.Set("session_id", s.ID)
	q.Set("status", strings.ToLower(string(s.Status)))
	u.RawQuery = q.Encode()
	return u.String()
}

func (p *Provider) serveError(w http.ResponseWriter, r *http.Request, err error) {
	if errs.Is(err, errs.NotFound) {
		p.page.render(w, pageData{Code: http.StatusNotFound, Title: "Payment not found", Tone: "error",
			Message: "There is no payment at this address. Check the link, or start again from Marquee."})
		return
	}
	if !errors.Is(err, r.Context().Err()) {
		p.cfg.Log.ErrorContext(r.Context(), "sandbox: payment page failed", "err", err)
	}
	p.page.render(w, pageData{Code: http.StatusInternalServerError, Title: "Something went wrong", Tone: "error",
		Message: "The payment page is not available right now. Nothing was charged; try again in a moment."})
}

// sessionPage is the page for s as it stands now.
func (p *Provider) sessionPage(s Session) pageData {
	d := pageData{Code: http.StatusOK, BookingRef: s.BookingRef, Description: s.Description,
		Amount: payment.FormatAmount(s.Amount, s.Currency), Session: true}
	now := p.now()
	switch {
	case s.Status == payment.SessionPaid:
		d.Title, d.Tone = "Payment received", "ok"
		d.Message = "Thank you. Your booking is being confirmed; you can close this page."
		if s.RefundedAmount > 0 {
			d.Message = "This payment was received; " + payment.FormatAmount(s.RefundedAmount, s.Currency) + " of it has been refunded."
		}
	case s.Status == payment.SessionDeclined:
		d.Title, d.Tone = "Payment declined", "error"
		d.Message = "Nothing was charged. Go back to Marquee to try again."
	case s.Status == payment.SessionCancelled:
		d.Code, d.Title, d.Tone = http.StatusGone, "Payment cancelled", "warn"
		d.Message = "This payment was cancelled and can no longer be paid. Nothing was charged."
	case s.Expired(now):
		d.Code, d.Title, d.Tone = http.StatusGone, "This payment link has expired", "warn"
		d.Message = "The time to pay ran out and the seats were released. Nothing was charged; go back to Marquee to start again."
	default:
		d.Title, d.Open = "Complete your payment", true
		d.ExpiresAt = s.ExpiresAt.UTC().Format("15:04 UTC, 2 Jan 2006")
	}
	return d
}

// pageData is what the page template shows.
type pageData struct {
	Code     int
	Merchant string
	Title    string
	// Tone colours the status: ok, warn or error.
	Tone    string
	Message string
	// Session says whether the booking summary is shown; Open whether the buttons are.
	Session     bool
	Open        bool
	BookingRef  string
	Description string
	Amount      string
	ExpiresAt   string
}

type pageRenderer struct {
	merchant string
	tmpl     *template.Template
}

func newPageRenderer(merchant string) pageRenderer {
	return pageRenderer{merchant: merchant, tmpl: template.Must(template.New("page").Parse(pageTemplate))}
}

// render writes the page with its status code and headers that keep it out of caches and frames.
func (pr pageRenderer) render(w http.ResponseWriter, d pageData) {
	d.Merchant = pr.merchant
	var buf bytes.Buffer
	if err := pr.tmpl.Execute(&buf, d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(d.Code)
	_, _ = w.Write(buf.Bytes())
}

const pageTemplate = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}} · {{.Merchant}}</title>
<style>
  :root { color-scheme: light; --ink: #1d1d1f; --muted: #6e6e73; --line: #e5e5ea; --accent: #5b3cc4; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 24px;
         font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f5f5f7; }
  main { width: 100%; max-width: 420px; background: #fff; border-radius: 16px; padding: 28px;
         box-shadow: 0 1px 3px rgba(0,0,0,.08), 0 8px 24px rgba(0,0,0,.06); }
  .sandbox { display: inline-block; font-size: 12px; font-weight: 600; letter-spacing: .04em; text-transform: uppercase;
             color: #8a5a00; background: #fff4d6; border-radius: 999px; padding: 2px 10px; }
  .merchant { margin: 14px 0 2px; font-size: 14px; color: var(--muted); }
  h1 { margin: 0 0 18px; font-size: 22px; line-height: 1.25; }
  dl { margin: 0 0 20px; border-top: 1px solid var(--line); }
  dl div { display: flex; justify-content: space-between; gap: 16px; padding: 10px 0; border-bottom: 1px solid var(--line); }
  dt { color: var(--muted); }
  dd { margin: 0; text-align: right; font-weight: 500; overflow-wrap: anywhere; }
  .amount dd { font-size: 20px; font-weight: 700; }
  form { display: grid; gap: 10px; }
  button { font: inherit; font-weight: 600; border-radius: 10px; padding: 12px 16px; cursor: pointer; border: 1px solid transparent; }
  .pay { background: var(--accent); color: #fff; }
  .decline { background: #fff; color: var(--ink); border-color: var(--line); }
  .note { margin: 14px 0 0; font-size: 13px; color: var(--muted); }
  .status { margin: 0; padding: 12px 14px; border-radius: 10px; }
  .ok { background: #e8f7ee; color: #0f5d2f; }
  .warn { background: #fff4d6; color: #6b4600; }
  .error { background: #fdecec; color: #8a1c1c; }
</style>
</head>
<body>
<main>
  <span class="sandbox">Sandbox · no real money moves</span>
  <p class="merchant">{{.Merchant}}</p>
  <h1>{{.Title}}</h1>
  {{- if .Session}}
  <dl>
    {{- if .BookingRef}}<div><dt>Booking</dt><dd>{{.BookingRef}}</dd></div>{{end}}
    {{- if .Description}}<div><dt>For</dt><dd>{{.Description}}</dd></div>{{end}}
    <div class="amount"><dt>Amount</dt><dd>{{.Amount}}</dd></div>
  </dl>
  {{- end}}
  {{- if .Open}}
  <form method="post">
    <button class="pay" type="submit" name="outcome" value="success">Pay {{.Amount}}</button>
    <button class="decline" type="submit" name="outcome" value="decline">Decline</button>
  </form>
  <p class="note">This link expires at {{.ExpiresAt}}.</p>
  {{- else}}
  <p class="status {{.Tone}}">{{.Message}}</p>
  {{- end}}
</main>
</body>
</html>
`
