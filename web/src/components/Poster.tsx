// Generated poster artwork: a gradient and the title, deterministic from the movie id.
function hash(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 16777619)
  }
  return h >>> 0
}

function wrap(title: string, width = 14): string[] {
  const words = title.split(/\s+/)
  const lines: string[] = []
  let line = ''
  for (const w of words) {
    if ((line + ' ' + w).trim().length > width && line) {
      lines.push(line)
      line = w
    } else line = (line + ' ' + w).trim()
  }
  if (line) lines.push(line)
  return lines.slice(0, 4)
}

export function Poster({ id, title, subtitle }: { id: string; title: string; subtitle?: string }) {
  const h = hash(id)
  const hue1 = h % 360
  const hue2 = (hue1 + 40 + ((h >> 9) % 80)) % 360
  const shape = (h >> 3) % 3
  const lines = wrap(title)
  const gid = `g${h.toString(36)}`
  return (
    <svg className="poster" viewBox="0 0 200 300" role="img" aria-label={`Poster for ${title}`}>
      <defs>
        <linearGradient id={gid} x1="0" y1="0" x2="0.4" y2="1">
          <stop offset="0" stopColor={`hsl(${hue1} 70% 45%)`} />
          <stop offset="1" stopColor={`hsl(${hue2} 65% 14%)`} />
        </linearGradient>
      </defs>
      <rect width="200" height="300" fill={`url(#${gid})`} />
      {shape === 0 && <circle cx={40 + (h % 120)} cy={90} r={70} fill="#fff" opacity="0.1" />}
      {shape === 1 && <path d={`M0 ${180 + (h % 40)} L200 ${120 + (h % 60)} L200 300 L0 300Z`} fill="#000" opacity="0.25" />}
      {shape === 2 && <rect x={30 + (h % 40)} y="40" width="110" height="110" transform="rotate(20 100 100)" fill="#fff" opacity="0.08" />}
      {lines.map((l, i) => (
        <text key={i} x="16" y={200 + i * 24 - (lines.length - 1) * 12} fill="#fff" fontSize="21" fontWeight="700" fontFamily="system-ui, sans-serif">
          {l}
        </text>
      ))}
      {subtitle && (
        <text x="16" y="278" fill="#fff" opacity="0.75" fontSize="12" fontFamily="system-ui, sans-serif">
          {subtitle}
        </text>
      )}
    </svg>
  )
}
