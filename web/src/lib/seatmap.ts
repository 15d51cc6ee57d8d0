// Pure seat-map logic, shared by the customer seat map and the operator's layout editor:
// layout → grid, keyboard movement, selection rules, live updates and the hold countdown.

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'BOOKED' | 'BLOCKED'

export interface SeatInfo {
  id: string
  number: number
  category: string
  status: SeatStatus
  accessible: boolean
  companion: boolean
  mine: boolean
}

export interface InputRow {
  label: string
  cells: { column: number; seat: SeatInfo | null }[]
}

export interface GridRow {
  label: string
  /** One entry per column of the hall; null is an aisle or an empty place. */
  cells: (SeatInfo | null)[]
  /** Set on the first row of a block of rows of one category (for the category heading). */
  sectionStart?: string
}

export interface Grid {
  /** Rows in drawing order, top to bottom: the back of the hall first, the screen below the last row. */
  rows: GridRow[]
  columns: number
  seatCount: number
  screen: 'bottom'
}

/** Builds the drawing grid. Rows come from the back of the hall to the screen, so they are
 * drawn top to bottom in the order given and the screen goes below (in front of) the last row.
 * Cells are placed by their column, so rows of different lengths line up. */
export function buildGrid(rows: InputRow[]): Grid {
  let min = Infinity
  let max = -Infinity
  for (const r of rows)
    for (const c of r.cells) {
      min = Math.min(min, c.column)
      max = Math.max(max, c.column)
    }
  if (!Number.isFinite(min)) return { rows: [], columns: 0, seatCount: 0, screen: 'bottom' }
  const columns = max - min + 1
  let seatCount = 0
  let prevCategory: string | undefined
  const out: GridRow[] = rows.map((r) => {
    const cells: (SeatInfo | null)[] = new Array(columns).fill(null)
    for (const c of r.cells) {
      if (c.seat) {
        cells[c.column - min] = c.seat
        seatCount++
      }
    }
    const first = cells.find((s) => s) ?? null
    const row: GridRow = { label: r.label, cells }
    if (first && first.category !== prevCategory) {
      row.sectionStart = first.category
      prevCategory = first.category
    }
    return row
  })
  return { rows: out, columns, seatCount, screen: 'bottom' }
}

export type Direction = 'left' | 'right' | 'up' | 'down'

/** Where keyboard focus goes from a seat: the next seat along the row (skipping aisles), or the
 * nearest seat by column in the next row that has one. Null at the edge. */
export function moveFocus(grid: Grid, fromId: string, dir: Direction): string | null {
  let r = -1
  let c = -1
  grid.rows.forEach((row, ri) =>
    row.cells.forEach((s, ci) => {
      if (s?.id === fromId) {
        r = ri
        c = ci
      }
    }),
  )
  if (r < 0) return firstSeat(grid)
  if (dir === 'left' || dir === 'right') {
    const step = dir === 'left' ? -1 : 1
    const cells = grid.rows[r].cells
    for (let i = c + step; i >= 0 && i < cells.length; i += step) if (cells[i]) return cells[i]!.id
    return null
  }
  const step = dir === 'up' ? -1 : 1
  for (let ri = r + step; ri >= 0 && ri < grid.rows.length; ri += step) {
    const cells = grid.rows[ri].cells
    for (let d = 0; d < cells.length; d++) {
      if (cells[c - d]) return cells[c - d]!.id
      if (cells[c + d]) return cells[c + d]!.id
    }
  }
  return null
}

export function firstSeat(grid: Grid): string | null {
  for (const row of grid.rows) for (const s of row.cells) if (s) return s.id
  return null
}

/** A seat the caller may pick: available, or already theirs. */
export function selectable(seat: SeatInfo): boolean {
  return seat.status === 'AVAILABLE' || seat.mine
}

export const MAX_SEATS = 10

export interface ToggleResult {
  selected: string[]
  error?: string
}

/** Adds or removes a seat from the selection. When the selection is full (the ticket count),
 * a new seat replaces the oldest one, as ticketing sites do. */
