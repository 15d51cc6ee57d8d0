import { useEffect, useState } from 'react'
import type { City } from '../App'
import { Poster } from '../components/Poster'
import { Empty, ErrorBox, Spinner } from '../components/ui'
import { gql, request } from '../lib/gql'
import { useLoad } from '../lib/hooks'
import { usePlace } from '../lib/place'
import { Link } from '../lib/router'
import { clock, dateParts, money, runtime } from '../lib/format'
import type { MovieQuery, MovieQueryVariables, ShowDatesQuery, ShowDatesQueryVariables, ShowtimesQuery, ShowtimesQueryVariables } from '../gql/types'

const MOVIE = gql`
  query Movie($id: ID!) {
    movie(id: $id) {
      id title synopsis runtimeMinutes certification languages genres formats releaseDate
      cast { name role }
    }
  }
`
const DATES = gql`
  query ShowDates($movieId: ID!, $cityId: ID!) {
    showDates(movieId: $movieId, cityId: $cityId)
  }
`
const SHOWTIMES = gql`
  query Showtimes($filter: ShowtimeFilter!) {
    showtimes(filter: $filter) {
      distanceKm
      theatre { id name address amenities }
      shows { id localTime language format availableSeats status screen { name seatCount } prices { category name price { amount currency } } }
    }
  }
`

export function MoviePage({ id }: { id: string; cities: City[] }) {
  const place = usePlace()
  const movie = useLoad((signal) => request<MovieQuery, MovieQueryVariables>(MOVIE, { id }, { signal }).then((d) => d.movie), [id])
  const dates = useLoad(
    (signal) =>
      place.cityId
        ? request<ShowDatesQuery, ShowDatesQueryVariables>(DATES, { movieId: id, cityId: place.cityId }, { signal }).then((d) => d.showDates)
        : Promise.resolve([] as string[]),
    [id, place.cityId],
  )
  const [date, setDate] = useState<string>('')
  useEffect(() => {
    if (dates.data?.length && !dates.data.includes(date)) setDate(dates.data[0])
  }, [dates.data, date])
  const showtimes = useLoad(
    (signal) =>
      date
        ? request<ShowtimesQuery, ShowtimesQueryVariables>(
            SHOWTIMES,
            { filter: place.near ? { movieId: id, date, near: { ...place.near, radiusKm: 50 } } : { movieId: id, date, cityId: place.cityId } },
            { signal },
          ).then((d) => d.showtimes)
        : Promise.resolve(null),
    [id, date, place.cityId, place.near?.lat, place.near?.lng],
  )

  if (movie.loading && !movie.data) return <Spinner />
  if (movie.error) return <div className="page"><ErrorBox error={movie.error} onRetry={movie.reload} /></div>
  const m = movie.data
  if (!m) return <div className="page"><Empty title="Movie not found"><Link to="/">Back to all movies</Link></Empty></div>

  return (
    <div className="page">
      <section className="movie-hero">
        <div className="movie-hero-poster">
          <Poster id={m.id} title={m.title} />
        </div>
        <div>
          <h1>{m.title}</h1>
          <p className="movie-facts">
            <span className="cert">{m.certification}</span> {runtime(m.runtimeMinutes)} · {m.genres.join(', ')}
          </p>
          <p className="muted">{m.languages.join(' · ')} — {m.formats.join(' · ')}</p>
          {m.synopsis && <p className="synopsis">{m.synopsis}</p>}
          {m.cast.length > 0 && <p className="muted small">With {m.cast.slice(0, 4).map((c) => c.name).join(', ')}</p>}
        </div>
      </section>

      <h2 className="sr-only">Dates</h2>
      {dates.loading && !dates.data ? (
        <Spinner label="Loading dates…" />
      ) : dates.error ? (
        <ErrorBox error={dates.error} onRetry={dates.reload} />
      ) : !dates.data?.length ? (
        <Empty title="No shows in this city yet">Try another city, or come back soon.</Empty>
      ) : (
        <div className="date-strip" role="tablist" aria-label="Show dates">
          {dates.data.map((d) => {
            const p = dateParts(d)
            return (
              <button key={d} type="button" role="tab" aria-selected={d === date} className={`date${d === date ? ' is-on' : ''}`} onClick={() => setDate(d)}>
                <span className="date-wd">{p.weekday}</span>
                <span className="date-d">{p.day}</span>
                <span className="date-m">{p.month}</span>
              </button>
            )
          })}
        </div>
      )}

      {date &&
        (showtimes.loading && !showtimes.data ? (
          <Spinner label="Loading showtimes…" />
        ) : showtimes.error ? (
          <ErrorBox error={showtimes.error} onRetry={showtimes.reload} />
        ) : !showtimes.data?.length ? (
          <Empty title="No showtimes on this date">Pick another date above.</Empty>
        ) : (
          <ul className="theatre-list" aria-busy={showtimes.loading}>
            {showtimes.data.map((ts) => (
              <li key={ts.theatre.id} className="theatre">
                <div className="theatre-head">
                  <h3>{ts.theatre.name}</h3>
                  <span className="muted small">
                    {ts.distanceKm != null && <strong>{ts.distanceKm.toFixed(1)} km · </strong>}
                    {ts.theatre.address}
                  </span>
                </div>
                <div className="showtimes">
                  {ts.shows.map((s) => {
                    const prices = s.prices.map((p) => p.price.amount)
                    const cur = s.prices[0]?.price.currency ?? 'INR'
                    const lo = Math.min(...prices)
                    const hi = Math.max(...prices)
                    const fill = s.screen.seatCount ? 1 - s.availableSeats / s.screen.seatCount : 0
                    const soldOut = s.availableSeats === 0 || s.status === 'CANCELLED'
                    return (
                      <Link
                        key={s.id}
                        to={`/shows/${s.id}`}
                        className={`showtime${fill > 0.8 ? ' is-filling' : ''}${soldOut ? ' is-soldout' : ''}`}
                        aria-label={`${clock(s.localTime)}, ${s.format}, ${s.language}, ${s.screen.name}, ${
                          soldOut ? 'sold out' : `${s.availableSeats} seats left`
                        }, ${money({ amount: lo, currency: cur })} to ${money({ amount: hi, currency: cur })}`}
                      >
                        <span className="showtime-time">{clock(s.localTime)}</span>
                        <span className="showtime-meta">
                          {s.format} · {s.language}
                        </span>
                        <span className="showtime-price">
                          {prices.length ? (lo === hi ? money({ amount: lo, currency: cur }) : `${money({ amount: lo, currency: cur })}–${money({ amount: hi, currency: cur })}`) : ''}
                        </span>
                        <span className="showtime-avail">{soldOut ? 'Sold out' : fill > 0.8 ? 'Filling fast' : `${s.availableSeats} left`}</span>
                      </Link>
                    )
                  })}
                </div>
              </li>
            ))}
          </ul>
        ))}
    </div>
  )
}
