// /perf/seatmap?seats=450: mounts a synthetic seat map and reports how long it took to render and
// become interactive (window.__seatmapMs), for the browser test's performance figure.
import { useEffect, useRef, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { flushSync } from 'react-dom'
import { SeatMap } from '../components/SeatMap'
import type { InputRow } from '../lib/seatmap'

export function syntheticRows(seats: number, perRow = 25): InputRow[] {
  const rows: InputRow[] = []
  const n = Math.ceil(seats / perRow)
  let made = 0
  for (let r = 0; r < n; r++) {
    const label = String.fromCharCode(65 + (n - 1 - r))
    const cells: InputRow['cells'] = []
    let num = 0
    for (let c = 0; c < perRow + 2 && made < seats; c++) {
      if (c === 5 || c === perRow - 3) {
        cells.push({ column: c, seat: null })
        continue
      }
      num++
      made++
      cells.push({
        column: c,
        seat: { id: `${label}${num}`, number: num, category: r < 3 ? 'PREMIUM' : 'CLASSIC', status: (r * 7 + c) % 9 === 0 ? 'BOOKED' : 'AVAILABLE', accessible: false, companion: false, mine: false },
      })
    }
    rows.push({ label, cells })
  }
  return rows
}

export default function Perf({ seats }: { seats: number }) {
  const host = useRef<HTMLDivElement>(null)
  const [ms, setMs] = useState<number | null>(null)
  useEffect(() => {
    const rows = syntheticRows(seats)
    const el = document.createElement('div')
    host.current!.appendChild(el)
    const root = createRoot(el)
    let clicked = 0
    // Outside React's own work (an effect cannot flush another root synchronously).
    const t = setTimeout(() => {
      const t0 = performance.now()
      flushSync(() =>
        root.render(
          <SeatMap rows={rows} categories={[{ category: 'PREMIUM', name: 'Premium', price: '₹350' }, { category: 'CLASSIC', name: 'Classic', price: '₹200' }]} onSeat={() => clicked++} />,
        ),
      )
      // Interactive: the DOM is there and a click reaches the handler.
      el.querySelector<HTMLButtonElement>('[data-status="AVAILABLE"]')?.click()
      const t1 = performance.now()
      const took = clicked === 1 ? t1 - t0 : -1
      ;(window as unknown as { __seatmapMs: number }).__seatmapMs = took
      setMs(took)
    }, 0)
    return () => {
      clearTimeout(t)
      setTimeout(() => root.unmount())
      el.remove()
    }
  }, [seats])
  return (
    <div className="page">
      <h1>Seat map performance</h1>
      <p data-testid="perf">{ms == null ? 'Measuring…' : `${seats} seats rendered and interactive in ${ms.toFixed(1)} ms`}</p>
      <div ref={host} />
    </div>
  )
}
