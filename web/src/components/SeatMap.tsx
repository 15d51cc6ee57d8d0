// The seat map, drawn to the hall's layout: rows from the back to the screen, aisles as gaps,
// the screen in front of the last row. Used by customers and by the operators' layout editor.
import { memo, useEffect, useMemo, useRef, type FocusEvent, type KeyboardEvent, type MouseEvent } from 'react'
import { buildGrid, firstSeat, moveFocus, seatLabel, type Direction, type InputRow, type SeatInfo } from '../lib/seatmap'

export interface CategoryInfo {
  category: string
  name: string
  /** Formatted price, when known. */
  price?: string
}

interface Props {
  rows: InputRow[]
  categories: CategoryInfo[]
  selected?: string[]
  onSeat?: (seat: SeatInfo) => void
  /** Layout editor: gaps are clickable too. */
  onGap?: (rowIndex: number, column: number) => void
  /** Layout editor: clicking a row label. */
  onRow?: (rowIndex: number) => void
  label?: string
}

const KEYS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' }

export const SeatMap = memo(function SeatMap({ rows, categories, selected = [], onSeat, onGap, onRow, label }: Props) {
  const grid = useMemo(() => buildGrid(rows), [rows])
  const catName = useMemo(() => {
    const m = new Map<string, CategoryInfo>()
    categories.forEach((c) => m.set(c.category, c))
    return m
  }, [categories])
  const sel = useMemo(() => new Set(selected), [selected])
  const root = useRef<HTMLDivElement>(null)
  const stage = useRef<HTMLDivElement>(null)
  // On a narrow screen the hall scrolls sideways: start in its middle, where the best seats are.
  const wide = grid.columns
  useEffect(() => {
    const el = stage.current
    if (el && el.scrollWidth > el.clientWidth) el.scrollLeft = (el.scrollWidth - el.clientWidth) / 2
  }, [wide])
  // Roving tabindex without re-rendering 450 seats: the first seat starts tabbable, and focus moves
  // the tabindex in the DOM (React never rewrites it, as the props do not change).
  const tabSeat = firstSeat(grid)
  const seatById = useMemo(() => {
    const m = new Map<string, SeatInfo>()
    grid.rows.forEach((r) => r.cells.forEach((s) => s && m.set(s.id, s)))
    return m
  }, [grid])
  const minCol = useMemo(() => {
    let m = Infinity
    rows.forEach((r) => r.cells.forEach((c) => (m = Math.min(m, c.column))))
    return Number.isFinite(m) ? m : 0
  }, [rows])

  function onKey(e: KeyboardEvent<HTMLDivElement>) {
    const dir = KEYS[e.key]
    const current = (e.target as HTMLElement).dataset.seat
    if (!dir || !current) return
    e.preventDefault()
    const next = moveFocus(grid, current, dir)
    if (next) root.current?.querySelector<HTMLButtonElement>(`[data-seat="${CSS.escape(next)}"]`)?.focus()
  }

  // One click handler and one focus handler for the whole map (event delegation).
  function onClick(e: MouseEvent<HTMLDivElement>) {
    const id = (e.target as HTMLElement).closest<HTMLElement>('[data-seat]')?.dataset.seat
    const seat = id ? seatById.get(id) : undefined
    if (seat) onSeat?.(seat)
  }
  function onFocus(e: FocusEvent<HTMLDivElement>) {
    const el = e.target as HTMLElement
    if (!el.dataset.seat) return
    root.current?.querySelectorAll<HTMLElement>('[data-seat][tabindex="0"]').forEach((o) => o !== el && (o.tabIndex = -1))
    el.tabIndex = 0
  }

  if (!grid.rows.length) return <div className="empty">This hall has no seats yet.</div>

  return (
    <div className="stage" ref={stage}>
      <div
        className="seatmap"
        ref={root}
        role="grid"
        aria-label={label ?? 'Seat map'}
        onKeyDown={onKey}
        onClick={onSeat ? onClick : undefined}
        onFocus={onFocus}
        style={{ ['--cols' as string]: grid.columns }}
      >
        {grid.rows.map((row, ri) => (
          <div key={row.label + ri} role="row" className="seatrow-wrap">
            {row.sectionStart && (
              <div className="section" role="presentation">
                <span>{catName.get(row.sectionStart)?.name ?? row.sectionStart}</span>
                {catName.get(row.sectionStart)?.price && <span className="section-price">{catName.get(row.sectionStart)?.price}</span>}
              </div>
            )}
            <div className="seatrow">
              {onRow ? (
                <button type="button" className="rowlabel rowlabel-btn" onClick={() => onRow(ri)} aria-label={`Row ${row.label}: select row`}>
                  {row.label}
                </button>
              ) : (
                <span className="rowlabel" role="rowheader">{row.label}</span>
              )}
              {row.cells.map((s, ci) =>
                s ? (
                  seatButton(s, row.label, catName.get(s.category), sel.has(s.id), s.id === tabSeat)
                ) : onGap ? (
                  <button
                    type="button"
                    key={'g' + ci}
                    className="gap gap-btn"
                    aria-label={`Row ${row.label} aisle at column ${ci + minCol}`}
                    tabIndex={-1}
                    onClick={() => onGap(ri, ci + minCol)}
                  />
                ) : (
                  <span key={'g' + ci} className="gap" aria-hidden="true" />
                ),
              )}
              <span className="rowlabel" aria-hidden="true">{row.label}</span>
            </div>
          </div>
        ))}
      </div>
      <div className="screen" aria-label="Screen this way">
        <div className="screen-arc" />
        <span>Screen this way</span>
      </div>
    </div>
  )
})

