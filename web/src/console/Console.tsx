// The operators' console (admin and theatre_admin): theatres and screens, the seat-layout editor,
// movies, batch scheduling and sales. Loaded as its own chunk.
import { useMemo, useState, type FormEvent } from 'react'
import { Legend, SeatMap } from '../components/SeatMap'
import { Empty, ErrorBox, Field, Spinner } from '../components/ui'
import { isOperator, useAuth, type User } from '../lib/auth'
import { errorMessage } from '../lib/errors'
import { gql, request } from '../lib/gql'
import { useLoad } from '../lib/hooks'
import { Link, match, navigate } from '../lib/router'
import { clock, money } from '../lib/format'
import { addRow, applyTool, fromServer, numbers, seatCount, template, toInput, toSeatRows, type ECategory, type ELayout, type Tool } from './layout'
import type {
  AddScreenMutation,
  AddScreenMutationVariables,
  ConsoleCitiesQuery,
  ConsoleMoviesQuery,
  ConsoleTheatreQuery,
  ConsoleTheatreQueryVariables,
  ConsoleTheatresQuery,
  ConsoleTheatresQueryVariables,
  CreateMovieMutation,
  CreateMovieMutationVariables,
  CreateTheatreMutation,
  CreateTheatreMutationVariables,
  DayShowsQuery,
  DayShowsQueryVariables,
  ScheduleMutation,
  ScheduleMutationVariables,
  ScreenLayoutQuery,
  ScreenLayoutQueryVariables,
  ShowSalesQuery,
  ShowSalesQueryVariables,
  UpdateScreenMutation,
  UpdateScreenMutationVariables,
} from '../gql/types'

const THEATRES = gql`
  query ConsoleTheatres($cityId: ID!) {
    theatres(filter: { cityId: $cityId }) { id name address timeZone city { id name } currency screens { id name seatCount formats } }
  }
`
const CONSOLE_CITIES = gql`
  query ConsoleCities {
    cities { id name location { lat lng } }
  }
`
const CREATE_THEATRE = gql`
  mutation CreateTheatre($input: TheatreInput!) {
    createTheatre(input: $input) { id name }
  }
`
const THEATRE = gql`
  query ConsoleTheatre($id: ID!) {
    theatre(id: $id) {
      id name address currency timeZone city { id name }
      screens { id name formats seatCount layout { categories { code name } } }
    }
  }
`
const SCREEN = gql`
  query ScreenLayout($id: ID!) {
    screen(id: $id) {
      id name formats seatCount
      layout {
        categories { code name }
        rows { label cells { column seat { id number category accessible companion blocked } } }
      }
    }
  }
`
const ADD_SCREEN = gql`
  mutation AddScreen($theatreId: ID!, $input: ScreenInput!) {
    addScreen(theatreId: $theatreId, input: $input) { id name seatCount }
  }
`
const UPDATE_SCREEN = gql`
  mutation UpdateScreen($id: ID!, $input: ScreenUpdateInput!) {
    updateScreen(id: $id, input: $input) { id name seatCount }
  }
`
const MOVIES = gql`
  query ConsoleMovies {
    movies(first: 100) { edges { node { id title status runtimeMinutes certification languages formats genres } } }
  }
`
const CREATE_MOVIE = gql`
  mutation CreateMovie($input: MovieInput!) {
    createMovie(input: $input) { id title }
  }
`
const SCHEDULE = gql`
  mutation Schedule($input: ScheduleShowsInput!) {
    scheduleShows(input: $input) {
      dryRun
      created { id localDate localTime format language }
      conflicts { date startTime reason message clashesWith { id localTime movie { title } } }
    }
  }
`
const DAY_SHOWS = gql`
  query DayShows($movieId: ID!, $cityId: ID!, $date: Date!) {
    showtimes(filter: { movieId: $movieId, cityId: $cityId, date: $date }) {
      theatre { id }
      shows { id localTime format availableSeats screen { name seatCount } movie { title } }
    }
  }
`
const SALES = gql`
  query ShowSales($showIds: [ID!]!) {
    showSales(showIds: $showIds) { showId ticketsSold capacity confirmedBookings revenue { amount currency } }
  }
`

type Theatre = ConsoleTheatresQuery['theatres'][number]

