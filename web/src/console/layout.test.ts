import { describe, expect, it } from 'vitest'
import { buildGrid } from '../lib/seatmap'
import { addRow, applyTool, fromServer, nextLabel, seatCount, template, toInput, toSeatRows, type ELayout } from './layout'

const cats = [
  { code: 'CLASSIC', name: 'Classic' },
  { code: 'PREMIUM', name: 'Premium' },
]

describe('layout editor', () => {
  it('adds rows at the back with the next label', () => {
    let l: ELayout = { categories: cats, rows: [] }
    l = addRow(l, 4, 'CLASSIC')
    l = addRow(l, 6, 'PREMIUM', 3)
    expect(l.rows.map((r) => r.label)).toEqual(['B', 'A'])
    expect(l.rows[0].cells.map((c) => (c.gap ? '_' : 'S')).join('')).toBe('SSS_SSS')
    expect(nextLabel([{ label: 'Z', cells: [] }])).toBe('AA')
  })
  it('inserts aisles and renumbers seats', () => {
    let l = addRow({ categories: cats, rows: [] }, 4, 'CLASSIC')
    l = applyTool(l, 0, 2, { kind: 'insertAisle' })
    const input = toInput(l)
    expect(input.rows[0].cells).toEqual([
      { number: 1, category: 'CLASSIC', accessible: false, companion: false, blocked: false },
      { number: 2, category: 'CLASSIC', accessible: false, companion: false, blocked: false },
      { gap: true },
      { number: 3, category: 'CLASSIC', accessible: false, companion: false, blocked: false },
      { number: 4, category: 'CLASSIC', accessible: false, companion: false, blocked: false },
    ])
  })
  it('paints categories and marks accessible and blocked seats', () => {
    let l = addRow({ categories: cats, rows: [] }, 3, 'CLASSIC')
    l = applyTool(l, 0, 0, { kind: 'category', code: 'PREMIUM' })
    l = applyTool(l, 0, 1, { kind: 'accessible' })
    l = applyTool(l, 0, 2, { kind: 'blocked' })
    const seats = toSeatRows(l)[0].cells.map((c) => c.seat!)
    expect(seats.map((s) => [s.id, s.category, s.accessible, s.status])).toEqual([
      ['A1', 'PREMIUM', false, 'AVAILABLE'],
      ['A2', 'CLASSIC', true, 'AVAILABLE'],
      ['A3', 'CLASSIC', false, 'BLOCKED'],
    ])
  })
  it('previews through the customer grid, back rows on top', () => {
    const l = template(6, 10, 5, cats)
    expect(seatCount(l)).toBe(60)
    const g = buildGrid(toSeatRows(l))
    expect(g.rows[0].label).toBe('F')
    expect(g.rows[5].label).toBe('A')
    expect(g.rows[0].sectionStart).toBe('PREMIUM')
    expect(g.columns).toBe(11)
  })
  it('round-trips a server layout', () => {
    const l = template(2, 4, 2, cats)
    const server = {
      categories: cats,
      rows: toSeatRows(l).map((r) => ({
        label: r.label,
        cells: r.cells.map((c) => ({ column: c.column, seat: c.seat && { category: c.seat.category, accessible: false, companion: false, blocked: c.seat.status === 'BLOCKED' } })),
      })),
    }
    expect(toInput(fromServer(server))).toEqual(toInput(l))
  })
})