// seatButton draws one seat. A plain function, not a component: a hall of 450 seats then costs
// 450 elements to create, not 450 components and 450 elements, which keeps the first render fast.
function seatButton(seat: SeatInfo, row: string, category: CategoryInfo | undefined, selected: boolean, tabbable: boolean) {
  const state = selected ? 'selected' : seat.mine ? 'available' : seat.status.toLowerCase()
  const cat = category ? `${category.name}${category.price ? ' ' + category.price : ''}` : seat.category
  const unavailable = !selected && !seat.mine && seat.status !== 'AVAILABLE'
  // The label speaks for the seat, so the glyph inside needs no wrapper hiding it.
  return (
    <button
      key={seat.id}
      type="button"
      role="gridcell"
      className={`seat s-${state}${seat.accessible ? ' s-accessible' : ''}${seat.companion ? ' s-companion' : ''}`}
      data-seat={seat.id}
      data-status={seat.status}
      aria-label={seatLabel(seat, row, cat, selected)}
      aria-pressed={selected}
      aria-disabled={unavailable || undefined}
      tabIndex={tabbable ? 0 : -1}
    >
      {state === 'booked' ? '✕' : state === 'blocked' ? '' : seat.accessible ? '♿' : selected ? '✓' : seat.number}
    </button>
  )
}

export function Legend({ editor = false }: { editor?: boolean }) {
  const items: [string, string, string][] = [
    ['s-available', 'Available', ''],
    ['s-selected', editor ? 'Selected (editor)' : 'Your selection', '✓'],
    ['s-held', 'Held by someone', ''],
    ['s-booked', 'Booked', '✕'],
    ['s-blocked', 'Not for sale', ''],
    ['s-available s-accessible', 'Wheelchair accessible', '♿'],
    ['s-available s-companion', 'Companion seat', ''],
  ]
  return (
    <ul className="legend" aria-label="Seat legend">
      {items.map(([cls, text, glyph]) => (
        <li key={text}>
          <span className={`seat seat-sample ${cls}`} aria-hidden="true">
            <span>{glyph}</span>
          </span>
          {text}
        </li>
      ))}
    </ul>
  )
}
