package gateway

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	paymentv1 "github.com/marquee-cinema/marquee/api/proto/marquee/payment/v1"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// maxWebhookBody bounds a webhook's body; providers' events are a few KB.
const maxWebhookBody = 256 << 10

// WebhookHandler serves POST /webhooks/payments/{provider}: it hands the raw body and headers to
// the payment service, which verifies the signature. 200 when the event was processed or is a
// repeat; 400 for a bad signature, a stale timestamp or a malformed body; 404 for an unknown
// provider or payment session; 5xx when it should be delivered again later.
func WebhookHandler(payments paymentv1.PaymentServiceClient, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "webhook body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "could not read the body", http.StatusBadRequest)
			return
		}
		headers := make(map[string]string, len(r.Header))
		for k, v := range r.Header {
			if len(v) > 0 {
				headers[k] = v[0]
			}
		}
		res, err := payments.HandleWebhook(r.Context(), &paymentv1.HandleWebhookRequest{Provider: r.PathValue("provider"),
			Headers: headers, Body: body})
		if err != nil {
			e := errs.As(err)
			switch e.Code {
			case errs.Invalid:
				http.Error(w, e.Message, http.StatusBadRequest)
			case errs.NotFound:
				http.Error(w, e.Message, http.StatusNotFound)
			case errs.Unavailable:
				http.Error(w, "try again later", http.StatusServiceUnavailable)
			default:
				log.ErrorContext(r.Context(), "payment webhook failed", "provider", r.PathValue("provider"), "error", err)
				http.Error(w, "try again later", http.StatusInternalServerError)
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if res.GetDuplicate() {
			_, _ = io.WriteString(w, `{"received":true,"duplicate":true}`)
			return
		}
		_, _ = io.WriteString(w, `{"received":true}`)
	})
}
