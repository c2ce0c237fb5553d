// Speed is an exponentially weighted moving average with a time constant, so irregular sample
// intervals (1 MiB stream chunks, XHR events) weigh by elapsed time rather than by count.
const SPEED_TAU_MS = 2000
/** Samples closer together than this are merged: a burst of callbacks is not a speed spike. */
const MIN_SAMPLE_MS = 100
/** At most ~10 progress events per second per file. */
export const PROGRESS_INTERVAL_MS = 100

export interface SpeedMeter {
  sample(bytes: number, now: number): void
  /** Forget the rate (pause, retry): the next sample starts a new measurement. */
  reset(bytes: number, now: number): void
  readonly speed: number
}

export function createSpeedMeter(): SpeedMeter {
  let speed = 0
  let lastBytes = 0
  let lastAt: number | undefined
  return {
    sample(bytes, now) {
      if (lastAt === undefined) {
        lastAt = now
        lastBytes = bytes
        return
      }
      const dt = now - lastAt
      if (dt < MIN_SAMPLE_MS) return
      const rate = (Math.max(0, bytes - lastBytes) * 1000) / dt
      const alpha = 1 - Math.exp(-dt / SPEED_TAU_MS)
      speed = speed === 0 ? rate : alpha * rate + (1 - alpha) * speed
      lastAt = now
      lastBytes = bytes
    },
    reset(bytes, now) {
      speed = 0
      lastBytes = bytes
      lastAt = now
    },
    get speed() {
      return speed
    },
  }
}

export function eta(remaining: number, speed: number): number | null {
  if (remaining <= 0) return 0
  if (speed <= 0) return null
  return remaining / speed
}

/** Lets through the first call, then at most one per `interval`; `force` always passes. */
export function createThrottle(interval: number): (now: number, force?: boolean) => boolean {
  let last = Number.NEGATIVE_INFINITY
  return (now, force = false) => {
    if (!force && now - last < interval) return false
    last = now
    return true
  }
}
