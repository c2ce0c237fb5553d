// Shared code compiles with neither the DOM lib nor @types/node (see tsconfig.shared.json), so the
// few universal globals it needs (AbortController, timers, URL) are typed here structurally and
// read from globalThis once. Browser and Node signals are both assignable to these shapes.

export interface AbortSignalLike {
  readonly aborted: boolean
  readonly reason?: unknown
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

export interface AbortControllerLike {
  readonly signal: AbortSignalLike
  abort(reason?: unknown): void
}

/** Timers, injectable so tests can drive time by hand. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

interface UniversalGlobals {
  AbortController: new () => AbortControllerLike
  URL: new (url: string, base?: string) => { href: string }
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const g = globalThis as unknown as UniversalGlobals

export function createAbortController(): AbortControllerLike {
  return new g.AbortController()
}

/** The real clock. Timers are looked up at call time so fake timers installed later still apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => g.setTimeout(fn, ms),
  clearTimeout: (handle) => g.clearTimeout(handle),
}

/**
 * An endpoint such as '/files/' is relative to the page in a browser; elsewhere it must be
 * absolute. Returns the absolute URL, or undefined when there is nothing to resolve against.
 */
export function absoluteUrl(url: string): string | undefined {
  const page = (globalThis as { location?: { href?: unknown } }).location?.href
  try {
    return new g.URL(url, typeof page === 'string' ? page : undefined).href
  } catch {
    return undefined
  }
}

/** Resolves a (possibly relative) Location header against the URL of the request that returned it. */
export function resolveUrl(location: string, base: string): string {
  return new g.URL(location, base).href
}

/**
 * A controller whose signal also aborts when `parent` does. Returns a disposer that detaches the
 * listener, so long-lived parents don't collect one closure per request.
 */
export function linkedController(parent?: AbortSignalLike): {
  controller: AbortControllerLike
  dispose(): void
} {
  const controller = createAbortController()
  if (!parent) return { controller, dispose: () => {} }
  if (parent.aborted) {
    controller.abort(parent.reason)
    return { controller, dispose: () => {} }
  }
  const onAbort = () => controller.abort(parent.reason)
  parent.addEventListener('abort', onAbort, { once: true })
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) }
}

/** Waits `ms` on `clock`, or less if `signal` aborts first. Never rejects. */
export function sleep(clock: Clock, ms: number, signal: AbortSignalLike): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clock.clearTimeout(handle)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const handle = clock.setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
