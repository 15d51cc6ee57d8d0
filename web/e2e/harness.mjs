// End-to-end harness: builds and starts `marquee serve --demo` on a free port with a temp data
// dir, and launches the system Chromium through playwright-core (no browser downloads).
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, mkdirSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
export const repoRoot = resolve(here, '../..')
export const shotDir = process.env.SCREENSHOT_DIR ?? join(repoRoot, 'web/test-results/screenshots')

/** Builds the binary (which embeds the current web build) unless MARQUEE_BIN names one. */
export function buildBinary() {
  if (process.env.MARQUEE_BIN) return process.env.MARQUEE_BIN
  const out = join(tmpdir(), `marquee-e2e-${process.pid}`)
  const t = Date.now()
  execFileSync('go', ['build', '-o', out, './cmd/marquee'], { cwd: repoRoot, stdio: 'inherit' })
  console.log(`# built ${out} in ${((Date.now() - t) / 1000).toFixed(1)} s`)
  return out
}

/** Starts `marquee serve --demo`; resolves with its base URL once it prints "http: …". */
export async function startServer(bin) {
  const dataDir = mkdtempSync(join(tmpdir(), 'marquee-e2e-data-'))
  const proc = spawn(bin, ['serve', '--demo', '--http-addr=127.0.0.1:0', '--grpc-addr=', `--data-dir=${dataDir}`, '--log-format=json', '--log-level=warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  proc.stderr.on('data', (d) => (stderr += d))
  const base = await new Promise((res, rej) => {
    let out = ''
    const timer = setTimeout(() => rej(new Error(`marquee did not start in 90 s:\n${out}\n${stderr}`)), 90_000)
    proc.stdout.on('data', (d) => {
      out += d
      const m = out.match(/^\s*http:\s+(\S+)/m)
      if (m) {
        clearTimeout(timer)
        res(m[1])
      }
    })
    proc.on('exit', (code) => rej(new Error(`marquee exited with ${code}:\n${out}\n${stderr}`)))
  })
  return {
    base,
    stderr: () => stderr,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => (proc.exitCode != null ? r() : proc.on('exit', r)))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'

/** Chromium, headless; Playwright gives every launch a fresh temporary user-data-dir. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** A page that records console errors and uncaught exceptions. */
export async function newPage(browser, base, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ baseURL: base, viewport: { width, height } })
  const page = await context.newPage()
  page.errors = []
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text())
  })
  page.on('pageerror', (e) => page.errors.push(String(e)))
  return page
}

/** A GraphQL request from Node. */
export async function gql(base, query, variables = {}, token) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  })
  const body = await res.json()
  if (body.errors?.length) throw new Error(`${body.errors[0].message} (${body.errors[0].extensions?.code})`)
  return body.data
}

export async function shoot(page, name) {
  mkdirSync(shotDir, { recursive: true })
  const w = page.viewportSize()?.width ?? 0
  // A full-page capture draws sticky bars over the content: let them flow for the picture.
  await page.addStyleTag({ content: '.summary-bar, .header { position: static !important; }' })
  await page.screenshot({ path: join(shotDir, `${name}-${w}.png`), fullPage: true })
}
