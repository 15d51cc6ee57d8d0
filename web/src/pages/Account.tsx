import { useState, type FormEvent } from 'react'
import { Field } from '../components/ui'
import { auth } from '../lib/auth'
import { errorMessage } from '../lib/errors'
import { Link, navigate, useLocation } from '../lib/router'

function useNext(): string {
  const next = useLocation().query.get('next') ?? '/'
  return next.startsWith('/') && !next.startsWith('//') ? next : '/'
}

export function SignInPage() {
  const next = useNext()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      const u = await auth.login(email.trim(), password)
      const operator = u.roles.includes('admin') || u.roles.includes('theatre_admin')
      navigate(next === '/' && operator ? '/console' : next, { replace: true })
    } catch (err) {
      setError(errorMessage(err, 'login'))
      setBusy(false)
    }
  }
  return (
    <div className="page narrow">
      <h1>Sign in</h1>
      <form className="card form" onSubmit={submit}>
        <Field label="E-mail">
          <input type="email" name="email" required autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password">
          <input type="password" name="password" required autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        {error && <div className="alert alert-error" role="alert">{error}</div>}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="small muted">
          New here? <Link to={`/signup?next=${encodeURIComponent(next)}`}>Create an account</Link>
        </p>
      </form>
    </div>
  )
}

export function SignUpPage() {
  const next = useNext()
  const [form, setForm] = useState({ name: '', email: '', phone: '', password: '' })
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }))
  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      await auth.register({ name: form.name.trim(), email: form.email.trim(), phone: form.phone.trim() || null, password: form.password })
      navigate(next, { replace: true })
    } catch (err) {
      setError(errorMessage(err))
      setBusy(false)
    }
  }
  return (
    <div className="page narrow">
      <h1>Create an account</h1>
      <form className="card form" onSubmit={submit}>
        <Field label="Name">
          <input required autoComplete="name" value={form.name} onChange={set('name')} />
        </Field>
        <Field label="E-mail">
          <input type="email" required autoComplete="email" value={form.email} onChange={set('email')} />
        </Field>
        <Field label="Mobile phone (optional)">
          <input type="tel" autoComplete="tel" value={form.phone} onChange={set('phone')} />
        </Field>
        <Field label="Password" hint="At least 10 characters; common passwords are refused.">
          <input type="password" required minLength={10} autoComplete="new-password" value={form.password} onChange={set('password')} />
        </Field>
        {error && <div className="alert alert-error" role="alert">{error}</div>}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
        <p className="small muted">
          Have an account? <Link to={`/signin?next=${encodeURIComponent(next)}`}>Sign in</Link>
        </p>
      </form>
    </div>
  )
}
