export const MiB = 1024 * 1024
export const GiB = 1024 * MiB

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return Number.NaN
  const mid = v.length >> 1
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(values, p) {
  const v = [...values].sort((a, b) => a - b)
  if (v.length === 0) return Number.NaN
  const rank = Math.max(1, Math.ceil((p / 100) * v.length))
  return v[rank - 1]
}

export const max = (values) => (values.length ? Math.max(...values) : Number.NaN)
