import { gql } from './gql'
// Operations shared by several pages. Codegen reads every /* GraphQL */ string in src/.
export const SHOW_FIELDS = gql`
  fragment ShowFields on Show {
    id
    startsAt
    localDate
    localTime
    language
    format
    status
    availableSeats
    movie { id title certification runtimeMinutes }
    theatre { id name address timeZone currency cancellationCutoffMinutes }
    screen { id name }
  }
`

export const MONEY_FIELDS = gql`
  fragment QuoteFields on Quote {
    lines { category name seatIds quantity unitPrice { amount currency } amount { amount currency } }
    subtotal { amount currency }
    fees { amount currency }
    taxes { amount currency }
    total { amount currency }
  }
`

export const BOOKING_FIELDS = gql`
  fragment BookingFields on Booking {
    id
    reference
    status
    reason
    seatIds
    email
    name
    guest
    createdAt
    expiresAt
    confirmedAt
    cancelledAt
    cancellable
    cancelDeadline
    paymentUrl
    total { amount currency }
    refund { amount currency }
    quote { ...QuoteFields }
    show { ...ShowFields }
  }
  ${SHOW_FIELDS}
  ${MONEY_FIELDS}
`

export const CITIES = gql`
  query Cities {
    cities { id name state location { lat lng } }
  }
`
