import { UploadError } from '@shuttle/protocol'

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
}

/**
 * Parses a byte size such as `1048576`, `8MiB`, `1.5GB` or `500k`. KB/MB/GB are powers of 1000,
 * KiB/MiB/GiB (and bare K/M/G) powers of 1024, as in most CLIs.
 *
 * @example
 * parseSize('8MiB') // 8388608
 */
export function parseSize(input: string, flag = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input)
  const unit = SIZE_UNITS[m?.[2]?.toLowerCase() ?? 'x']
  if (!m || unit === undefined) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      `--${flag}: "${input}" is not a size; try 1048576, 8MiB or 2GB`,
    )
  }
  const bytes = Math.floor(Number(m[1]) * unit)
  if (!Number.isSafeInteger(bytes))
    throw new UploadError('ERR_INVALID_OPTIONS', `--${flag}: "${input}" is too large`)
  return bytes
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Parses a duration such as `90s`, `30m`, `24h` or `7d` into milliseconds (a bare number is seconds).
 *
 * @example
 * parseDuration('2h') // 7200000
 */
export function parseDuration(input: string, flag = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(input)
  if (!m) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      `--${flag}: "${input}" is not a duration; try 90s, 30m, 24h or 7d`,
    )
  }
  const ms = Number(m[1]) * (DURATION_UNITS[m[2]?.toLowerCase() ?? 's'] ?? 1000)
  if (ms <= 0) throw new UploadError('ERR_INVALID_OPTIONS', `--${flag}: must be more than zero`)
  return Math.round(ms)
}

/** Formats bytes for people: 1.5 GiB, 12.0 MiB, 512 B. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = bytes
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`
}
