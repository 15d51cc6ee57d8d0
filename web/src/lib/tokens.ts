// In-memory access token; the refresh token lives in localStorage so a reload (or the return
// from the payment page) can sign the user back in.
const KEY = 'marquee.refreshToken'

let accessToken: string | null = null

export const tokens = {
  access: () => accessToken,
  setAccess(t: string | null) {
    accessToken = t
  },
  refresh(): string | null {
    try {
      return localStorage.getItem(KEY)
    } catch {
      return null
    }
  },
  setRefresh(t: string | null) {
    try {
      if (t) localStorage.setItem(KEY, t)
      else localStorage.removeItem(KEY)
    } catch {
      /* storage unavailable: stay signed in for this page only */
    }
  },
}

// Set by auth.ts: refreshes the access token once, resolving to whether it worked.
let refresher: (() => Promise<boolean>) | null = null
export function setRefresher(fn: () => Promise<boolean>) {
  refresher = fn
}
export function tryRefresh(): Promise<boolean> {
  return refresher ? refresher() : Promise.resolve(false)
}
