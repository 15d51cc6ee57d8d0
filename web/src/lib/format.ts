export interface MoneyLike {
  amount: number
  currency: string
}

const fmtCache = new Map<string, Intl.NumberFormat>()

function formatter(currency: string, whole: boolean): Intl.NumberFormat {
  const key = `${currency}:${whole}`
  let f = fmtCache.get(key)
  if (!f) {
    const locale = currency === 'INR' ? 'en-IN' : 'en-US'
    const digits = new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: whole ? 0 : digits,
      maximumFractionDigits: digits,
    })
    fmtCache.set(key, f)
  }
  return f
}

/** Minor units of a currency (2 for INR/USD, 0 for JPY). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
}

/** Formats int64 minor units: {amount: 35000, currency: "INR"} → "₹350". */
export function money(m: MoneyLike): string {
  const scale = 10 ** minorDigits(m.currency)
  return formatter(m.currency, m.amount % scale === 0).format(m.amount / scale)
}

/** "2026-11-25" → parts for a date strip, independent of the browser's time zone. */
export function dateParts(d: string): { weekday: string; day: string; month: string } {
  const dt = new Date(`${d}T12:00:00Z`)
  return {
    weekday: dt.toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' }),
    day: dt.toLocaleDateString('en-GB', { day: 'numeric', timeZone: 'UTC' }),
    month: dt.toLocaleDateString('en-GB', { month: 'short', timeZone: 'UTC' }),
  }
}

export function longDate(d: string): string {
  const dt = new Date(`${d}T12:00:00Z`)
  return dt.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' })
}

/** An instant in a time zone: "Wed 25 Nov, 18:30". */
export function dateTime(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  })
}

/** "18:30" → "6:30 PM". */
export function clock(hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number)
  const ampm = h >= 12 ? 'PM' : 'AM'
  return `${((h + 11) % 12) + 1}:${String(m).padStart(2, '0')} ${ampm}`
}

export function runtime(minutes: number): string {
  const h = Math.floor(minutes / 60)
  return h ? `${h}h ${minutes % 60}m` : `${minutes}m`
}
