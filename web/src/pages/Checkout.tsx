import { useState, type FormEvent } from 'react'
import { ErrorBox, Field, Spinner } from '../components/ui'
import { errorMessage } from '../lib/errors'
import { gql, request } from '../lib/gql'
import { useAuth } from '../lib/auth'
import { useLoad, useNow } from '../lib/hooks'
import { SHOW_FIELDS } from '../lib/queries'
import { Link } from '../lib/router'
import { clock, longDate, money } from '../lib/format'
import { countdownTone, formatCountdown, remainingMs, sortSeats } from '../lib/seatmap'
import { HOLD_FIELDS } from './Seats'
import type {
  CheckoutMutation,
  CheckoutMutationVariables,
  ExtendHoldMutation,
  ExtendHoldMutationVariables,
  HoldQuery,
  HoldQueryVariables,
  QuoteFieldsFragment,
} from '../gql/types'

const HOLD = gql`
  query Hold($id: ID!) {
    hold(id: $id) {
      ...HoldFields
      show { ...ShowFields }
    }
  }
  ${HOLD_FIELDS}
  ${SHOW_FIELDS}
`

const EXTEND = gql`
  mutation ExtendHold($holdId: ID!) {
    extendHold(holdId: $holdId) { ...HoldFields }
  }
  ${HOLD_FIELDS}
`

const CHECKOUT = gql`
  mutation Checkout($holdId: ID!, $guest: GuestInput) {
    checkout(holdId: $holdId, guest: $guest) {
      paymentUrl
      expiresAt
      booking { id reference status }
    }
  }
`

export function QuoteTable({ quote }: { quote: QuoteFieldsFragment }) {
  return (
    <table className="quote">
      <caption className="sr-only">Price breakdown</caption>
      <tbody>
        {quote.lines.map((l) => (
          <tr key={l.category}>
            <th scope="row">
              {l.name} × {l.quantity}
              <span className="muted small"> ({sortSeats(l.seatIds).join(', ')}) at {money(l.unitPrice)}</span>
            </th>
            <td>{money(l.amount)}</td>
          </tr>
        ))}
        <tr className="quote-sub">
          <th scope="row">Convenience fee</th>
          <td>{money(quote.fees)}</td>
        </tr>
        <tr>
          <th scope="row">Taxes on the fee</th>
          <td>{money(quote.taxes)}</td>
        </tr>
        <tr className="quote-total">
          <th scope="row">Total</th>
          <td>{money(quote.total)}</td>
        </tr>
      </tbody>
    </table>
  )
}

export function CheckoutPage({ holdId }: { holdId: string }) {
  const { user, ready } = useAuth()
  const hold = useLoad((signal) => request<HoldQuery, HoldQueryVariables>(HOLD, { id: holdId }, { signal }).then((d) => d.hold), [holdId])
  const [extended, setExtended] = useState<string | null>(null)
  const [email, setEmail] = useState('')
  const [phone, setPhone] = useState('')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const now = useNow(1000)

  if (hold.loading && !hold.data) return <Spinner label="Loading your seats…" />
  if (hold.error || !hold.data)
    return (
      <div className="page narrow">
        <h1>Checkout</h1>
        <ErrorBox error={hold.error ?? new Error('gone')} />
        <p>
          <Link to="/">Choose seats again</Link>
        </p>
      </div>
    )
  const h = hold.data
  const expiresAt = extended ?? h.expiresAt
  const left = remainingMs(expiresAt, now)
  const tone = countdownTone(left)

  async function pay(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      const guest = user ? null : { email: email.trim(), phone: phone.trim(), name: name.trim() || null }
      const d = await request<CheckoutMutation, CheckoutMutationVariables>(CHECKOUT, { holdId, guest })
      // The payment provider's hosted page; it sends the browser back to /bookings/{id}.
      window.location.assign(d.checkout.paymentUrl)
    } catch (err) {
      setError(errorMessage(err, 'checkout'))
      setBusy(false)
    }
  }

  async function extend() {
    try {
      const d = await request<ExtendHoldMutation, ExtendHoldMutationVariables>(EXTEND, { holdId })
      setExtended(d.extendHold.expiresAt)
      hold.reload()
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <div className="page checkout">
      <h1>Checkout</h1>
      <div className="checkout-grid">
        <section className="card" aria-labelledby="order-h">
          <h2 id="order-h">{h.show.movie.title}</h2>
          <p className="muted">
            {h.show.theatre.name} · {h.show.screen.name}
            <br />
            {longDate(h.show.localDate)}, {clock(h.show.localTime)} · {h.show.format} · {h.show.language}
          </p>
          <p>
            Seats <strong>{sortSeats(h.seatIds).join(', ')}</strong>
          </p>
          <QuoteTable quote={h.quote} />
          <div className={`countdown countdown-${tone}`} role="timer">
            {left > 0 ? (
              <>
                Seats held for <strong>{formatCountdown(left)}</strong>
                {!h.extended && !extended && left < 5 * 60_000 && (
                  <button type="button" className="btn btn-small btn-ghost" onClick={extend}>
                    Need more time?
                  </button>
                )}
              </>
            ) : (
              <>Your hold expired. <Link to={`/shows/${h.show.id}`}>Choose seats again</Link></>
            )}
          </div>
        </section>

        <form className="card" onSubmit={pay} aria-labelledby="contact-h">
          <h2 id="contact-h">Your details</h2>
          {!ready ? (
            <Spinner />
          ) : user ? (
            <p>
              Booking as <strong>{user.name}</strong> ({user.email}). Your ticket goes to this e-mail.
            </p>
          ) : (
            <>
              <p className="muted small">
                No account needed: we send the ticket to your e-mail and phone. (To keep bookings in an account, sign in
                before choosing seats; seats held as a guest stay with this browser.)
              </p>
              <Field label="E-mail">
                <input type="email" required autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
              </Field>
              <Field label="Mobile phone" hint="We text your ticket here.">
                <input type="tel" required autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value)} placeholder="+91 98765 43210" />
              </Field>
              <Field label="Name (optional)">
                <input autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
              </Field>
            </>
          )}
          {error && <div className="alert alert-error" role="alert">{error}</div>}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy || left <= 0 || !ready}>
            {busy ? 'Starting payment…' : `Pay ${money(h.quote.total)}`}
          </button>
          <p className="muted small">You will be taken to the payment page and brought back here.</p>
        </form>
      </div>
    </div>
  )
}