export default function Console({ path }: { path: string }) {
  const { user, ready } = useAuth()
  if (!ready) return <Spinner />
  if (!user)
    return (
      <div className="page narrow">
        <h1>Operator console</h1>
        <p>
          Please <Link to={`/signin?next=${encodeURIComponent(path)}`}>sign in</Link> with a theatre or admin account.
        </p>
      </div>
    )
  if (!isOperator(user))
    return (
      <div className="page narrow">
        <h1>Operator console</h1>
        <div className="alert alert-error" role="alert">Your account is not allowed to use the console. It is for theatre staff and administrators.</div>
      </div>
    )
  let body
  let m: Record<string, string> | null
  if ((m = match('/console/theatres/:id/screens/new', path))) body = <LayoutEditor theatreId={m.id} />
  else if ((m = match('/console/screens/:id', path))) body = <LayoutEditor screenId={m.id} />
  else if ((m = match('/console/theatres/:id', path))) body = <TheatrePage id={m.id} />
  else if (path === '/console/movies') body = <MoviesPage user={user} />
  else if (path === '/console/schedule') body = <SchedulePage user={user} />
  else if (path === '/console/sales') body = <SalesPage user={user} />
  else body = <TheatresPage user={user} />
  const tab = (to: string, label: string, on: boolean) => (
    <Link to={to} className={`tab${on ? ' is-on' : ''}`} aria-current={on ? 'page' : undefined}>
      {label}
    </Link>
  )
  return (
    <div className="page console">
      <div className="console-head">
        <h1>Console</h1>
        <span className="muted small">
          {user.name} · {user.roles.includes('admin') ? 'administrator' : 'theatre admin'}
        </span>
      </div>
      <nav className="tabs" aria-label="Console">
        {tab('/console', 'Theatres & screens', path === '/console' || path.startsWith('/console/theatres') || path.startsWith('/console/screens'))}
        {tab('/console/schedule', 'Schedule', path === '/console/schedule')}
        {tab('/console/sales', 'Sales', path === '/console/sales')}
        {tab('/console/movies', 'Movies', path === '/console/movies')}
      </nav>
      {body}
    </div>
  )
}

/** The theatres the user manages: a city's (admins pick the city) or their own. */
function useTheatres(user: User, cityId: string | null) {
  return useLoad(async (signal) => {
    if (user.roles.includes('admin')) {
      const c = await request<ConsoleCitiesQuery>(CONSOLE_CITIES, {}, { signal })
      if (!cityId) return { cities: c.cities, theatres: [] as Theatre[] }
      const d = await request<ConsoleTheatresQuery, ConsoleTheatresQueryVariables>(THEATRES, { cityId }, { signal })
      return { cities: c.cities, theatres: d.theatres }
    }
    const list = await Promise.all(
      user.theatreIds.map((id) => request<ConsoleTheatreQuery, ConsoleTheatreQueryVariables>(THEATRE, { id }, { signal }).then((d) => d.theatre)),
    )
    return { cities: [] as ConsoleCitiesQuery['cities'], theatres: list.filter(Boolean) as unknown as Theatre[] }
  }, [user.id, cityId])
}

