import { useEffect, useState, type FormEvent } from 'react'
import { Empty, ErrorBox, Field, Spinner } from '../components/ui'
import { errorMessage } from '../lib/errors'
import { gql, request } from '../lib/gql'
import { useAuth } from '../lib/auth'
import { useLoad } from '../lib/hooks'
import { BOOKING_FIELDS } from '../lib/queries'
import { Link, useLocation } from '../lib/router'
import { clock, dateTime, longDate, money } from '../lib/format'
import { QuoteTable } from './Checkout'
import { sortSeats } from '../lib/seatmap'
import type {
  BookingByReferenceQuery,
  BookingByReferenceQueryVariables,
  BookingFieldsFragment,
  BookingQuery,
  BookingQueryVariables,
  CancelBookingMutation,
  CancelBookingMutationVariables,
  MyBookingsQuery,
} from '../gql/types'

const BOOKING = gql`
  query Booking($id: ID!) {
    booking(id: $id) { ...BookingFields }
  }
  ${BOOKING_FIELDS}
`

const BY_REFERENCE = gql`
  query BookingByReference($reference: String!, $email: String!) {
    bookingByReference(reference: $reference, email: $email) { ...BookingFields }
  }
  ${BOOKING_FIELDS}
`

const MY_BOOKINGS = gql`
  query MyBookings {
    myBookings { ...BookingFields }
  }
  ${BOOKING_FIELDS}
`

const CANCEL = gql`
  mutation CancelBooking($id: ID!) {
    cancelBooking(id: $id) { ...BookingFields }
  }
  ${BOOKING_FIELDS}
`

const REASONS: Record<string, string> = {
  SEATS_TAKEN: 'the seats were taken after your hold ran out; your payment is being refunded',
  PAYMENT_DECLINED: 'the payment was declined; nothing was charged',
  PAYMENT_TIMEOUT: 'the payment was not completed in time',
  CANCELLED_BY_CUSTOMER: 'you cancelled it',
  SHOW_CANCELLED: 'the show was cancelled',
}

export function statusSentence(b: BookingFieldsFragment): string {
  const why = b.reason ? REASONS[b.reason] ?? b.reason.toLowerCase().replace(/_/g, ' ') : ''
  switch (b.status) {
    case 'CONFIRMED':
      return 'Your booking is confirmed. Show the reference at the counter or scan it at the entrance.'
    case 'PENDING_PAYMENT':
      return 'Waiting for the payment to be confirmed…'
    case 'FAILED':
      return `This booking failed${why ? `: ${why}` : ''}.`
    case 'EXPIRED':
      return `This booking expired${why ? `: ${why}` : ' because the payment was not completed in time'}. Nothing was charged.`
    case 'CANCELLED':
      return `This booking was cancelled${why ? `: ${why}` : ''}. The refund is on its way.`
    case 'REFUNDED':
      return `This booking was cancelled and ${b.refund ? money(b.refund) : 'the payment'} refunded.`
  }
}

