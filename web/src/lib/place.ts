// Where the customer is shopping: a city, optionally refined by the browser's location.
import { useSyncExternalStore } from 'react'

export interface Place {
  cityId: string | null
  near: { lat: number; lng: number } | null
}

const KEY = 'marquee.place'
let place: Place = load()
const listeners = new Set<() => void>()

function load(): Place {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null')
    if (v && typeof v === 'object') return { cityId: v.cityId ?? null, near: v.near ?? null }
  } catch {
    /* ignore */
  }
  return { cityId: null, near: null }
}

export function setPlace(p: Partial<Place>) {
  place = { ...place, ...p }
  try {
    localStorage.setItem(KEY, JSON.stringify(place))
  } catch {
    /* ignore */
  }
  listeners.forEach((l) => l())
}

export function usePlace(): Place {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb)
      return () => listeners.delete(cb)
    },
    () => place,
    () => place,
  )
}

/** Great-circle distance in km. */
export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const r = (d: number) => (d * Math.PI) / 180
  const dLat = r(b.lat - a.lat)
  const dLng = r(b.lng - a.lng)
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(r(a.lat)) * Math.cos(r(b.lat)) * Math.sin(dLng / 2) ** 2
  return 6371 * 2 * Math.asin(Math.sqrt(h))
}
