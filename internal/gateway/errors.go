package gateway

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// GraphQL error codes of API.md, in extensions.code.
const (
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
	CodeNotFound        = "NOT_FOUND"
	CodeSeatUnavailable = "SEAT_UNAVAILABLE"
	CodeHoldExpired     = "HOLD_EXPIRED"
	CodeConflict        = "CONFLICT"
	CodeRateLimited     = "RATE_LIMITED"
	CodeInternal        = "INTERNAL"
)

// graphQLCodes maps each domain code to its GraphQL code.
var graphQLCodes = map[errs.Code]string{
	errs.Invalid:         CodeBadUserInput,
	errs.NotFound:        CodeNotFound,
	errs.Conflict:        CodeConflict,
	errs.Unavailable:     CodeInternal,
	errs.Unauthenticated: CodeUnauthenticated,
	errs.Forbidden:       CodeForbidden,
	errs.RateLimited:     CodeRateLimited,
	errs.SeatUnavailable: CodeSeatUnavailable,
	errs.HoldExpired:     CodeHoldExpired,
	errs.Internal:        CodeInternal,
}

// GraphQLCode returns the extensions.code of a domain code.
func GraphQLCode(c errs.Code) string {
	if code, ok := graphQLCodes[c]; ok {
		return code
	}
	return CodeInternal
}

// errorPresenter turns every error into a GraphQL error with extensions.code: domain errors by
// the table above, gqlgen's parse/validation/complexity errors as BAD_USER_INPUT, and anything
// else as INTERNAL without its message.
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var domain *errs.Error
		if errors.As(err, &domain) {
			gerr := graphql.DefaultErrorPresenter(ctx, err)
			gerr.Message = errs.PublicMessage(domain)
			gerr.Extensions = map[string]any{"code": GraphQLCode(domain.Code)}
			if domain.Reason != "" {
				gerr.Extensions["reason"] = domain.Reason
			}
			if domain.Field != "" {
				gerr.Extensions["field"] = domain.Field
			}
			for k, v := range domain.Details {
				gerr.Extensions[k] = v
			}
			if domain.Code == errs.Internal || domain.Code == errs.Unavailable {
				log.ErrorContext(ctx, "graphql request failed", "path", gerr.Path.String(), "error", err)
				if domain.Code == errs.Unavailable {
					gerr.Message = "a service is temporarily unavailable; try again"
				}
			}
			return gerr
		}
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) && gerr.Err == nil {
			// Parse, validation and complexity errors from gqlgen itself.
			out := *gerr
			original, _ := out.Extensions["code"].(string)
			out.Extensions = map[string]any{"code": CodeBadUserInput}
			if original != "" {
				out.Extensions["graphqlCode"] = original
			}
			return &out
		}
		log.ErrorContext(ctx, "graphql request failed", "error", err)
		presented := graphql.DefaultErrorPresenter(ctx, err)
		presented.Message = "internal error"
		presented.Extensions = map[string]any{"code": CodeInternal}
		return presented
	}
}

var errInternal = errs.E(errs.Internal, "internal error")
