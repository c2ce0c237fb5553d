import { type AbortSignalLike, type Clock, createAbortController } from '../platform.js'
import type { NetworkMonitor } from '../ports.js'

/** Between probes while the platform says online but the endpoint gives no answer. */
const PROBE_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000]

/** The engine's view of the network: the platform's monitor plus its own probes of the endpoint. */
export interface Connectivity {
  /** True while the network is believed up; always true without a monitor. */
  readonly online: boolean
  /** A monitor watches the network (browsers): check() really asks the endpoint. */
  readonly monitored: boolean
  /**
   * After a network error while online: asks the endpoint once (concurrent callers share the
   * probe). Resolves false when no answer came; the engine is then offline and keeps probing.
   */
  check(): Promise<boolean>
  /** Resolves once online (at once if it is), or as soon as `signal` aborts. Never rejects. */
  whenOnline(signal: AbortSignalLike): Promise<void>
  dispose(): void
}

export function createConnectivity(
  monitor: NetworkMonitor | undefined,
  endpoint: string,
  clock: Clock,
  onChange: (online: boolean) => void,
): Connectivity {
  if (!monitor) {
    return {
      online: true,
      monitored: false,
      check: async () => true,
      whenOnline: async () => {},
      dispose: () => {},
    }
  }
  let platformOnline = monitor.online
  // The platform says online, yet the endpoint gave no answer (a dead link behind a live interface).
  let unreachable = false
  let checking: Promise<boolean> | undefined
  let timer: unknown
  const controller = createAbortController()
  const waiters = new Set<() => void>()
  const isOnline = () => platformOnline && !unreachable

  const update = (change: () => void) => {
    const before = isOnline()
    change()
    const now = isOnline()
    if (now === before) return
    if (now) {
      for (const w of [...waiters]) w()
      waiters.clear()
    }
    onChange(now)
  }

  const probeLoop = (n: number) => {
    clock.clearTimeout(timer)
    timer = clock.setTimeout(
      async () => {
        // Offline by the platform's word: its 'online' event ends the wait, no probe is needed.
        if (!platformOnline || !unreachable || controller.signal.aborted) return
        const ok = await monitor.probe(endpoint, controller.signal)
        if (controller.signal.aborted || !unreachable) return
        if (ok) update(() => (unreachable = false))
        else probeLoop(n + 1)
      },
      PROBE_DELAYS_MS[Math.min(n, PROBE_DELAYS_MS.length - 1)] ?? 15_000,
    )
  }

  const off = monitor.subscribe((online) =>
    update(() => {
      platformOnline = online
      // Whatever a probe found before, the platform's news is newer.
      if (online) unreachable = false
    }),
  )

  return {
    get online() {
      return isOnline()
    },
    monitored: true,
    check() {
      if (!isOnline()) return Promise.resolve(false)
      checking ??= monitor.probe(endpoint, controller.signal).then((ok) => {
        checking = undefined
        if (!ok && platformOnline && !controller.signal.aborted) {
          update(() => (unreachable = true))
          probeLoop(0)
        }
        return ok
      })
      return checking
    },
    whenOnline(signal) {
      return new Promise<void>((resolve) => {
        if (isOnline() || signal.aborted) return resolve()
        const done = () => {
          waiters.delete(done)
          signal.removeEventListener('abort', done)
          resolve()
        }
        waiters.add(done)
        signal.addEventListener('abort', done, { once: true })
      })
    },
    dispose() {
      off()
      controller.abort()
      clock.clearTimeout(timer)
      for (const w of [...waiters]) w()
    },
  }
}