function CityPicker({ cities, value, onChange }: { cities: { id: string; name: string }[]; value: string | null; onChange: (v: string) => void }) {
  if (!cities.length) return null
  return (
    <label className="filter">
      <span>City</span>
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        <option value="" disabled>
          Choose a city
        </option>
        {cities.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  )
}

function useConsoleCity(): [string | null, (v: string) => void] {
  const [v, setV] = useState<string | null>(() => sessionStorage.getItem('marquee.console.city'))
  return [
    v,
    (nv) => {
      sessionStorage.setItem('marquee.console.city', nv)
      setV(nv)
    },
  ]
}

function TheatresPage({ user }: { user: User }) {
  const [cityId, setCityId] = useConsoleCity()
  const data = useTheatres(user, cityId)
  const cities = data.data?.cities ?? []
  if (!cityId && cities.length && user.roles.includes('admin')) setTimeout(() => setCityId(cities[0].id))
  return (
    <section>
      <div className="toolbar">
        <CityPicker cities={cities} value={cityId} onChange={setCityId} />
        {user.roles.includes('admin') && cityId && (
          <AddTheatre city={cities.find((c) => c.id === cityId)} onAdded={data.reload} />
        )}
      </div>
      {data.loading && !data.data ? (
        <Spinner />
      ) : data.error ? (
        <ErrorBox error={data.error} onRetry={data.reload} />
      ) : !data.data?.theatres.length ? (
        <Empty title="No theatres here">{user.roles.includes('admin') ? 'Choose another city.' : 'No theatre is assigned to your account yet.'}</Empty>
      ) : (
        <div className="card-grid">
          {data.data.theatres.map((t) => (
            <article key={t.id} className="card">
              <h2 className="h3">
                <Link to={`/console/theatres/${t.id}`}>{t.name}</Link>
              </h2>
              <p className="muted small">{t.address}</p>
              <ul className="screen-list">
                {t.screens.map((s) => (
                  <li key={s.id}>
                    <Link to={`/console/screens/${s.id}`}>{s.name}</Link>
                    <span className="muted small">
                      {' '}
                      {s.seatCount} seats · {s.formats.join(', ')}
                    </span>
                  </li>
                ))}
              </ul>
              <Link to={`/console/theatres/${t.id}/screens/new`} className="btn btn-small">
                + Add screen
              </Link>
            </article>
          ))}
        </div>
      )}
    </section>
  )
}

function AddTheatre({ city, onAdded }: { city?: ConsoleCitiesQuery['cities'][number]; onAdded: () => void }) {
  const [open, setOpen] = useState(false)
  const [form, setForm] = useState({ name: '', address: '', chain: '', lat: '', lng: '' })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  if (!city) return null
  if (!open)
    return (
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)}>
        + Add theatre
      </button>
    )
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }))
  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      await request<CreateTheatreMutation, CreateTheatreMutationVariables>(CREATE_THEATRE, {
        input: {
          name: form.name.trim(),
          cityId: city!.id,
          address: form.address.trim(),
          chain: form.chain.trim() || null,
          location: { lat: Number(form.lat || city!.location.lat), lng: Number(form.lng || city!.location.lng) },
        },
      })
      setOpen(false)
      setForm({ name: '', address: '', chain: '', lat: '', lng: '' })
      onAdded()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="card form add-theatre" onSubmit={submit} aria-label={`Add a theatre in ${city.name}`}>
      <div className="form-grid">
        <Field label="Theatre name">
          <input required value={form.name} onChange={set('name')} />
        </Field>
        <Field label="Address">
          <input required value={form.address} onChange={set('address')} />
        </Field>
        <Field label="Chain (optional)">
          <input value={form.chain} onChange={set('chain')} />
        </Field>
        <Field label="Latitude" hint={`Blank: ${city.name}'s centre`}>
          <input type="number" step="any" value={form.lat} onChange={set('lat')} />
        </Field>
        <Field label="Longitude">
          <input type="number" step="any" value={form.lng} onChange={set('lng')} />
        </Field>
      </div>
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Adding…' : `Add theatre in ${city.name}`}
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  )
}

