// Sign-in state: the access token in memory, the refresh token in localStorage, refreshed
// before it expires and whenever the server answers 401.
import { useSyncExternalStore } from 'react'
import { gql, request } from './gql'
import { setRefresher, tokens } from './tokens'
import type {
  LoginMutation,
  LoginMutationVariables,
  MeQuery,
  RefreshMutation,
  RefreshMutationVariables,
  RegisterInput,
  RegisterMutation,
  RegisterMutationVariables,
} from '../gql/types'

export type User = NonNullable<MeQuery['me']>

const SESSION_FIELDS = gql`
  fragment SessionFields on AuthPayload {
    accessToken
    accessTokenExpiresAt
    refreshToken
    user { id email name phone roles theatreIds }
  }
`

const LOGIN = gql`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      ...SessionFields
    }
  }
  ${SESSION_FIELDS}
`
const REGISTER = gql`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      ...SessionFields
    }
  }
  ${SESSION_FIELDS}
`
const REFRESH = gql`
  mutation Refresh($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) {
      ...SessionFields
    }
  }
  ${SESSION_FIELDS}
`
const LOGOUT = gql`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`
export const ME = gql`
  query Me {
    me { id email name phone roles theatreIds }
  }
`

interface State {
  user: User | null
  /** False until a stored refresh token has been tried. */
  ready: boolean
}

let state: State = { user: null, ready: false }
const listeners = new Set<() => void>()
let timer: ReturnType<typeof setTimeout> | undefined

function set(s: Partial<State>) {
  state = { ...state, ...s }
  listeners.forEach((l) => l())
}

type Payload = LoginMutation['login']

function accept(p: Payload) {
  tokens.setAccess(p.accessToken)
  tokens.setRefresh(p.refreshToken)
  set({ user: p.user, ready: true })
  clearTimeout(timer)
  const inMs = Date.parse(p.accessTokenExpiresAt) - Date.now() - 60_000
  timer = setTimeout(() => void refresh(), Math.max(inMs, 10_000))
}

function clear() {
  tokens.setAccess(null)
  tokens.setRefresh(null)
  clearTimeout(timer)
  set({ user: null, ready: true })
}

let inflight: Promise<boolean> | null = null

/** Exchanges the stored refresh token for new tokens; signs out when that fails. */
export function refresh(): Promise<boolean> {
  if (inflight) return inflight
  const rt = tokens.refresh()
  if (!rt) {
    set({ ready: true })
    return Promise.resolve(false)
  }
  tokens.setAccess(null)
  inflight = request<RefreshMutation, RefreshMutationVariables>(REFRESH, { refreshToken: rt }, { noRefresh: true })
    .then((d) => {
      accept(d.refreshToken)
      return true
    })
    .catch((e) => {
      // A network error keeps the refresh token for the next attempt; a refusal ends the session.
      if ((e as { code?: string }).code === 'NETWORK') set({ ready: true })
      else clear()
      return false
    })
    .finally(() => {
      inflight = null
    })
  return inflight
}
setRefresher(refresh)

export const auth = {
  async login(email: string, password: string) {
    const d = await request<LoginMutation, LoginMutationVariables>(LOGIN, { email, password }, { noRefresh: true })
    accept(d.login)
    return d.login.user
  },
  async register(input: RegisterInput) {
    const d = await request<RegisterMutation, RegisterMutationVariables>(REGISTER, { input }, { noRefresh: true })
    accept(d.register)
    return d.register.user
  },
  async logout() {
    const rt = tokens.refresh()
    if (rt) await request(LOGOUT, { refreshToken: rt }).catch(() => undefined)
    clear()
  },
  /** At start-up: sign back in from a stored refresh token. */
  restore() {
    if (state.ready || inflight) return
    void refresh()
  },
  get: () => state,
}

export function useAuth(): State {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb)
      return () => listeners.delete(cb)
    },
    () => state,
    () => state,
  )
}

export function isOperator(u: User | null): boolean {
  return !!u && (u.roles.includes('admin') || u.roles.includes('theatre_admin'))
}
