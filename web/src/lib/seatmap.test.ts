import { describe, expect, it } from 'vitest'
import {
  applyChanges,
  buildGrid,
  countdownTone,
  formatCountdown,
  moveFocus,
  remainingMs,
  seatLabel,
  sortSeats,
  toggleSeat,
  type InputRow,
  type SeatInfo,
} from './seatmap'

const seat = (id: string, over: Partial<SeatInfo> = {}): SeatInfo => ({
  id,
  number: Number(id.slice(1)),
  category: 'CLASSIC',
  status: 'AVAILABLE',
  accessible: false,
  companion: false,
  mine: false,
  ...over,
})

// Rows from the back of the hall (C) to the screen (A); row B has an aisle at column 3 and is shorter.
const rows: InputRow[] = [
  { label: 'C', cells: [1, 2, 3, 4, 5].map((n) => ({ column: n, seat: seat(`C${n}`, { category: 'PREMIUM' }) })) },
  {
    label: 'B',
    cells: [
      { column: 1, seat: seat('B1') },
      { column: 2, seat: seat('B2') },
      { column: 3, seat: null },
      { column: 4, seat: seat('B3') },
    ],
  },
  { label: 'A', cells: [2, 3, 4].map((n, i) => ({ column: n, seat: seat(`A${i + 1}`) })) },
]

describe('buildGrid', () => {
  const g = buildGrid(rows)
  it('keeps the rows in order, back first, with the screen below the last row', () => {
    expect(g.rows.map((r) => r.label)).toEqual(['C', 'B', 'A'])
    expect(g.screen).toBe('bottom')
  })
  it('places cells by column so rows of different lengths line up', () => {
    expect(g.columns).toBe(5)
    expect(g.rows[1].cells.map((c) => c?.id ?? null)).toEqual(['B1', 'B2', null, 'B3', null])
    expect(g.rows[2].cells.map((c) => c?.id ?? null)).toEqual([null, 'A1', 'A2', 'A3', null])
    expect(g.seatCount).toBe(11)
  })
  it('starts a category section where the category changes', () => {
    expect(g.rows.map((r) => r.sectionStart)).toEqual(['PREMIUM', 'CLASSIC', undefined])
  })
  it('handles an empty layout', () => {
    expect(buildGrid([])).toMatchObject({ rows: [], columns: 0, seatCount: 0 })
  })
})

describe('moveFocus', () => {
  const g = buildGrid(rows)
  it('moves along a row, skipping aisles', () => {
    expect(moveFocus(g, 'B2', 'right')).toBe('B3')
    expect(moveFocus(g, 'B3', 'left')).toBe('B2')
    expect(moveFocus(g, 'C5', 'right')).toBeNull()
  })
  it('moves between rows to the nearest seat by column', () => {
    expect(moveFocus(g, 'C3', 'down')).toBe('B2') // column 3 is an aisle in B: nearest seat
    expect(moveFocus(g, 'B1', 'down')).toBe('A1')
    expect(moveFocus(g, 'A3', 'up')).toBe('B3')
    expect(moveFocus(g, 'C1', 'up')).toBeNull()
  })
})

describe('toggleSeat', () => {
  it('selects and deselects available seats', () => {
    expect(toggleSeat([], seat('A1'), 2).selected).toEqual(['A1'])
    expect(toggleSeat(['A1'], seat('A1'), 2).selected).toEqual([])
  })
  it('refuses seats that are not available, saying why', () => {
    for (const [status, why] of [
      ['BOOKED', 'already booked'],
      ['HELD', 'held by someone else'],
      ['BLOCKED', 'not for sale'],
    ] as const) {
      const r = toggleSeat([], seat('A1', { status }), 2)
      expect(r.selected).toEqual([])
      expect(r.error).toContain(why)
    }
  })
  it('lets the caller pick their own held seats', () => {
    expect(toggleSeat([], seat('A1', { status: 'HELD', mine: true }), 2).selected).toEqual(['A1'])
  })
  it('replaces the oldest seat when the ticket count is reached', () => {
    expect(toggleSeat(['A1', 'A2'], seat('A3'), 2).selected).toEqual(['A2', 'A3'])
  })
  it('never exceeds ten seats', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `B${i + 1}`)
    expect(toggleSeat(ten, seat('C1'), 20).selected).toHaveLength(10)
  })
})

describe('applyChanges', () => {
  it('updates statuses and reports selected seats someone else took', () => {
    const { rows: next, lost } = applyChanges(rows, [{ seatId: 'A1', status: 'HELD' }, { seatId: 'C2', status: 'BOOKED' }], ['A1', 'A2'], new Set())
    expect(lost).toEqual(['A1'])
    const a1 = next[2].cells[0].seat!
    expect(a1.status).toBe('HELD')
    expect(a1.mine).toBe(false)
    expect(next[0].cells[1].seat!.status).toBe('BOOKED')
    expect(rows[2].cells[0].seat!.status).toBe('AVAILABLE') // input untouched
  })
  it('does not report the caller’s own holds', () => {
    const { rows: next, lost } = applyChanges(rows, [{ seatId: 'A1', status: 'HELD' }], ['A1'], new Set(['A1']))
    expect(lost).toEqual([])
    expect(next[2].cells[0].seat!.mine).toBe(true)
  })
  it('returns the same rows for the empty first event', () => {
    expect(applyChanges(rows, [], [], new Set()).rows).toBe(rows)
  })
})

describe('countdown', () => {
  const now = Date.parse('2026-11-25T10:00:00Z')
  it('counts down to the expiry and stops at zero', () => {
    expect(remainingMs('2026-11-25T10:05:00Z', now)).toBe(300_000)
    expect(remainingMs('2026-11-25T09:59:00Z', now)).toBe(0)
  })
  it('formats minutes and seconds, rounding up', () => {
    expect(formatCountdown(300_000)).toBe('5:00')
    expect(formatCountdown(61_500)).toBe('1:02')
    expect(formatCountdown(999)).toBe('0:01')
    expect(formatCountdown(0)).toBe('0:00')
  })
  it('warns in the last minute', () => {
    expect(countdownTone(120_000)).toBe('ok')
    expect(countdownTone(60_000)).toBe('warn')
    expect(countdownTone(0)).toBe('expired')
  })
})

describe('seatLabel', () => {
  it('names row, seat, category with price and state', () => {
    expect(seatLabel(seat('C7'), 'C', 'Premium ₹350', false)).toBe('Row C seat 7, Premium ₹350, available')
    expect(seatLabel(seat('C7', { status: 'BOOKED', accessible: true }), 'C', 'Premium ₹350', false)).toBe(
      'Row C seat 7, Premium ₹350, booked, wheelchair accessible',
    )
    expect(seatLabel(seat('C7'), 'C', undefined, true)).toBe('Row C seat 7, selected')
  })
})

describe('sortSeats', () => {
  it('orders by row, then by number', () => {
    expect(sortSeats(['H10', 'H9', 'AA1', 'B2', 'A12'])).toEqual(['A12', 'B2', 'H9', 'H10', 'AA1'])
  })
})