function TheatrePage({ id }: { id: string }) {
  const t = useLoad((signal) => request<ConsoleTheatreQuery, ConsoleTheatreQueryVariables>(THEATRE, { id }, { signal }).then((d) => d.theatre), [id])
  if (t.loading && !t.data) return <Spinner />
  if (t.error) return <ErrorBox error={t.error} onRetry={t.reload} />
  if (!t.data) return <Empty title="Theatre not found" />
  return (
    <section>
      <h2>{t.data.name}</h2>
      <p className="muted">
        {t.data.address} · {t.data.city.name} · {t.data.timeZone} · {t.data.currency}
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Screen</th>
            <th>Seats</th>
            <th>Formats</th>
            <th>Categories</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {t.data.screens.map((s) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>{s.seatCount}</td>
              <td>{s.formats.join(', ')}</td>
              <td>{s.layout.categories.map((c) => c.name).join(', ')}</td>
              <td>
                <Link to={`/console/screens/${s.id}`}>Edit layout</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Link to={`/console/theatres/${id}/screens/new`} className="btn btn-primary">
        + Add screen
      </Link>
    </section>
  )
}

const DEFAULT_CATEGORIES: ECategory[] = [
  { code: 'CLASSIC', name: 'Classic' },
  { code: 'PREMIUM', name: 'Premium' },
]

const TOOLS: { tool: Tool['kind']; label: string }[] = [
  { tool: 'accessible', label: '♿ Accessible' },
  { tool: 'companion', label: '⚭ Companion' },
  { tool: 'blocked', label: '⊘ Blocked' },
  { tool: 'aisle', label: 'Seat ↔ aisle' },
  { tool: 'insertAisle', label: '⇥ Insert aisle' },
  { tool: 'remove', label: '✕ Remove cell' },
]

function LayoutEditor({ theatreId, screenId }: { theatreId?: string; screenId?: string }) {
  const existing = useLoad(
    (signal) => (screenId ? request<ScreenLayoutQuery, ScreenLayoutQueryVariables>(SCREEN, { id: screenId }, { signal }).then((d) => d.screen) : Promise.resolve(null)),
    [screenId],
  )
  if (screenId && existing.loading && !existing.data) return <Spinner label="Loading the layout…" />
  if (existing.error) return <ErrorBox error={existing.error} onRetry={existing.reload} />
  const s = existing.data
  return (
    <Editor
      key={s?.id ?? 'new'}
      theatreId={theatreId}
      screenId={screenId}
      initialName={s?.name ?? ''}
      initialFormats={s?.formats.join(', ') ?? '2D'}
      initial={s ? fromServer(s.layout) : template(8, 14, 7, DEFAULT_CATEGORIES)}
    />
  )
}

function Editor({ theatreId, screenId, initialName, initialFormats, initial }: { theatreId?: string; screenId?: string; initialName: string; initialFormats: string; initial: ELayout }) {
  const [layout, setLayout] = useState<ELayout>(initial)
  const [name, setName] = useState(initialName)
  const [formats, setFormats] = useState(initialFormats)
  const [tool, setTool] = useState<Tool>({ kind: 'category', code: initial.categories[0]?.code ?? '' })
  const [preview, setPreview] = useState(false)
  const [rowSeats, setRowSeats] = useState(14)
  const [rowCategory, setRowCategory] = useState(initial.categories[0]?.code ?? '')
  const [newCat, setNewCat] = useState({ code: '', name: '' })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [saved, setSaved] = useState('')
  const seatRows = useMemo(() => toSeatRows(layout, 0), [layout])
  const where = useMemo(() => {
    const m = new Map<string, [number, number]>()
    layout.rows.forEach((r, ri) => numbers(r).forEach((n, ci) => n != null && m.set(`${r.label}${n}`, [ri, ci])))
    return m
  }, [layout])
  const categories = layout.categories.map((c) => ({ category: c.code, name: c.name }))

  async function save(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError('')
    setSaved('')
    const input = { name: name.trim(), formats: formats.split(',').map((f) => f.trim()).filter(Boolean), layout: toInput(layout) }
    try {
      if (screenId) {
        const d = await request<UpdateScreenMutation, UpdateScreenMutationVariables>(UPDATE_SCREEN, { id: screenId, input })
        setSaved(`Saved ${d.updateScreen.name}: ${d.updateScreen.seatCount} seats.`)
      } else {
        const d = await request<AddScreenMutation, AddScreenMutationVariables>(ADD_SCREEN, { theatreId: theatreId!, input })
        setSaved(`Added ${d.addScreen.name}: ${d.addScreen.seatCount} seats.`)
        navigate(`/console/screens/${d.addScreen.id}`, { replace: true })
      }
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="editor" onSubmit={save} aria-label="Seat layout editor">
      <div className="editor-head">
        <Field label="Screen name">
          <input required value={name} onChange={(e) => setName(e.target.value)} placeholder="Screen 4" />
        </Field>
        <Field label="Formats" hint="Comma-separated, e.g. 2D, 3D, IMAX">
          <input required value={formats} onChange={(e) => setFormats(e.target.value)} />
        </Field>
        <div className="editor-count">
          <strong>{seatCount(layout)}</strong> seats in {layout.rows.length} rows
        </div>
      </div>

      <div className="editor-panels">
        <fieldset className="card">
          <legend>Categories</legend>
          <ul className="cat-list">
            {layout.categories.map((c) => (
              <li key={c.code}>
                <button type="button" className={`chip${tool.kind === 'category' && tool.code === c.code ? ' is-on' : ''}`} onClick={() => setTool({ kind: 'category', code: c.code })} aria-pressed={tool.kind === 'category' && tool.code === c.code}>
                  Paint {c.name}
                </button>
                <span className="muted small"> {c.code}</span>
              </li>
            ))}
          </ul>
          <div className="inline-form">
            <input aria-label="New category code" placeholder="CODE" value={newCat.code} onChange={(e) => setNewCat({ ...newCat, code: e.target.value.toUpperCase() })} />
            <input aria-label="New category name" placeholder="Name" value={newCat.name} onChange={(e) => setNewCat({ ...newCat, name: e.target.value })} />
            <button
              type="button"
              className="btn btn-small"
              disabled={!newCat.code || !newCat.name || layout.categories.some((c) => c.code === newCat.code)}
              onClick={() => {
                setLayout({ ...layout, categories: [...layout.categories, newCat] })
                setNewCat({ code: '', name: '' })
              }}
            >
              Add category
            </button>
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>Tools: click seats or aisles on the plan</legend>
          <div className="chips">
            {TOOLS.map((t) => (
              <button key={t.tool} type="button" className={`chip${tool.kind === t.tool ? ' is-on' : ''}`} aria-pressed={tool.kind === t.tool} onClick={() => setTool({ kind: t.tool } as Tool)}>
                {t.label}
              </button>
            ))}
          </div>
          <div className="inline-form">
            <label>
              Seats <input type="number" min={1} max={60} value={rowSeats} onChange={(e) => setRowSeats(Number(e.target.value))} aria-label="Seats in the new row" />
            </label>
            <select aria-label="Category of the new row" value={rowCategory} onChange={(e) => setRowCategory(e.target.value)}>
              {layout.categories.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
            <button type="button" className="btn btn-small" onClick={() => setLayout(addRow(layout, rowSeats, rowCategory || layout.categories[0].code))}>
              + Add row at the back
            </button>
          </div>
          <div className="inline-form">
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setLayout({ ...layout, rows: layout.rows.slice(1) })} disabled={!layout.rows.length}>
              Remove back row
            </button>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setLayout({ ...layout, rows: [] })}>
              Clear
            </button>
            <label className="check">
              <input type="checkbox" checked={preview} onChange={(e) => setPreview(e.target.checked)} /> Customer preview
            </label>
          </div>
        </fieldset>
      </div>

      <div className="editor-plan">
        {preview ? (
          <SeatMap rows={seatRows} categories={categories} label="Customer preview" />
        ) : (
          <SeatMap
            rows={seatRows}
            categories={categories}
            label="Layout being edited"
            onSeat={(seat) => {
              const at = where.get(seat.id)
              if (at) setLayout(applyTool(layout, at[0], at[1], tool))
            }}
            onGap={(ri, column) => setLayout(applyTool(layout, ri, column - 1, tool))}
          />
        )}
        <Legend editor />
      </div>

      {error && <div className="alert alert-error" role="alert">{error}</div>}
      {saved && <div className="alert alert-info" role="status">{saved}</div>}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || !layout.rows.length}>
          {busy ? 'Saving…' : screenId ? 'Save layout' : 'Add screen'}
        </button>
      </div>
    </form>
  )
}

function MoviesPage({ user }: { user: User }) {
  const movies = useLoad((signal) => request<ConsoleMoviesQuery>(MOVIES, {}, { signal }).then((d) => d.movies.edges.map((e) => e.node)), [])
  const [form, setForm] = useState({ title: '', runtimeMinutes: 120, certification: 'UA 13+', genres: 'Drama', languages: 'Hindi', formats: '2D', synopsis: '', status: 'NOW_SHOWING' })
  const [busy, setBusy] = useState(false)
  const [msg, setMsg] = useState<{ kind: 'error' | 'info'; text: string } | null>(null)
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean)
  async function create(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setMsg(null)
    try {
      const d = await request<CreateMovieMutation, CreateMovieMutationVariables>(CREATE_MOVIE, {
        input: {
          title: form.title.trim(),
          runtimeMinutes: Number(form.runtimeMinutes),
          certification: form.certification,
          genres: list(form.genres),
          languages: list(form.languages),
          formats: list(form.formats),
          synopsis: form.synopsis || null,
          status: form.status as 'NOW_SHOWING',
        },
      })
      setMsg({ kind: 'info', text: `Added “${d.createMovie.title}”.` })
      movies.reload()
    } catch (err) {
      setMsg({ kind: 'error', text: errorMessage(err) })
    } finally {
      setBusy(false)
    }
  }
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }))
  return (
    <section className="two-col">
      <div>
        <h2>Catalogue</h2>
        {movies.loading && !movies.data ? (
          <Spinner />
        ) : movies.error ? (
          <ErrorBox error={movies.error} onRetry={movies.reload} />
        ) : !movies.data?.length ? (
          <Empty title="No movies yet" />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Title</th>
                <th>Status</th>
                <th>Languages</th>
                <th>Formats</th>
              </tr>
            </thead>
            <tbody>
              {movies.data.map((m) => (
                <tr key={m.id}>
                  <td>{m.title}</td>
                  <td>{m.status.replace('_', ' ').toLowerCase()}</td>
                  <td>{m.languages.join(', ')}</td>
                  <td>{m.formats.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {user.roles.includes('admin') ? (
        <form className="card form" onSubmit={create}>
          <h2>Add a movie</h2>
          <Field label="Title">
            <input required value={form.title} onChange={set('title')} />
          </Field>
          <Field label="Runtime (minutes)">
            <input type="number" min={1} required value={form.runtimeMinutes} onChange={set('runtimeMinutes')} />
          </Field>
          <Field label="Certificate">
            <select value={form.certification} onChange={set('certification')}>
              {['U', 'UA 7+', 'UA 13+', 'UA 16+', 'A', 'S'].map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </Field>
          <Field label="Genres" hint="Comma-separated">
            <input required value={form.genres} onChange={set('genres')} />
          </Field>
          <Field label="Languages" hint="Comma-separated">
            <input required value={form.languages} onChange={set('languages')} />
          </Field>
          <Field label="Formats" hint="Comma-separated">
            <input required value={form.formats} onChange={set('formats')} />
          </Field>
          <Field label="Status">
            <select value={form.status} onChange={set('status')}>
              <option value="NOW_SHOWING">Now showing</option>
              <option value="UPCOMING">Upcoming</option>
            </select>
          </Field>
          <Field label="Synopsis">
            <textarea rows={3} value={form.synopsis} onChange={set('synopsis')} />
          </Field>
          {msg && <div className={`alert alert-${msg.kind}`} role={msg.kind === 'error' ? 'alert' : 'status'}>{msg.text}</div>}
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add movie'}
          </button>
        </form>
      ) : (
        <p className="muted">Only administrators add movies to the catalogue.</p>
      )}
    </section>
  )
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10)
}

function SchedulePage({ user }: { user: User }) {
  const [cityId, setCityId] = useConsoleCity()
  const theatres = useTheatres(user, cityId)
  const movies = useLoad((signal) => request<ConsoleMoviesQuery>(MOVIES, {}, { signal }).then((d) => d.movies.edges.map((e) => e.node)), [])
  const [theatreId, setTheatreId] = useState('')
  const theatre = useLoad(
    (signal) => (theatreId ? request<ConsoleTheatreQuery, ConsoleTheatreQueryVariables>(THEATRE, { id: theatreId }, { signal }).then((d) => d.theatre) : Promise.resolve(null)),
    [theatreId],
  )
  const [screenId, setScreenId] = useState('')
  const [movieId, setMovieId] = useState('')
  const tomorrow = new Date(Date.now() + 86_400_000)
  const [fromDate, setFrom] = useState(isoDate(tomorrow))
  const [toDate, setTo] = useState(isoDate(new Date(Date.now() + 7 * 86_400_000)))
  const [times, setTimes] = useState('10:00, 14:00, 18:30')
  const [days, setDays] = useState<number[]>([])
  const [language, setLanguage] = useState('')
  const [format, setFormat] = useState('')
  const [prices, setPrices] = useState<Record<string, string>>({})
  const [result, setResult] = useState<ScheduleMutation['scheduleShows'] | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const screen = theatre.data?.screens.find((s) => s.id === screenId)
  const movie = movies.data?.find((m) => m.id === movieId)
  const currency = theatre.data?.currency ?? 'INR'
  const cities = theatres.data?.cities ?? []
  if (!cityId && cities.length && user.roles.includes('admin')) setTimeout(() => setCityId(cities[0].id))

  async function run(dryRun: boolean) {
    if (!screen || !movie) return
    setBusy(true)
    setError('')
    if (dryRun) setResult(null)
    try {
      const d = await request<ScheduleMutation, ScheduleMutationVariables>(SCHEDULE, {
        input: {
          movieId,
          screenId,
          fromDate,
          toDate,
          startTimes: times.split(/[,\s]+/).filter(Boolean),
          daysOfWeek: days.length ? days : null,
          language: language || movie.languages[0],
          format: format || movie.formats.find((f) => screen.formats.includes(f)) || movie.formats[0],
          prices: screen.layout.categories.map((c) => ({ category: c.code, amount: Math.round(Number(prices[c.code] || 0) * 100) })),
          dryRun,
        },
      })
      setResult(d.scheduleShows)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const ready = !!(screen && movie)
  const clean = result && result.dryRun && !result.conflicts.length && result.created.length > 0
  return (
    <section className="schedule">
      <form className="card form" onSubmit={(e) => (e.preventDefault(), run(true))}>
        <h2>Schedule a batch of shows</h2>
        <div className="form-grid">
          {cities.length > 0 && <CityPicker cities={cities} value={cityId} onChange={(v) => (setCityId(v), setTheatreId(''), setScreenId(''))} />}
          <Field label="Theatre">
            <select required value={theatreId} onChange={(e) => (setTheatreId(e.target.value), setScreenId(''), setResult(null))}>
              <option value="">Choose…</option>
              {theatres.data?.theatres.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Screen">
            <select required value={screenId} onChange={(e) => (setScreenId(e.target.value), setResult(null))} disabled={!theatre.data}>
              <option value="">Choose…</option>
              {theatre.data?.screens.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.seatCount} seats, {s.formats.join('/')})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Movie">
            <select required value={movieId} onChange={(e) => (setMovieId(e.target.value), setLanguage(''), setFormat(''), setResult(null))}>
              <option value="">Choose…</option>
              {movies.data?.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.title}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Language">
            <select value={language} onChange={(e) => setLanguage(e.target.value)} disabled={!movie}>
              {movie?.languages.map((l) => <option key={l}>{l}</option>)}
            </select>
          </Field>
          <Field label="Format">
            <select value={format} onChange={(e) => setFormat(e.target.value)} disabled={!movie}>
              {movie?.formats.map((f) => <option key={f}>{f}</option>)}
            </select>
          </Field>
          <Field label="From">
            <input type="date" required value={fromDate} onChange={(e) => setFrom(e.target.value)} />
          </Field>
          <Field label="To (inclusive)">
            <input type="date" required value={toDate} onChange={(e) => setTo(e.target.value)} />
          </Field>
          <Field label="Start times" hint="Local HH:MM, comma-separated">
            <input required value={times} onChange={(e) => setTimes(e.target.value)} />
          </Field>
        </div>
        <fieldset className="days">
          <legend>Days (none ticked: every day)</legend>
          {DAYS.map((d, i) => (
            <label key={d} className="check">
              <input type="checkbox" checked={days.includes(i + 1)} onChange={(e) => setDays(e.target.checked ? [...days, i + 1] : days.filter((x) => x !== i + 1))} /> {d}
            </label>
          ))}
        </fieldset>
        {screen && (
          <fieldset className="days">
            <legend>Prices ({currency})</legend>
            {screen.layout.categories.map((c) => (
              <Field key={c.code} label={c.name}>
                <input type="number" min={1} step="any" required value={prices[c.code] ?? ''} onChange={(e) => setPrices({ ...prices, [c.code]: e.target.value })} />
              </Field>
            ))}
          </fieldset>
        )}
        {error && <div className="alert alert-error" role="alert">{error}</div>}
        <div className="form-actions">
          <button type="submit" className="btn" disabled={!ready || busy}>
            {busy ? 'Checking…' : 'Preview (dry run)'}
          </button>
          <button type="button" className="btn btn-primary" disabled={!clean || busy} onClick={() => run(false)}>
            {clean ? `Schedule ${result!.created.length} shows` : 'Schedule'}
          </button>
        </div>
      </form>

      {result && (
        <div className="card" aria-live="polite">
          {result.conflicts.length > 0 ? (
            <>
              <h2 className="h3">Nothing was scheduled: {result.conflicts.length} conflict{result.conflicts.length > 1 ? 's' : ''}</h2>
              <ul className="conflicts">
                {result.conflicts.map((c, i) => (
                  <li key={i}>
                    <strong>
                      {c.date ?? 'All'} {c.startTime ?? ''}
                    </strong>{' '}
                    {c.message}
                    {c.clashesWith && (
                      <span className="muted">
                        {' '}
                        (clashes with {c.clashesWith.movie.title} at {clock(c.clashesWith.localTime)})
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <>
              <h2 className="h3">
                {result.dryRun ? `Preview: ${result.created.length} shows would be created, no conflicts` : `Scheduled ${result.created.length} shows`}
              </h2>
              <ul className="created">
                {result.created.map((s, i) => (
                  <li key={s.id || i}>
                    {s.localDate} {clock(s.localTime)} · {s.format} · {s.language}
                    {!result.dryRun && (
                      <>
                        {' '}
                        · <Link to={`/shows/${s.id}`}>seat map</Link>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  )
}

interface SaleRow {
  id: string
  label: string
  sold: number
  capacity: number
  revenue: { amount: number; currency: string } | null
}

function SalesPage({ user }: { user: User }) {
  const [cityId, setCityId] = useConsoleCity()
  const theatres = useTheatres(user, cityId)
  const [theatreId, setTheatreId] = useState('')
  const [picked, setDate] = useState('')
  const cities = theatres.data?.cities ?? []
  if (!cityId && cities.length && user.roles.includes('admin')) setTimeout(() => setCityId(cities[0].id))
  const theatre = theatres.data?.theatres.find((t) => t.id === theatreId)
  // Today in the theatre's calendar unless a date was picked.
  const date = picked || new Date().toLocaleDateString('en-CA', { timeZone: theatre?.timeZone })
  const rows = useLoad(async (signal): Promise<SaleRow[]> => {
    if (!theatre) return []
    const movies = await request<ConsoleMoviesQuery>(MOVIES, {}, { signal })
    const perMovie = await Promise.all(
      movies.movies.edges
        .filter((e) => e.node.status === 'NOW_SHOWING')
        .map((e) =>
          request<DayShowsQuery, DayShowsQueryVariables>(DAY_SHOWS, { movieId: e.node.id, cityId: theatre.city.id, date }, { signal })
            .then((d) => d.showtimes.filter((s) => s.theatre.id === theatre.id).flatMap((s) => s.shows))
            .catch(() => []),
        ),
    )
    const shows = perMovie.flat().sort((a, b) => a.localTime.localeCompare(b.localTime))
    if (!shows.length) return []
    const sales = await request<ShowSalesQuery, ShowSalesQueryVariables>(SALES, { showIds: shows.map((s) => s.id) }, { signal })
      .then((d) => new Map(d.showSales.map((s) => [s.showId, s])))
      .catch(() => new Map())
    return shows.map((s) => {
      const sale = sales.get(s.id)
      return {
        id: s.id,
        label: `${clock(s.localTime)} ${s.movie.title} · ${s.screen.name}`,
        sold: sale ? sale.ticketsSold : s.screen.seatCount - s.availableSeats,
        capacity: sale ? sale.capacity : s.screen.seatCount,
        revenue: sale ? sale.revenue : null,
      }
    })
  }, [theatre?.id, date])

  return (
    <section>
      <div className="toolbar">
        <CityPicker cities={cities} value={cityId} onChange={(v) => (setCityId(v), setTheatreId(''))} />
        <label className="filter">
          <span>Theatre</span>
          <select value={theatreId} onChange={(e) => setTheatreId(e.target.value)}>
            <option value="">Choose…</option>
            {theatres.data?.theatres.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>Date</span>
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </label>
      </div>
      {!theatre ? (
        <Empty title="Choose a theatre">Occupancy and revenue per show appear here.</Empty>
      ) : rows.loading ? (
        <Spinner label="Adding up sales…" />
      ) : rows.error ? (
        <ErrorBox error={rows.error} onRetry={rows.reload} />
      ) : !rows.data?.length ? (
        <Empty title="No upcoming shows on this date">Shows that have started are no longer listed; pick a later date.</Empty>
      ) : (
        <SalesChart rows={rows.data} />
      )}
    </section>
  )
}

function SalesChart({ rows }: { rows: SaleRow[] }) {
  const maxRevenue = Math.max(1, ...rows.map((r) => r.revenue?.amount ?? 0))
  const total = rows.reduce((s, r) => s + (r.revenue?.amount ?? 0), 0)
  const cur = rows.find((r) => r.revenue)?.revenue?.currency ?? 'INR'
  const rowH = 34
  const w = 640
  return (
    <figure className="card chart">
      <figcaption>
        <strong>{rows.length} shows</strong> · {rows.reduce((s, r) => s + r.sold, 0)} tickets · {money({ amount: total, currency: cur })} revenue
      </figcaption>
      <svg viewBox={`0 0 ${w} ${rows.length * rowH + 20}`} role="img" aria-label="Occupancy and revenue per show" className="chart-svg">
        {rows.map((r, i) => {
          const occ = r.capacity ? r.sold / r.capacity : 0
          const y = i * rowH + 10
          return (
            <g key={r.id}>
              <text x="0" y={y + 14} className="chart-label">
                {r.label.length > 34 ? r.label.slice(0, 33) + '…' : r.label}
              </text>
              <rect x="250" y={y} width="180" height="10" rx="3" className="bar-bg" />
              <rect x="250" y={y} width={Math.max(1, 180 * occ)} height="10" rx="3" className="bar-occ" />
              <text x="436" y={y + 10} className="chart-num">
                {Math.round(occ * 100)}% ({r.sold}/{r.capacity})
              </text>
              <rect x="250" y={y + 13} width={Math.max(1, (180 * (r.revenue?.amount ?? 0)) / maxRevenue)} height="8" rx="3" className="bar-rev" />
              <text x="436" y={y + 22} className="chart-num">
                {r.revenue ? money(r.revenue) : '—'}
              </text>
            </g>
          )
        })}
      </svg>
      <p className="muted small">
        <span className="key key-occ" /> occupancy <span className="key key-rev" /> revenue of confirmed bookings
      </p>
    </figure>
  )
}
