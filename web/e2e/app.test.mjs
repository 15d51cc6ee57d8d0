// Browser scenarios against a real `marquee serve --demo` (see harness.mjs). Run: npm run e2e
// (after npm run build, so the binary embeds the current front end).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildBinary, gql, launchBrowser, newPage, shoot, startServer } from './harness.mjs'

let server
let browser

before(async () => {
  server = await startServer(buildBinary())
  browser = await launchBrowser()
  console.log(`# marquee at ${server.base}`)
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** Screenshots at 1280 px and at a 375 px phone width. */
async function shootBoth(page, name) {
  const vp = page.viewportSize()
  await shoot(page, name)
  await page.setViewportSize({ width: 375, height: 812 })
  await page.waitForTimeout(150)
  await shoot(page, name)
  await page.setViewportSize(vp)
}

function assertNoConsoleErrors(page) {
  assert.deepEqual(page.errors, [], `console errors: ${page.errors.join('\n')}`)
}

/** A run of at least `run` available seats in one block, starting at the block's edge. */
async function freeRun(page, run = 4) {
  return page.evaluate((run) => {
    for (const row of document.querySelectorAll('.seatrow')) {
      let streak = []
      let edge = true
      for (const el of row.children) {
        if (el.matches('[data-status="AVAILABLE"]')) {
          streak.push(el.dataset.seat)
          if (edge && streak.length >= run) return streak
        } else {
          streak = []
          edge = el.matches('.gap, .rowlabel')
        }
      }
    }
    return null
  }, run)
}

/** The first seat of a run of at least `run` available seats in one block. */
async function freeSeat(page, run = 4) {
  return page.evaluate((run) => {
    for (const row of document.querySelectorAll('.seatrow')) {
      let streak = []
      for (const el of row.children) {
        if (el.matches('[data-status="AVAILABLE"]')) {
          streak.push(el.dataset.seat)
          if (streak.length >= run) return streak[0]
        } else streak = []
      }
    }
    return null
  }, run)
}

async function firstShow(base) {
  const { cities } = await gql(base, `{ cities { id name } }`)
  const city = cities[0]
  const { movies } = await gql(base, `query($c: ID) { movies(filter: {cityId: $c, status: NOW_SHOWING}, first: 20) { edges { node { id title } } } }`, { c: city.id })
  for (const { node } of movies.edges) {
    const { showDates } = await gql(base, `query($m: ID!, $c: ID!) { showDates(movieId: $m, cityId: $c) }`, { m: node.id, c: city.id })
    if (!showDates.length) continue
    const { showtimes } = await gql(base, `query($f: ShowtimeFilter!) { showtimes(filter: $f) { shows { id availableSeats } } }`, {
      f: { movieId: node.id, cityId: city.id, date: showDates[showDates.length - 1] },
    })
    const show = showtimes.flatMap((t) => t.shows).find((s) => s.availableSeats > 50)
    if (show) return show.id
  }
  throw new Error('no show with free seats in the demo data')
}

describe('customer', () => {
  it('(a) a guest browses, picks seats, checks out, pays in the sandbox and sees the confirmation', async () => {
    const page = await newPage(browser, server.base)
    await page.goto('/')
    await page.waitForSelector('.movie-card:not(.skeleton)')
    await shootBoth(page, 'home')
    await page.click('a.movie-card >> nth=0')
    await page.waitForSelector('.showtime')
    await shootBoth(page, 'movie')
    await page.click('.showtime:not(.is-soldout) >> nth=0')
    await page.waitForSelector('.live.is-live')
    await page.click('button:has-text("Best available")')
    await page.waitForSelector('.countdown')
    const seats = await page.$$eval('.seat.s-selected[data-seat]', (els) => els.map((e) => e.dataset.seat))
    assert.equal(seats.length, 2, 'best available holds two seats')
    await shootBoth(page, 'seatmap')
    await page.click('button:has-text("Proceed to pay")')
    await page.waitForSelector('table.quote')
    const email = `guest-${Date.now()}@example.com`
    await page.getByLabel('E-mail').fill(email)
    await page.getByLabel('Mobile phone').fill('+919876543210')
    await page.getByLabel('Name (optional)').fill('Asha Guest')
    await shootBoth(page, 'checkout')
    await Promise.all([page.waitForURL(/\/sandbox\/pay\//), page.click('button[type=submit]:has-text("Pay")')])
    await Promise.all([page.waitForURL(/\/bookings\/[^/?]+\?/), page.click('button[name=outcome][value=success]')])
    await page.waitForSelector('h1:has-text("Booking confirmed")', { timeout: 40_000 })
    const reference = (await page.textContent('[data-testid=reference]')).trim()
    assert.match(reference, /\S{4,}/)
    await shootBoth(page, 'confirmation')
    const { bookingByReference: b } = await gql(server.base, `query($r: String!, $e: String!) { bookingByReference(reference: $r, email: $e) { status seatIds } }`, {
      r: reference,
      e: email,
    })
    assert.equal(b.status, 'CONFIRMED')
    assert.deepEqual([...b.seatIds].sort(), [...seats].sort())

    // Find my booking, by reference and e-mail.
    await page.goto('/find-booking')
    await page.getByLabel('Booking reference').fill(reference)
    await page.getByLabel('E-mail used at checkout').fill(email)
    await page.click('button:has-text("Find booking")')
    await page.waitForSelector(`[aria-label="Booking ${reference}"]`)
    assertNoConsoleErrors(page)
    await page.context().close()
  })

  it('(b) seats held in one browser turn unavailable in another within a second, without reload', async () => {
    const showId = await firstShow(server.base)
    const a = await newPage(browser, server.base)
    const b = await newPage(browser, server.base)
    await Promise.all([a.goto(`/shows/${showId}`), b.goto(`/shows/${showId}`)])
    await Promise.all([a.waitForSelector('.live.is-live'), b.waitForSelector('.live.is-live')])

    // B starts choosing: two tickets, one seat picked so far.
    const seat = await freeSeat(b)
    assert.ok(seat, 'a free seat')
    await b.click(`[data-seat="${seat}"]`)
    assert.equal(await b.getAttribute(`[data-seat="${seat}"]`, 'aria-pressed'), 'true')

    // A takes that seat (one ticket).
    await a.click('button.count:text-is("1")')
    await a.click(`[data-seat="${seat}"]`)
    await a.waitForSelector('.countdown')
    const t0 = Date.now()
    await b.waitForFunction((id) => document.querySelector(`[data-seat="${id}"]`)?.dataset.status === 'HELD', seat, { timeout: 1000, polling: 20 })
    console.log(`# seat ${seat} turned unavailable in the other browser ${Date.now() - t0} ms after the hold answered`)
    await b.waitForSelector(`.alert:has-text("${seat} was just taken by someone else")`, { timeout: 1000 })
    assert.equal(await b.getAttribute(`[data-seat="${seat}"]`, 'aria-pressed'), 'false')
    assert.match(await b.getAttribute(`[data-seat="${seat}"]`, 'aria-label'), /^Row \w+ seat \d+, .+, held by another customer/)

    // A choice that would strand one seat at the block's edge is refused, in words.
    const block = await freeRun(a, 5)
    assert.ok(block, 'a free block')
    await a.click('button.count:text-is("2")')
    await a.click(`[data-seat="${block[1]}"]`)
    await a.click(`[data-seat="${block[2]}"]`)
    await a.waitForSelector('.alert:has-text("single empty seat")')
    assert.equal(await a.getAttribute(`[data-seat="${block[1]}"]`, 'aria-pressed'), 'true', 'the selection stays for the customer to change')

    // Keyboard: arrows move between seats, Enter selects.
    await b.focus('.seat[tabindex="0"]')
    const before = await b.evaluate(() => document.activeElement?.dataset.seat)
    await b.keyboard.press('ArrowRight')
    const moved = await b.evaluate(() => document.activeElement?.dataset.seat)
    assert.notEqual(moved, before)
    assertNoConsoleErrors(a)
    assertNoConsoleErrors(b)
    await a.context().close()
    await b.context().close()
  })

  it('renders a 450-seat map quickly', async () => {
    const page = await newPage(browser, server.base)
    const runs = []
    for (let i = 0; i < 5; i++) {
      await page.goto('/perf/seatmap?seats=450')
      runs.push(await (await page.waitForFunction(() => window.__seatmapMs)).jsonValue())
    }
    const sorted = [...runs].sort((x, y) => x - y)
    console.log(`# 450-seat map rendered and interactive in ${sorted.map((r) => r.toFixed(1)).join(', ')} ms (median ${sorted[2].toFixed(1)} ms)`)
    assert.ok(sorted[2] > 0 && sorted[2] < 1000, 'median under a (generous) second')
    await page.context().close()
  })
})

describe('operator', () => {
  it('(c) signs in, adds a screen with the layout editor, schedules a batch (dry run, then for real); the shows appear for customers', async () => {
    const base = server.base
    const page = await newPage(browser, base)
    await page.goto('/signin')
    await page.getByLabel('E-mail').fill('admin@demo.marquee')
    await page.getByLabel('Password').fill('demo-admin')
    await Promise.all([page.waitForURL(/\/console$/), page.click('button[type=submit]')])
    await page.waitForSelector('.card-grid .card')
    await shootBoth(page, 'console')

    // A new screen, edited in the layout editor.
    await page.click('a:has-text("+ Add screen") >> nth=0')
    await page.waitForSelector('form.editor')
    const screenName = `Screen E2E ${Date.now() % 100000}`
    await page.getByLabel('Screen name').fill(screenName)
    await page.getByLabel('Formats').fill('2D')
    await page.click('button:has-text("+ Add row at the back")')
    await page.click('button:has-text("Accessible")')
    await page.click('[data-seat="A1"]')
    await page.click('button:has-text("Blocked")')
    await page.click('[data-seat="A2"]')
    await page.click('button:has-text("Insert aisle")')
    await page.click('[data-seat="B4"]')
    assert.match(await page.getAttribute('[data-seat="A1"]', 'aria-label'), /wheelchair accessible/)
    assert.equal(await page.getAttribute('[data-seat="A2"]', 'data-status'), 'BLOCKED')
    await shootBoth(page, 'layout-editor')
    await page.getByLabel('Customer preview').check()
    await page.waitForSelector('[aria-label="Customer preview"]')
    await Promise.all([page.waitForURL(/\/console\/screens\//), page.click('button[type=submit]:has-text("Add screen")')])
    const screenId = page.url().split('/').pop()

    // Which theatre and city got the screen.
    const { cities } = await gql(base, `{ cities { id name } }`)
    const { theatres } = await gql(base, `query($c: ID!) { theatres(filter: {cityId: $c}) { id name screens { id } } }`, { c: cities[0].id })
    const theatre = theatres.find((t) => t.screens.some((s) => s.id === screenId))
    assert.ok(theatre, 'the screen belongs to a theatre of the first city')
    const { movies } = await gql(base, `{ movies(first: 100) { edges { node { id title status formats } } } }`)
    const movie = movies.edges.map((e) => e.node).find((m) => m.status === 'NOW_SHOWING' && m.formats.includes('2D'))

    // A batch: dry run first, then for real.
    await page.click('a.tab:has-text("Schedule")')
    await page.getByLabel('Theatre').selectOption(theatre.id)
    await page.waitForFunction((n) => [...document.querySelectorAll('option')].some((o) => o.textContent.includes(n)), screenName)
    await page.getByLabel('Screen').selectOption(screenId)
    await page.getByLabel('Movie').selectOption(movie.id)
    const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10)
    await page.getByLabel('From').fill(day(2))
    await page.getByLabel('To (inclusive)').fill(day(3))
    await page.getByLabel('Start times').fill('11:15, 20:45')
    await page.getByLabel('Classic').fill('180')
    await page.getByLabel('Premium').fill('320')
    await page.click('button:has-text("Preview (dry run)")')
    await page.waitForSelector('h2:has-text("Preview: 4 shows would be created, no conflicts")')
    await shootBoth(page, 'schedule-preview')
    const countBefore = (await gql(base, `query($f: ShowtimeFilter!) { showtimes(filter: $f) { shows { id screen { id } } } }`, { f: { movieId: movie.id, cityId: cities[0].id } })).showtimes
      .flatMap((t) => t.shows)
      .filter((s) => s.screen.id === screenId).length
    assert.equal(countBefore, 0, 'the dry run saved nothing')
    await page.click('button:has-text("Schedule 4 shows")')
    await page.waitForSelector('h2:has-text("Scheduled 4 shows")')

    // The customer side shows them.
    const customer = await newPage(browser, base)
    await customer.goto(`/movies/${movie.id}`)
    await customer.waitForSelector('.date-strip')
    const d = new Date(`${day(2)}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', timeZone: 'UTC' })
    await customer.click(`.date:has(.date-d:text-is("${d}"))`)
    await customer.waitForSelector(`.showtime[aria-label*="${screenName}"]`)
    await customer.click(`.showtime[aria-label*="${screenName}"] >> nth=0`)
    await customer.waitForSelector('[data-seat="A1"]')
    assert.equal(await customer.getAttribute('[data-seat="A2"]', 'data-status'), 'BLOCKED')

    await page.click('a.tab:has-text("Sales")')
    await page.getByLabel('Theatre').selectOption(theatre.id)
    await page.waitForSelector('figure.chart svg')
    await shootBoth(page, 'console-sales')
    assertNoConsoleErrors(page)
    assertNoConsoleErrors(customer)
    await page.context().close()
    await customer.context().close()
  })
})
