import { GqlError } from './gql'

/** A sentence for people, from a server error's extensions.code (and reason). */
export function errorMessage(err: unknown, context?: 'login' | 'hold' | 'checkout' | 'cancel'): string {
  if (!(err instanceof GqlError)) {
    return 'Something unexpected happened. Please reload the page and try again.'
  }
  switch (err.code) {
    case 'BAD_USER_INPUT':
      if (err.reason === 'ORPHAN_SEAT')
        return 'That choice would leave a single empty seat stranded between taken seats, and a lone seat cannot be sold. Please pick seats next to each other, or include the lone seat.'
      return `Please check your details: ${sentence(err.message)}`
    case 'UNAUTHENTICATED':
      if (context === 'login') return 'That e-mail and password do not match an account.'
      return 'Please sign in to continue; your session may have ended.'
    case 'FORBIDDEN':
      if (err.reason === 'CANCELLATION_CLOSED')
        return 'This booking can no longer be cancelled: the cancellation cut-off before the show has passed.'
      return 'Your account is not allowed to do that.'
    case 'NOT_FOUND':
      if (context === 'login') return 'We could not find a booking with that reference and e-mail.'
      return 'We could not find that. It may have been removed, or the link may be wrong.'
    case 'SEAT_UNAVAILABLE':
      return 'Sorry, some of those seats were just taken by someone else. Please choose other seats.'
    case 'HOLD_EXPIRED':
      return 'Your seats were released because the time to complete the booking ran out. Please choose them again.'
    case 'CONFLICT':
      if (err.reason === 'EMAIL_TAKEN') return 'An account with that e-mail already exists. Try signing in instead.'
      return `That clashes with something that already exists: ${sentence(err.message)}`
    case 'RATE_LIMITED':
      return 'Too many attempts in a short time. Please wait a minute and try again.'
    case 'NETWORK':
      return 'We could not reach Marquee. Check your connection and try again.'
    case 'INTERNAL':
    default:
      return 'Something went wrong on our side. Please try again in a moment.'
  }
}

function sentence(s: string): string {
  const t = s.trim()
  return /[.!?]$/.test(t) ? t : `${t}.`
}
