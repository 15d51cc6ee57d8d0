import { useMemo, useState } from 'react'
import type { City } from '../App'
import { Poster } from '../components/Poster'
import { Empty, ErrorBox, Spinner } from '../components/ui'
import { gql, request } from '../lib/gql'
import { useLoad } from '../lib/hooks'
import { usePlace } from '../lib/place'
import { Link } from '../lib/router'
import { runtime } from '../lib/format'
import type { MoviesQuery, MoviesQueryVariables, NearbyTheatresQuery, NearbyTheatresQueryVariables } from '../gql/types'

const MOVIES = gql`
  query Movies($cityId: ID) {
    movies(filter: { cityId: $cityId, status: NOW_SHOWING }, first: 100) {
      edges { node { id title certification runtimeMinutes languages genres formats posterUrl } }
    }
  }
`

const NEARBY = gql`
  query NearbyTheatres($near: GeoPointInput!) {
    theatres(filter: { near: $near }) { id name address distanceKm }
  }
`

export function Home({ cities, citiesLoading, citiesError }: { cities: City[]; citiesLoading: boolean; citiesError: unknown }) {
  const place = usePlace()
  const city = cities.find((c) => c.id === place.cityId)
  const movies = useLoad(
    (signal) =>
      place.cityId
        ? request<MoviesQuery, MoviesQueryVariables>(MOVIES, { cityId: place.cityId }, { signal }).then((d) => d.movies.edges.map((e) => e.node))
        : Promise.resolve([]),
    [place.cityId],
  )
  const nearby = useLoad(
    (signal) =>
      place.near
        ? request<NearbyTheatresQuery, NearbyTheatresQueryVariables>(NEARBY, { near: { ...place.near, radiusKm: 25 } }, { signal }).then((d) => d.theatres)
        : Promise.resolve([]),
    [place.near?.lat, place.near?.lng],
  )
  const [language, setLanguage] = useState('')
  const [genre, setGenre] = useState('')
  const [format, setFormat] = useState('')
  const all = movies.data ?? []
  const options = useMemo(() => {
    const uniq = (f: (m: (typeof all)[number]) => string[]) => [...new Set(all.flatMap(f))].sort()
    return { languages: uniq((m) => m.languages), genres: uniq((m) => m.genres), formats: uniq((m) => m.formats) }
  }, [all])
  const shown = all.filter(
    (m) => (!language || m.languages.includes(language)) && (!genre || m.genres.includes(genre)) && (!format || m.formats.includes(format)),
  )

  return (
    <div className="page">
      <section className="hero">
        <h1>Now showing{city ? ` in ${city.name}` : ''}</h1>
        <p className="muted">Pick a movie, choose your seats and get your ticket in a minute.</p>
      </section>

      {place.near && (
        <section className="nearby" aria-labelledby="nearby-h">
          <h2 id="nearby-h">Cinemas near you</h2>
          {nearby.loading ? (
            <Spinner label="Finding cinemas near you…" />
          ) : nearby.error ? (
            <ErrorBox error={nearby.error} onRetry={nearby.reload} />
          ) : !nearby.data?.length ? (
            <Empty title="No cinemas within 25 km">Pick a city from the list above instead.</Empty>
          ) : (
            <ul className="chips">
              {nearby.data.map((t) => (
                <li key={t.id} className="chip chip-static">
                  {t.name} <span className="muted">· {t.distanceKm?.toFixed(1)} km</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      <div className="filters" role="group" aria-label="Filter movies">
        <FilterSelect label="Language" value={language} onChange={setLanguage} options={options.languages} />
        <FilterSelect label="Genre" value={genre} onChange={setGenre} options={options.genres} />
        <FilterSelect label="Format" value={format} onChange={setFormat} options={options.formats} />
        {(language || genre || format) && (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => (setLanguage(''), setGenre(''), setFormat(''))}>
            Clear filters
          </button>
        )}
      </div>

      {citiesError ? (
        <ErrorBox error={citiesError} />
      ) : movies.error ? (
        <ErrorBox error={movies.error} onRetry={movies.reload} />
      ) : citiesLoading || (movies.loading && !movies.data) ? (
        <div className="movie-grid" aria-busy="true">
          {Array.from({ length: 8 }, (_, i) => (
            <div key={i} className="movie-card skeleton" />
          ))}
        </div>
      ) : !shown.length ? (
        <Empty title={all.length ? 'No movie matches these filters' : 'Nothing is showing in this city yet'}>
          {all.length ? 'Try another language, genre or format.' : 'Try another city.'}
        </Empty>
      ) : (
        <ul className="movie-grid">
          {shown.map((m) => (
            <li key={m.id}>
              <Link to={`/movies/${m.id}`} className="movie-card">
                <Poster id={m.id} title={m.title} subtitle={m.genres.slice(0, 2).join(' · ')} />
                <span className="movie-title">{m.title}</span>
                <span className="movie-meta">
                  <span className="cert">{m.certification}</span> {runtime(m.runtimeMinutes)} · {m.languages.slice(0, 2).join(', ')}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function FilterSelect({ label, value, onChange, options }: { label: string; value: string; onChange: (v: string) => void; options: string[] }) {
  return (
    <label className="filter">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All</option>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </label>
  )
}
