import { describe, expect, it } from 'vitest'
import { clock, dateParts, money } from './format'
import { errorMessage } from './errors'
import { GqlError } from './gql'

describe('money', () => {
  it('formats minor units with Intl.NumberFormat', () => {
    expect(money({ amount: 35000, currency: 'INR' })).toBe('₹350')
    expect(money({ amount: 35050, currency: 'INR' })).toBe('₹350.50')
    expect(money({ amount: 12345678, currency: 'INR' })).toBe('₹1,23,456.78')
    expect(money({ amount: 1999, currency: 'USD' })).toBe('$19.99')
    expect(money({ amount: 500, currency: 'JPY' })).toBe('¥500')
  })
})

describe('dates and times', () => {
  it('splits a calendar date without the browser time zone', () => {
    expect(dateParts('2026-11-25')).toEqual({ weekday: 'Wed', day: '25', month: 'Nov' })
  })
  it('reads a 24-hour local time', () => {
    expect(clock('18:05')).toBe('6:05 PM')
    expect(clock('00:30')).toBe('12:30 AM')
  })
})

describe('errorMessage', () => {
  it('turns every code into a sentence', () => {
    const codes = ['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'SEAT_UNAVAILABLE', 'HOLD_EXPIRED', 'CONFLICT', 'RATE_LIMITED', 'INTERNAL', 'NETWORK'] as const
    const seen = new Set<string>()
    for (const c of codes) {
      const m = errorMessage(new GqlError('x', c))
      expect(m).toMatch(/[.!]$/)
      seen.add(m)
    }
    expect(seen.size).toBe(codes.length)
  })
  it('explains the orphan-seat refusal', () => {
    const m = errorMessage(new GqlError('x', 'BAD_USER_INPUT', { reason: 'ORPHAN_SEAT' }))
    expect(m).toContain('single empty seat')
  })
})
