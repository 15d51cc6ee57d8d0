import { lazy, Suspense, useEffect, useState } from 'react'
import { Link, match, navigate, useLocation } from './lib/router'
import { auth, isOperator, useAuth } from './lib/auth'
import { request } from './lib/gql'
import { CITIES } from './lib/queries'
import { setPlace, usePlace, distanceKm } from './lib/place'
import { useLoad } from './lib/hooks'
import type { CitiesQuery } from './gql/types'
import { Spinner } from './components/ui'
import { Home } from './pages/Home'
import { MoviePage } from './pages/Movie'
import { SeatsPage } from './pages/Seats'
import { CheckoutPage } from './pages/Checkout'
import { BookingPage, FindBookingPage, MyBookingsPage } from './pages/Bookings'
import { SignInPage, SignUpPage } from './pages/Account'

// The operators' console is a separate chunk: customers never download it.
const Console = lazy(() => import('./console/Console'))
const Perf = lazy(() => import('./pages/Perf'))

export type City = CitiesQuery['cities'][number]

export function App() {
  const { path, query } = useLocation()
  const cities = useLoad((signal) => request<CitiesQuery>(CITIES, {}, { signal }).then((d) => d.cities), [])
  const place = usePlace()
  const list = cities.data ?? []
  useEffect(() => {
    if (!place.cityId && list.length) setPlace({ cityId: list[0].id })
  }, [place.cityId, list])

  let page
  let m: Record<string, string> | null
  if (path === '/') page = <Home cities={list} citiesLoading={cities.loading} citiesError={cities.error} />
  else if ((m = match('/movies/:id', path))) page = <MoviePage id={m.id} cities={list} />
  else if ((m = match('/shows/:id', path))) page = <SeatsPage showId={m.id} />
  else if ((m = match('/checkout/:holdId', path))) page = <CheckoutPage holdId={m.holdId} />
  else if ((m = match('/bookings/:id', path))) page = <BookingPage id={m.id} />
  else if (path === '/find-booking') page = <FindBookingPage />
  else if (path === '/my-bookings') page = <MyBookingsPage />
  else if (path === '/signin') page = <SignInPage />
  else if (path === '/signup') page = <SignUpPage />
  else if (path === '/perf/seatmap')
    page = (
      <Suspense fallback={<Spinner />}>
        <Perf seats={Number(query.get('seats') ?? 450)} />
      </Suspense>
    )
  else if (path === '/console' || path.startsWith('/console/'))
    page = (
      <Suspense fallback={<Spinner label="Loading the console…" />}>
        <Console path={path} />
      </Suspense>
    )
  else
    page = (
      <div className="page narrow">
        <h1>Page not found</h1>
        <p>
          There is nothing at this address. <Link to="/">Browse movies</Link>
        </p>
      </div>
    )

  return (
    <>
      <Header cities={list} />
      <main id="main">{page}</main>
      <footer className="footer">
        <span>Marquee — open-source cinema ticketing</span>
        <Link to="/find-booking">Find my booking</Link>
      </footer>
    </>
  )
}

function Header({ cities }: { cities: City[] }) {
  const { user, ready } = useAuth()
  const place = usePlace()
  const [locating, setLocating] = useState(false)
  const [geoError, setGeoError] = useState('')

  function locate() {
    if (!navigator.geolocation) {
      setGeoError('Your browser cannot share its location.')
      return
    }
    setLocating(true)
    setGeoError('')
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false)
        const near = { lat: pos.coords.latitude, lng: pos.coords.longitude }
        // Shop in the nearest city, sorted by distance from here.
        let best: City | undefined
        for (const c of cities) if (!best || distanceKm(near, c.location) < distanceKm(near, best.location)) best = c
        setPlace({ near, cityId: best?.id ?? place.cityId })
      },
      (err) => {
        setLocating(false)
        setGeoError(err.code === err.PERMISSION_DENIED ? 'Location permission was denied; pick a city instead.' : 'Your location is not available right now.')
      },
      { timeout: 10_000, maximumAge: 300_000 },
    )
  }

  return (
    <header className="header">
      <div className="header-inner">
        <Link to="/" className="brand" aria-label="Marquee home">
          <span className="brand-mark" aria-hidden="true">M</span>
          <span className="brand-name">Marquee</span>
        </Link>
        <div className="place">
          <label className="sr-only" htmlFor="city">City</label>
          <select
            id="city"
            value={place.cityId ?? ''}
            onChange={(e) => setPlace({ cityId: e.target.value, near: null })}
            disabled={!cities.length}
          >
            {!cities.length && <option value="">Loading cities…</option>}
            {cities.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <button type="button" className={`btn btn-ghost btn-small${place.near ? ' is-on' : ''}`} onClick={place.near ? () => setPlace({ near: null }) : locate} aria-pressed={!!place.near}>
            <Pin />
            {locating ? 'Locating…' : place.near ? 'Near me ✕' : 'Use my location'}
          </button>
          {geoError && <span className="geo-error" role="alert">{geoError}</span>}
        </div>
        <nav className="nav" aria-label="Account">
          {!ready ? null : user ? (
            <>
              {isOperator(user) && <Link to="/console">Console</Link>}
              <Link to="/my-bookings">My bookings</Link>
              <button type="button" className="linklike" onClick={() => auth.logout().then(() => navigate('/'))}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <Link to="/my-bookings">Bookings</Link>
              <Link to="/signin" className="btn btn-small">Sign in</Link>
            </>
          )}
        </nav>
      </div>
    </header>
  )
}

function Pin() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
      <path d="M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z" />
    </svg>
  )
}