export function toggleSeat(selected: string[], seat: SeatInfo, count: number): ToggleResult {
  if (selected.includes(seat.id)) return { selected: selected.filter((id) => id !== seat.id) }
  if (!selectable(seat)) {
    const why = seat.status === 'BLOCKED' ? 'is not for sale' : seat.status === 'BOOKED' ? 'is already booked' : 'is held by someone else'
    return { selected, error: `Seat ${seat.id} ${why}.` }
  }
  const limit = Math.min(Math.max(count, 1), MAX_SEATS)
  const next = [...selected, seat.id]
  while (next.length > limit) next.shift()
  return { selected: next }
}

export interface StatusChange {
  seatId: string
  status: SeatStatus
}

/** Applies live changes to the seat map. `mine` are seats the caller holds or is about to hold:
 * their HELD events are the caller's own. Returns the new rows and the seats of the selection
 * that someone else has just taken. */
export function applyChanges(
  rows: InputRow[],
  changes: StatusChange[],
  selected: string[],
  mine: Set<string>,
): { rows: InputRow[]; lost: string[] } {
  if (!changes.length) return { rows, lost: [] }
  const byId = new Map(changes.map((c) => [c.seatId, c.status]))
  const lost: string[] = []
  const out = rows.map((r) => {
    let changed = false
    const cells = r.cells.map((cell) => {
      const s = cell.seat
      if (!s || !byId.has(s.id)) return cell
      const status = byId.get(s.id)!
      const isMine = mine.has(s.id) && status === 'HELD'
      if (status !== 'AVAILABLE' && !isMine && selected.includes(s.id)) lost.push(s.id)
      changed = true
      return { ...cell, seat: { ...s, status, mine: isMine } }
    })
    return changed ? { ...r, cells } : r
  })
  return { rows: out, lost }
}

/** Milliseconds left until expiresAt (never negative). */
export function remainingMs(expiresAt: string, now: number): number {
  return Math.max(0, Date.parse(expiresAt) - now)
}

/** "4:07" for a countdown; whole seconds, rounded up so it reads 0:00 only when expired. */
export function formatCountdown(ms: number): string {
  const total = Math.ceil(ms / 1000)
  const m = Math.floor(total / 60)
  const s = total % 60
  return `${m}:${String(s).padStart(2, '0')}`
}

/** How urgent the countdown looks: calm, then a warning in the last minute, then expired. */
export function countdownTone(ms: number): 'ok' | 'warn' | 'expired' {
  if (ms <= 0) return 'expired'
  return ms <= 60_000 ? 'warn' : 'ok'
}

const STATUS_WORDS: Record<SeatStatus, string> = {
  AVAILABLE: 'available',
  HELD: 'held by another customer',
  BOOKED: 'booked',
  BLOCKED: 'not for sale',
}

/** The accessible name of a seat: "Row C seat 7, Premium ₹350, available". */
export function seatLabel(seat: SeatInfo, row: string, category: string | undefined, selected: boolean): string {
  const parts = [`Row ${row} seat ${seat.number}`]
  if (category) parts.push(category)
  let state = seat.mine && seat.status === 'HELD' ? 'held for you' : STATUS_WORDS[seat.status]
  if (selected) state = seat.mine ? 'selected, held for you' : 'selected'
  parts.push(state)
  if (seat.accessible) parts.push('wheelchair accessible')
  if (seat.companion) parts.push('companion seat')
  return parts.join(', ')
}

/** Seat labels in reading order: by row, then by number ("H9" before "H10"). */
export function sortSeats(ids: readonly string[]): string[] {
  const key = (id: string) => {
    const m = /^([A-Za-z]*)(\d*)$/.exec(id)
    return m ? ([m[1], Number(m[2] || 0)] as const) : ([id, 0] as const)
  }
  return [...ids].sort((a, b) => {
    const [ra, na] = key(a)
    const [rb, nb] = key(b)
    return ra === rb ? na - nb : ra.length - rb.length || ra.localeCompare(rb)
  })
}
