import type { AbortSignalLike } from '../platform.js'
import type { NetworkMonitor } from '../ports.js'

/** A probe that gets no answer within this time counts as "no network". */
const PROBE_TIMEOUT_MS = 5000

/**
 * The browser's NetworkMonitor: `navigator.onLine` and the window's online/offline events, plus a
 * probe that asks the endpoint with a `no-cors` HEAD. An opaque answer still proves the server is
 * reachable, so a CORS refusal is not mistaken for an outage (it fails as an error instead).
 *
 * @example
 * createUploader({ endpoint: '/files/', network: createBrowserNetworkMonitor() }) // the default
 */
export function createBrowserNetworkMonitor(win: Window = globalThis as unknown as Window): NetworkMonitor {
  return {
    get online() {
      return win.navigator?.onLine !== false
    },
    subscribe(fn) {
      const on = () => fn(true)
      const off = () => fn(false)
      win.addEventListener?.('online', on)
      win.addEventListener?.('offline', off)
      return () => {
        win.removeEventListener?.('online', on)
        win.removeEventListener?.('offline', off)
      }
    },
    async probe(url, signal: AbortSignalLike) {
      const controller = new AbortController()
      const abort = () => controller.abort()
      const timer = setTimeout(abort, PROBE_TIMEOUT_MS)
      signal.addEventListener('abort', abort, { once: true })
      try {
        await win.fetch(url, {
          method: 'HEAD',
          mode: 'no-cors',
          cache: 'no-store',
          signal: controller.signal,
        })
        return true
      } catch {
        return false
      } finally {
        clearTimeout(timer)
        signal.removeEventListener('abort', abort)
      }
    },
  }
}
