// A small GraphQL client: fetch for queries and mutations, graphql-ws for subscriptions.
import { createClient, type Client } from 'graphql-ws'
import { tokens, tryRefresh } from './tokens'

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'SEAT_UNAVAILABLE'
  | 'HOLD_EXPIRED'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | 'NETWORK'

interface WireError {
  message: string
  path?: (string | number)[]
  extensions?: { code?: string; reason?: string; [k: string]: unknown }
}

/** An error from the server (or the network), with its extensions.code. */
export class GqlError extends Error {
  readonly code: ErrorCode
  readonly reason?: string
  readonly extensions: Record<string, unknown>
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message)
    this.name = 'GqlError'
    this.code = code
    this.reason = typeof extensions.reason === 'string' ? extensions.reason : undefined
    this.extensions = extensions
  }
}

function toError(e: WireError | undefined): GqlError {
  const code = (e?.extensions?.code as ErrorCode) ?? 'INTERNAL'
  return new GqlError(e?.message ?? 'Unknown error', code, e?.extensions ?? {})
}

async function post(query: string, variables: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' }
  const t = tokens.access()
  if (t) headers.Authorization = `Bearer ${t}`
  return fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    credentials: 'same-origin',
    signal,
  })
}

/** Runs a query or mutation; throws GqlError on any error. */
export async function request<T, V = Record<string, never>>(
  query: string,
  variables?: V,
  opts: { signal?: AbortSignal; noRefresh?: boolean } = {},
): Promise<T> {
  let res: Response
  try {
    res = await post(query, variables ?? {}, opts.signal)
    if (res.status === 401 && tokens.access() && !opts.noRefresh) {
      // The access token expired or was revoked: refresh once and retry (signed out if that fails).
      await tryRefresh()
      res = await post(query, variables ?? {}, opts.signal)
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e
    throw new GqlError('Network error', 'NETWORK')
  }
  let body: { data?: T; errors?: WireError[] }
  try {
    body = await res.json()
  } catch {
    throw new GqlError(`HTTP ${res.status}`, res.status === 429 ? 'RATE_LIMITED' : 'INTERNAL')
  }
  if (body.errors?.length) throw toError(body.errors[0])
  if (!body.data) throw new GqlError('Empty response', 'INTERNAL')
  return body.data
}

let ws: Client | null = null

function wsClient(): Client {
  if (!ws) {
    const proto = location.protocol === 'https:' ? 'wss' : 'ws'
    ws = createClient({
      url: `${proto}://${location.host}/graphql`,
      lazy: true,
      retryAttempts: 30,
      shouldRetry: () => true,
      connectionParams: () => {
        const t = tokens.access()
        return t ? { Authorization: `Bearer ${t}` } : {}
      },
    })
  }
  return ws
}

/** Subscribes; returns the function that ends the subscription. */
export function subscribe<T, V>(
  query: string,
  variables: V,
  handlers: { next: (data: T) => void; error?: (e: GqlError) => void },
): () => void {
  return wsClient().subscribe<T>(
    { query, variables: variables as Record<string, unknown> },
    {
      next: (msg) => {
        if (msg.errors?.length) handlers.error?.(toError(msg.errors[0] as WireError))
        else if (msg.data) handlers.next(msg.data as T)
      },
      error: (e) => {
        const first = Array.isArray(e) ? (e[0] as WireError) : undefined
        handlers.error?.(first ? toError(first) : new GqlError('Live updates disconnected', 'NETWORK'))
      },
      complete: () => {},
    },
  )
}

/** Tags an operation for codegen (which reads every gql`…` in src/) and appends the fragments
 * interpolated into it, each once. */
export function gql(strings: TemplateStringsArray, ...fragments: string[]): string {
  let out = ''
  strings.forEach((s, i) => {
    out += s
    if (i < fragments.length) out += '\n' + fragments[i] + '\n'
  })
  return dedupe(out)
}

/** Keeps the first of identical top-level definitions (a fragment pulled in twice). */
function dedupe(doc: string): string {
  const defs: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < doc.length; i++) {
    const ch = doc[i]
    if (ch === '{') depth++
    else if (ch === '}') {
      depth--
      if (depth === 0) {
        defs.push(doc.slice(start, i + 1).trim())
        start = i + 1
      }
    }
  }
  return [...new Set(defs)].join('\n')
}
