import { randomBytes } from 'node:crypto'

// Object keys are made here, never taken from the client: a random directory per upload (no
// overwrites, nothing guessable) plus a cleaned-up file name so downloads keep a sensible name.
const RANDOM_RE = /^[a-f0-9]{32}$/
const MAX_NAME = 120

/** Keeps letters, digits and `._-` (Unicode letters too); everything else becomes '_'. Never empty, never dot-only. */
export function sanitizeFilename(name: unknown): string {
  const raw = typeof name === 'string' ? name : ''
  // Only the last path segment: 'a/../../etc/passwd' → 'passwd'.
  const base = raw.split(/[/\\]/).pop() ?? ''
  let clean = base
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[.]+/, '')
    .slice(0, MAX_NAME)
  if (clean === '' || /^[._-]*$/.test(clean)) clean = 'file'
  return clean
}

export function newObjectKey(prefix: string, filename: unknown): string {
  return `${prefix}${randomBytes(16).toString('hex')}/${sanitizeFilename(filename)}`
}

/** A key this server could have generated: prefix + 32 hex + '/' + a sanitized name. */
export function isGeneratedKey(prefix: string, key: unknown): key is string {
  if (typeof key !== 'string' || !key.startsWith(prefix)) return false
  const rest = key.slice(prefix.length)
  const slash = rest.indexOf('/')
  if (slash < 0) return false
  const name = rest.slice(slash + 1)
  return RANDOM_RE.test(rest.slice(0, slash)) && name === sanitizeFilename(name)
}

/**
 * The key prefix of one token subject's uploads: `<subject>/`, percent-encoded so that no subject
 * can contain '/' (and reach into another's prefix) or be '.' or '..'; distinct subjects never share one.
 */
export function subjectPrefix(prefix: string, sub: string): string {
  return `${prefix}${encodeURIComponent(sub).replace(/\./g, '%2E')}/`
}

/** A key this server could have made for some subject: prefix + subject + '/' + a generated key. */
export function isSubjectKey(prefix: string, key: unknown): key is string {
  if (typeof key !== 'string' || !key.startsWith(prefix)) return false
  const slash = key.indexOf('/', prefix.length)
  return slash > prefix.length && isGeneratedKey(key.slice(0, slash + 1), key)
}
