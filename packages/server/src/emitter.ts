import type { Logger, TusServerEvents } from './types.js'

type Listener<E extends keyof TusServerEvents> = (payload: TusServerEvents[E]) => void

/** A small typed emitter: `on()` returns its unsubscribe function; a throwing listener is logged. */
export function createEmitter(logger: Logger) {
  const listeners = new Map<keyof TusServerEvents, Set<Listener<never>>>()
  return {
    on<E extends keyof TusServerEvents>(event: E, listener: Listener<E>): () => void {
      let set = listeners.get(event)
      if (!set) {
        set = new Set()
        listeners.set(event, set)
      }
      set.add(listener as Listener<never>)
      const own = set
      return () => {
        own.delete(listener as Listener<never>)
      }
    },
    emit<E extends keyof TusServerEvents>(event: E, payload: TusServerEvents[E]): void {
      const set = listeners.get(event)
      if (!set) return
      for (const listener of [...set]) {
        try {
          ;(listener as Listener<E>)(payload)
        } catch (err) {
          logger.error(`A '${event}' listener threw`, err)
        }
      }
    },
  }
}

export type Emitter = ReturnType<typeof createEmitter>
