// The layout editor's model and its conversions: to the customer seat map's rows (for the
// preview) and to the GraphQL SeatLayoutInput (for saving).
import type { InputRow } from '../lib/seatmap'

export interface ECell {
  gap: boolean
  category: string
  accessible: boolean
  companion: boolean
  blocked: boolean
}
export interface ERow {
  label: string
  cells: ECell[]
}
export interface ECategory {
  code: string
  name: string
}
export interface ELayout {
  categories: ECategory[]
  rows: ERow[]
}

export type Tool = { kind: 'category'; code: string } | { kind: 'accessible' } | { kind: 'companion' } | { kind: 'blocked' } | { kind: 'aisle' } | { kind: 'insertAisle' } | { kind: 'remove' }

const seat = (category: string): ECell => ({ gap: false, category, accessible: false, companion: false, blocked: false })
const gap = (): ECell => ({ gap: true, category: '', accessible: false, companion: false, blocked: false })

/** Seat numbers: left to right from 1, aisles skipped. */
export function numbers(row: ERow): (number | null)[] {
  let n = 0
  return row.cells.map((c) => (c.gap ? null : ++n))
}

/** The next row label after the highest one (A, B, … Z, AA, …). */
export function nextLabel(rows: ERow[]): string {
  const toN = (l: string) => [...l].reduce((n, ch) => n * 26 + (ch.charCodeAt(0) - 64), 0)
  const max = rows.reduce((m, r) => Math.max(m, /^[A-Z]+$/.test(r.label) ? toN(r.label) : 0), 0)
  let n = max + 1
  let s = ''
  while (n > 0) {
    const r = (n - 1) % 26
    s = String.fromCharCode(65 + r) + s
    n = Math.floor((n - 1) / 26)
  }
  return s
}

/** A new row at the back of the hall (rows run from the back to the screen). */
export function addRow(l: ELayout, seats: number, category: string, aisleEvery = 0): ELayout {
  const cells: ECell[] = []
  for (let i = 0; i < seats; i++) {
    if (aisleEvery > 0 && i > 0 && i % aisleEvery === 0) cells.push(gap())
    cells.push(seat(category))
  }
  return { ...l, rows: [{ label: nextLabel(l.rows), cells }, ...l.rows] }
}

/** A rectangular hall: rows × seats, an aisle every `aisleEvery` seats, the back rows in the last category. */
export function template(rows: number, seats: number, aisleEvery: number, categories: ECategory[]): ELayout {
  let l: ELayout = { categories, rows: [] }
  for (let i = 0; i < rows; i++) {
    // Rows are added front (A) to back; the back third gets the last (premium) category.
    const cat = categories.length > 1 && i >= rows - Math.ceil(rows / 3) ? categories[categories.length - 1].code : categories[0].code
    l = addRow(l, seats, cat, aisleEvery)
  }
  return l
}

export function applyTool(l: ELayout, rowIndex: number, cellIndex: number, tool: Tool): ELayout {
  const rows = l.rows.map((r, ri) => {
    if (ri !== rowIndex) return r
    const cells = [...r.cells]
    const c = cells[cellIndex]
    if (!c) {
      // A click beyond the row's end (the grid is as wide as the widest row): extend with a seat.
      if (tool.kind === 'aisle' || tool.kind === 'category') {
        while (cells.length < cellIndex) cells.push(gap())
        cells.push(seat(tool.kind === 'category' ? tool.code : l.categories[0]?.code ?? ''))
      }
      return { ...r, cells }
    }
    switch (tool.kind) {
      case 'category':
        cells[cellIndex] = c.gap ? seat(tool.code) : { ...c, category: tool.code }
        break
      case 'accessible':
        if (!c.gap) cells[cellIndex] = { ...c, accessible: !c.accessible }
        break
      case 'companion':
        if (!c.gap) cells[cellIndex] = { ...c, companion: !c.companion }
        break
      case 'blocked':
        if (!c.gap) cells[cellIndex] = { ...c, blocked: !c.blocked }
        break
      case 'aisle':
        cells[cellIndex] = c.gap ? seat(nearestCategory(cells, cellIndex) ?? l.categories[0]?.code ?? '') : gap()
        break
      case 'insertAisle':
        cells.splice(cellIndex, 0, gap())
        break
      case 'remove':
        cells.splice(cellIndex, 1)
        break
    }
    return { ...r, cells }
  })
  return { ...l, rows }
}

function nearestCategory(cells: ECell[], i: number): string | undefined {
  for (let d = 1; d < cells.length; d++) {
    if (cells[i - d] && !cells[i - d].gap) return cells[i - d].category
    if (cells[i + d] && !cells[i + d].gap) return cells[i + d].category
  }
  return undefined
}

/** The customer seat map's rows, as a show of this layout would look with every seat free. */
export function toSeatRows(l: ELayout, width = 0): InputRow[] {
  const w = Math.max(width, ...l.rows.map((r) => r.cells.length))
  return l.rows.map((r) => {
    const nums = numbers(r)
    const cells = r.cells.map((c, i) => ({
      column: i + 1,
      seat: c.gap
        ? null
        : {
            id: `${r.label}${nums[i]}`,
            number: nums[i]!,
            category: c.category,
            status: (c.blocked ? 'BLOCKED' : 'AVAILABLE') as 'BLOCKED' | 'AVAILABLE',
            accessible: c.accessible,
            companion: c.companion,
            mine: false,
          },
    }))
    for (let i = r.cells.length; i < w; i++) cells.push({ column: i + 1, seat: null })
    return { label: r.label, cells }
  })
}

export function toInput(l: ELayout) {
  return {
    categories: l.categories.map((c) => ({ code: c.code, name: c.name })),
    rows: l.rows.map((r) => {
      const nums = numbers(r)
      // Trailing gaps mean nothing: drop them.
      let end = r.cells.length
      while (end > 0 && r.cells[end - 1].gap) end--
      return {
        label: r.label,
        cells: r.cells.slice(0, end).map((c, i) =>
          c.gap ? { gap: true } : { number: nums[i]!, category: c.category, accessible: c.accessible, companion: c.companion, blocked: c.blocked },
        ),
      }
    }),
  }
}

export interface ServerLayout {
  categories: { code: string; name: string }[]
  rows: { label: string; cells: { column: number; seat: null | { category: string; accessible: boolean; companion: boolean; blocked: boolean } }[] }[]
}

export function fromServer(s: ServerLayout): ELayout {
  let min = Infinity
  s.rows.forEach((r) => r.cells.forEach((c) => (min = Math.min(min, c.column))))
  if (!Number.isFinite(min)) min = 0
  return {
    categories: s.categories.map((c) => ({ code: c.code, name: c.name })),
    rows: s.rows.map((r) => {
      const cells: ECell[] = []
      for (const c of [...r.cells].sort((a, b) => a.column - b.column)) {
        while (cells.length < c.column - min) cells.push(gap())
        cells.push(c.seat ? { gap: false, category: c.seat.category, accessible: c.seat.accessible, companion: c.seat.companion, blocked: c.seat.blocked } : gap())
      }
      return { label: r.label, cells }
    }),
  }
}

export function seatCount(l: ELayout): number {
  return l.rows.reduce((n, r) => n + r.cells.filter((c) => !c.gap).length, 0)
}
