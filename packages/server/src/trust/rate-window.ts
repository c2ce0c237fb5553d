/**
 * Counts events per key in a sliding window: at most `limit` in any `windowMs`. Each key keeps
 * the times of its last `limit` events, so the wait until the next slot frees is exact.
 * Per process: several instances each count their own (a shared counter comes with Redis).
 */
export class RateWindow {
  readonly #limit: number
  readonly #windowMs: number
  readonly #now: () => number
  readonly #hits = new Map<string, number[]>()

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.#limit = limit
    this.#windowMs = windowMs
    this.#now = now
  }

  /** Milliseconds until `key` may have one more event; 0 when it may now. */
  waitFor(key: string): number {
    const hits = this.#recent(key)
    if (hits.length < this.#limit) return 0
    return Math.max(1, (hits[0] as number) + this.#windowMs - this.#now())
  }

  /** Counts one event for `key` (call after `waitFor` said 0). */
  record(key: string): void {
    const hits = this.#recent(key)
    hits.push(this.#now())
    if (hits.length > this.#limit) hits.splice(0, hits.length - this.#limit)
    this.#hits.set(key, hits)
    if (this.#hits.size > 10_000) this.#prune()
  }

  #recent(key: string): number[] {
    const since = this.#now() - this.#windowMs
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > since)
    if (hits.length === 0) this.#hits.delete(key)
    return hits
  }

  /** Forgets keys with no event in the window, so many one-off clients do not pile up. */
  #prune(): void {
    const since = this.#now() - this.#windowMs
    for (const [key, hits] of this.#hits) {
      if ((hits.at(-1) ?? 0) <= since) this.#hits.delete(key)
    }
  }
}
