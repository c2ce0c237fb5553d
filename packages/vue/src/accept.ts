/**
 * Whether a file matches an `accept` string the way the native picker does, so picked, dropped and
 * pasted files are filtered by one rule (element-plus#4505 filtered only drops): extensions
 * (`.png`, case-insensitive), MIME wildcards (`image/*`) and exact MIME types.
 *
 * @example
 * matchesAccept({ name: 'a.PNG', type: 'image/png' }, '.png,application/pdf') // true
 */
export function matchesAccept(file: { name: string; type: string }, accept: string | undefined): boolean {
  if (!accept) return true
  const name = file.name.toLowerCase()
  const type = (file.type || '').toLowerCase()
  return accept
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean)
    .some((rule) => {
      if (rule.startsWith('.')) return name.endsWith(rule)
      if (rule === '*' || rule === '*/*') return true
      if (rule.endsWith('/*')) return type.startsWith(rule.slice(0, -1))
      return type === rule
    })
}

/** Splits files into the accepted and the rejected ones. */
export function filterAccepted<T extends { name: string; type: string }>(
  files: readonly T[],
  accept: string | undefined,
): { accepted: T[]; rejected: T[] } {
  const accepted: T[] = []
  const rejected: T[] = []
  for (const f of files) (matchesAccept(f, accept) ? accepted : rejected).push(f)
  return { accepted, rejected }
}
