import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Legend, SeatMap, type CategoryInfo } from '../components/SeatMap'
import { Empty, ErrorBox, Spinner } from '../components/ui'
import { errorMessage } from '../lib/errors'
import { gql, GqlError, request, subscribe } from '../lib/gql'
import { useNow } from '../lib/hooks'
import { MONEY_FIELDS } from '../lib/queries'
import { Link, navigate } from '../lib/router'
import { clock, longDate, money } from '../lib/format'
import { applyChanges, countdownTone, formatCountdown, MAX_SEATS, remainingMs, sortSeats, toggleSeat, type InputRow, type SeatInfo } from '../lib/seatmap'
import type {
  HoldBestMutation,
  HoldBestMutationVariables,
  HoldFieldsFragment,
  HoldSeatsMutation,
  HoldSeatsMutationVariables,
  ReleaseHoldMutation,
  ReleaseHoldMutationVariables,
  SeatMapChangedSubscription,
  SeatMapChangedSubscriptionVariables,
  SeatMapQuery,
  SeatMapQueryVariables,
} from '../gql/types'

export const HOLD_FIELDS = gql`
  fragment HoldFields on Hold {
    id
    expiresAt
    extended
    seatIds
    quote { ...QuoteFields }
  }
  ${MONEY_FIELDS}
`

const SEAT_MAP = gql`
  query SeatMap($showId: ID!) {
    seatMap(showId: $showId) {
      showId
      show {
        id localDate localTime language format status startsAt
        movie { id title certification }
        theatre { id name currency }
        screen { id name }
      }
      rows { label cells { column seat { id number category status accessible companion mine } } }
      categories { category name price { amount currency } }
      myHold { ...HoldFields }
    }
  }
  ${HOLD_FIELDS}
`

const HOLD_SEATS = gql`
  mutation HoldSeats($showId: ID!, $seatIds: [ID!]!) {
    holdSeats(showId: $showId, seatIds: $seatIds) { ...HoldFields }
  }
  ${HOLD_FIELDS}
`

const HOLD_BEST = gql`
  mutation HoldBest($showId: ID!, $count: Int!, $category: String, $accessible: Boolean) {
    holdBestAvailable(showId: $showId, count: $count, category: $category, accessible: $accessible) { ...HoldFields }
  }
  ${HOLD_FIELDS}
`

const RELEASE = gql`
  mutation ReleaseHold($holdId: ID!) {
    releaseHold(holdId: $holdId)
  }
`

const CHANGED = gql`
  subscription SeatMapChanged($showId: ID!) {
    seatMapChanged(showId: $showId) { showId seats { seatId status } }
  }
`

type Map = SeatMapQuery['seatMap']
type Notice = { kind: 'error' | 'info' | 'warn'; text: string } | null