export function BookingCard({ b, onChange }: { b: BookingFieldsFragment; onChange?: (b: BookingFieldsFragment) => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  async function cancel() {
    if (!confirm(`Cancel booking ${b.reference}? The seats are released at once.`)) return
    setBusy(true)
    setError('')
    try {
      const d = await request<CancelBookingMutation, CancelBookingMutationVariables>(CANCEL, { id: b.id })
      onChange?.(d.cancelBooking)
    } catch (e) {
      setError(errorMessage(e, 'cancel'))
    } finally {
      setBusy(false)
    }
  }
  return (
    <article className={`ticket ticket-${b.status.toLowerCase()}`} aria-label={`Booking ${b.reference}`}>
      <div className="ticket-main">
        <div className="ticket-status">
          <span className={`badge badge-${b.status.toLowerCase()}`}>{b.status.replace('_', ' ').toLowerCase()}</span>
        </div>
        <h2>{b.show.movie.title}</h2>
        <p className="muted">
          {b.show.theatre.name} · {b.show.screen.name}
          <br />
          {longDate(b.show.localDate)}, {clock(b.show.localTime)} · {b.show.format} · {b.show.language}
        </p>
        <p>
          Seats <strong>{sortSeats(b.seatIds).join(', ')}</strong> · {money(b.total)}
        </p>
        <p className="small">{statusSentence(b)}</p>
        {b.cancellable && b.cancelDeadline && (
          <p className="small muted">Free cancellation until {dateTime(b.cancelDeadline, b.show.theatre.timeZone)}.</p>
        )}
        {error && <div className="alert alert-error" role="alert">{error}</div>}
        {b.cancellable && onChange && (
          <button type="button" className="btn btn-ghost btn-small" onClick={cancel} disabled={busy}>
            {busy ? 'Cancelling…' : 'Cancel booking'}
          </button>
        )}
      </div>
      <div className="ticket-stub">
        <span className="small muted">Reference</span>
        <strong className="reference" data-testid="reference">{b.reference}</strong>
      </div>
    </article>
  )
}

/** Where the payment page sends the buyer back: polls until the booking is settled. */
export function BookingPage({ id }: { id: string }) {
  const { query } = useLocation()
  const declined = query.get('status') === 'declined'
  const [b, setB] = useState<BookingFieldsFragment | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [waitedOut, setWaitedOut] = useState(false)
  const { ready } = useAuth()

  useEffect(() => {
    if (!ready) return
    let stop = false
    let timer: ReturnType<typeof setTimeout>
    const started = Date.now()
    async function poll() {
      try {
        const d = await request<BookingQuery, BookingQueryVariables>(BOOKING, { id })
        if (stop) return
        setB(d.booking)
        setError(null)
        if (d.booking?.status !== 'PENDING_PAYMENT') return
      } catch (e) {
        if (stop) return
        setError(e)
      }
      if (Date.now() - started > 120_000) {
        setWaitedOut(true)
        return
      }
      timer = setTimeout(poll, 1000)
    }
    void poll()
    return () => {
      stop = true
      clearTimeout(timer)
    }
  }, [id, ready])

  if (error && !b) return <div className="page narrow"><ErrorBox error={error} /></div>
  if (!b)
    return (
      <div className="page narrow">
        <Spinner label="Loading your booking…" />
      </div>
    )
  return (
    <div className="page narrow">
      <h1>{b.status === 'CONFIRMED' ? 'Booking confirmed' : b.status === 'PENDING_PAYMENT' ? 'Confirming your payment' : 'Your booking'}</h1>
      {b.status === 'PENDING_PAYMENT' && (
        <div className="alert alert-info" role="status">
          {declined
            ? 'The payment was declined. You can try again while your seats are held.'
            : waitedOut
              ? 'The payment is taking longer than usual. This page will show the result when you reload it.'
              : 'Waiting for the payment provider to confirm… this usually takes a few seconds.'}
          {declined && b.paymentUrl && (
            <>
              {' '}
              <a href={b.paymentUrl}>Try paying again</a>
            </>
          )}
        </div>
      )}
      <BookingCard b={b} />
      {b.status === 'CONFIRMED' && (
        <>
          <h2>Price</h2>
          <QuoteTable quote={b.quote} />
          <p className="muted small">A confirmation was sent to {b.email}.</p>
        </>
      )}
      <p>
        <Link to="/">Book another movie</Link>
      </p>
    </div>
  )
}

export function FindBookingPage() {
  const [reference, setReference] = useState('')
  const [email, setEmail] = useState('')
  const [b, setB] = useState<BookingFieldsFragment | null>(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  async function find(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError('')
    setB(null)
    try {
      const d = await request<BookingByReferenceQuery, BookingByReferenceQueryVariables>(BY_REFERENCE, {
        reference: reference.trim().toUpperCase(),
        email: email.trim(),
      })
      if (d.bookingByReference) setB(d.bookingByReference)
      else setError('We could not find a booking with that reference and e-mail.')
    } catch (err) {
      setError(errorMessage(err, 'login'))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="page narrow">
      <h1>Find my booking</h1>
      <form className="card form" onSubmit={find}>
        <Field label="Booking reference" hint="On your confirmation, e.g. MQ-7K2P9X">
          <input required value={reference} onChange={(e) => setReference(e.target.value)} autoCapitalize="characters" />
        </Field>
        <Field label="E-mail used at checkout">
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
        </Field>
        {error && <div className="alert alert-error" role="alert">{error}</div>}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Searching…' : 'Find booking'}
        </button>
      </form>
      {b && <BookingCard b={b} onChange={setB} />}
    </div>
  )
}

export function MyBookingsPage() {
  const { user, ready } = useAuth()
  const list = useLoad((signal) => (ready ? request<MyBookingsQuery>(MY_BOOKINGS, {}, { signal }).then((d) => d.myBookings) : new Promise<never>(() => {})), [ready, user?.id])
  const [overrides, setOverrides] = useState<Record<string, BookingFieldsFragment>>({})
  return (
    <div className="page narrow">
      <h1>{user ? 'My bookings' : 'Bookings on this device'}</h1>
      {!user && ready && (
        <p className="muted">
          <Link to="/signin?next=/my-bookings">Sign in</Link> to see all your bookings, or <Link to="/find-booking">find a booking</Link> by reference.
        </p>
      )}
      {list.loading && !list.data ? (
        <Spinner />
      ) : list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : !list.data?.length ? (
        <Empty title="No bookings yet">
          <Link to="/">Find a movie</Link>
        </Empty>
      ) : (
        <div className="ticket-list">
          {list.data.map((b) => (
            <BookingCard key={b.id} b={overrides[b.id] ?? b} onChange={(nb) => setOverrides((o) => ({ ...o, [nb.id]: nb }))} />
          ))}
        </div>
      )}
    </div>
  )
}
