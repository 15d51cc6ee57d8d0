// Reports the gzipped size of the JavaScript that index.html loads up front (the customer pages),
// and of every other chunk, from the production build. Fails over the 200 KB budget.
import { readFileSync, readdirSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const dist = new URL('../../internal/gateway/web/dist/app/', import.meta.url).pathname
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1])
const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
let total = 0
for (const f of initial) {
  total += gz(f)
  console.log(`initial  ${f}  ${kb(gz(f))} gzipped`)
}
for (const f of readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js') && !initial.includes(`assets/${f}`))) {
  console.log(`lazy     assets/${f}  ${kb(gz(`assets/${f}`))} gzipped`)
}
console.log(`initial JavaScript for the customer pages: ${kb(total)} gzipped (budget 200 KB)`)
if (total > 200 * 1024) process.exit(1)