export function SeatsPage({ showId }: { showId: string }) {
  const [map, setMap] = useState<Map | null>(null)
  const [rows, setRows] = useState<InputRow[]>([])
  const [loadError, setLoadError] = useState<unknown>(null)
  const [count, setCount] = useState(2)
  const [selected, setSelected] = useState<string[]>([])
  const [hold, setHold] = useState<HoldFieldsFragment | null>(null)
  const [busy, setBusy] = useState(false)
  const [notice, setNotice] = useState<Notice>(null)
  const [live, setLive] = useState(false)
  const [bestCategory, setBestCategory] = useState('')
  const mine = useRef(new Set<string>())
  const selectedRef = useRef(selected)
  selectedRef.current = selected
  const now = useNow(1000)

  const load = useCallback(
    async (first: boolean) => {
      try {
        const d = await request<SeatMapQuery, SeatMapQueryVariables>(SEAT_MAP, { showId })
        setMap(d.seatMap)
        setRows(d.seatMap.rows as InputRow[])
        setLoadError(null)
        if (first && d.seatMap.myHold) {
          setHold(d.seatMap.myHold)
          setSelected(d.seatMap.myHold.seatIds)
          setCount(d.seatMap.myHold.seatIds.length)
          mine.current = new Set(d.seatMap.myHold.seatIds)
        }
      } catch (e) {
        setLoadError(e)
      }
    },
    [showId],
  )

  useEffect(() => {
    void load(true)
    let first = true
    const stop = subscribe<SeatMapChangedSubscription, SeatMapChangedSubscriptionVariables>(
      CHANGED,
      { showId },
      {
        next: (d) => {
          const ev = d.seatMapChanged
          if (first) {
            // The first event says the subscription is live: read the seat map again so nothing
            // that changed in between is missed.
            first = false
            setLive(true)
            if (!ev.seats.length) {
              void load(false)
              return
            }
          }
          setRows((rs) => {
            const { rows: next, lost } = applyChanges(rs, ev.seats, selectedRef.current, mine.current)
            if (lost.length) {
              setSelected((s) => s.filter((id) => !lost.includes(id)))
              setNotice({
                kind: 'warn',
                text: `${lost.length === 1 ? `Seat ${lost[0]} was` : `Seats ${lost.join(', ')} were`} just taken by someone else and removed from your selection. Please pick ${lost.length === 1 ? 'another seat' : 'other seats'}.`,
              })
            }
            return next
          })
        },
        error: () => setLive(false),
      },
    )
    return stop
  }, [showId, load])

  const categories: CategoryInfo[] = useMemo(
    () => (map?.categories ?? []).map((c) => ({ category: c.category, name: c.name, price: money(c.price) })),
    [map],
  )
  const seatIndex = useMemo(() => {
    const m = new globalThis.Map<string, SeatInfo>()
    rows.forEach((r) => r.cells.forEach((c) => c.seat && m.set(c.seat.id, c.seat)))
    return m
  }, [rows])

  const remaining = hold ? remainingMs(hold.expiresAt, now) : 0
  useEffect(() => {
    if (hold && remaining <= 0) {
      setHold(null)
      setSelected([])
      mine.current = new Set()
      setNotice({ kind: 'error', text: errorMessage(new GqlError('', 'HOLD_EXPIRED')) })
      void load(false)
    }
  }, [hold, remaining, load])

  async function placeHold(seatIds: string[]) {
    setBusy(true)
    mine.current = new Set([...mine.current, ...seatIds])
    try {
      const d = await request<HoldSeatsMutation, HoldSeatsMutationVariables>(HOLD_SEATS, { showId, seatIds })
      accept(d.holdSeats)
    } catch (e) {
      mine.current = new Set(hold?.seatIds ?? [])
      setNotice({ kind: 'error', text: errorMessage(e, 'hold') })
      if (e instanceof GqlError && (e.code === 'SEAT_UNAVAILABLE' || e.code === 'HOLD_EXPIRED')) {
        setHold(null)
        await load(false)
      }
    } finally {
      setBusy(false)
    }
  }

  function accept(h: HoldFieldsFragment) {
    mine.current = new Set(h.seatIds)
    setHold(h)
    setSelected(h.seatIds)
    setNotice(null)
    setRows((rs) =>
      rs.map((r) => ({
        ...r,
        cells: r.cells.map((c) =>
          c.seat && (h.seatIds.includes(c.seat.id) || c.seat.mine)
            ? { ...c, seat: { ...c.seat, mine: h.seatIds.includes(c.seat.id), status: h.seatIds.includes(c.seat.id) ? 'HELD' : 'AVAILABLE' } }
            : c,
        ),
      })),
    )
  }

  const onSeat = useCallback(
    (seat: SeatInfo) => {
      if (busy) return
      const res = toggleSeat(selectedRef.current, seat, count)
      if (res.error) {
        setNotice({ kind: 'info', text: res.error })
        return
      }
      setNotice(null)
      setSelected(res.selected)
      if (res.selected.length === count) void placeHold(res.selected)
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [busy, count, hold],
  )

  async function best() {
    setBusy(true)
    try {
      const d = await request<HoldBestMutation, HoldBestMutationVariables>(HOLD_BEST, {
        showId,
        count,
        category: bestCategory || null,
      })
      accept(d.holdBestAvailable)
    } catch (e) {
      setNotice({ kind: 'error', text: errorMessage(e, 'hold') })
    } finally {
      setBusy(false)
    }
  }

  async function release() {
    if (!hold) return
    setBusy(true)
    try {
      await request<ReleaseHoldMutation, ReleaseHoldMutationVariables>(RELEASE, { holdId: hold.id })
    } catch {
      /* already gone: fine */
    }
    setHold(null)
    setSelected([])
    mine.current = new Set()
    setBusy(false)
    void load(false)
  }

  function changeCount(n: number) {
    setCount(n)
    if (selected.length > n) setSelected(selected.slice(selected.length - n))
  }

  if (loadError && !map) return <div className="page"><ErrorBox error={loadError} onRetry={() => load(true)} /></div>
  if (!map) return <Spinner label="Loading the seat map…" />
  const show = map.show
  const currency = map.categories[0]?.price.currency ?? show.theatre.currency
  const estimate = selected.reduce((sum, id) => {
    const s = seatIndex.get(id)
    const p = map.categories.find((c) => c.category === s?.category)
    return sum + (p?.price.amount ?? 0)
  }, 0)
  const holdMatches = hold && hold.seatIds.length === selected.length && hold.seatIds.every((id) => selected.includes(id))
  const tone = countdownTone(remaining)

  return (
    <div className="page seats-page">
      <div className="show-bar">
        <div>
          <Link to={`/movies/${show.movie.id}`} className="back">‹ {show.movie.title}</Link>
          <h1 className="show-title">
            {show.theatre.name} · {show.screen.name}
          </h1>
          <p className="muted small">
            {longDate(show.localDate)}, {clock(show.localTime)} · {show.format} · {show.language} · <span className="cert">{show.movie.certification}</span>
          </p>
        </div>
        <span className={`live${live ? ' is-live' : ''}`} role="status">
          {live ? '● Live seat updates' : '○ Connecting…'}
        </span>
      </div>

      {show.status === 'CANCELLED' ? (
        <Empty title="This show was cancelled">Pick another showtime.</Empty>
      ) : (
        <>
          <div className="count-picker" role="group" aria-label="How many tickets?">
            <span className="count-label">Tickets</span>
            {Array.from({ length: MAX_SEATS }, (_, i) => i + 1).map((n) => (
              <button key={n} type="button" className={`count${n === count ? ' is-on' : ''}`} aria-pressed={n === count} onClick={() => changeCount(n)}>
                {n}
              </button>
            ))}
            <span className="best">
              <select aria-label="Category for best available" value={bestCategory} onChange={(e) => setBestCategory(e.target.value)}>
                <option value="">Any category</option>
                {categories.map((c) => (
                  <option key={c.category} value={c.category}>
                    {c.name} {c.price}
                  </option>
                ))}
              </select>
              <button type="button" className="btn btn-small" onClick={best} disabled={busy}>
                Best available
              </button>
            </span>
          </div>

          <ul className="prices" aria-label="Prices">
            {categories.map((c) => (
              <li key={c.category}>
                <strong>{c.name}</strong> {c.price}
              </li>
            ))}
          </ul>

          <div aria-live="polite">
            {notice && <div className={`alert alert-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</div>}
          </div>

          <Legend />
          <SeatMap rows={rows} categories={categories} selected={selected} onSeat={onSeat} label={`Seats for ${show.movie.title}, ${show.screen.name}`} />

          <div className="summary-bar" aria-live="polite">
            <div>
              {selected.length === 0 ? (
                <span className="muted">Select {count} seat{count > 1 ? 's' : ''}, or use Best available.</span>
              ) : (
                <>
                  <strong>{sortSeats(selected).join(', ')}</strong>
                  <span className="muted">
                    {' '}
                    · {hold && holdMatches ? money(hold.quote.total) + ' incl. fees' : money({ amount: estimate, currency })}
                    {selected.length < count && ` · select ${count - selected.length} more`}
                  </span>
                </>
              )}
              {hold && (
                <div className={`countdown countdown-${tone}`} role="timer" aria-label={`Seats held for ${formatCountdown(remaining)} more`}>
                  Seats held for you · <strong>{formatCountdown(remaining)}</strong>
                </div>
              )}
            </div>
            <div className="summary-actions">
              {hold && (
                <button type="button" className="btn btn-ghost" onClick={release} disabled={busy}>
                  Release
                </button>
              )}
              <button
                type="button"
                className="btn btn-primary"
                disabled={!hold || !holdMatches || busy}
                onClick={() => hold && navigate(`/checkout/${hold.id}`)}
              >
                {busy ? 'Holding…' : 'Proceed to pay'}
              </button>
            </div>
          </div>
        </>
      )}
    </div>
  )
}
