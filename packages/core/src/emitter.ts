// A tiny typed emitter (no node:events: core runs in browsers). on() returns its off().

export type Listener<T> = (payload: T) => void

export interface Emitter<M extends object> {
  on<K extends keyof M>(event: K, fn: Listener<M[K]>): () => void
  emit<K extends keyof M>(event: K, payload: M[K]): void
  clear(): void
}

/**
 * @example
 * const e = createEmitter<{ ping: { n: number } }>()
 * const off = e.on('ping', ({ n }) => {})
 * off()
 */
export function createEmitter<M extends object>(onListenerError?: (err: unknown) => void): Emitter<M> {
  const listeners = new Map<keyof M, Set<Listener<never>>>()
  return {
    on(event, fn) {
      let set = listeners.get(event)
      if (!set) {
        set = new Set()
        listeners.set(event, set)
      }
      // Wrap so the same function can be subscribed twice and unsubscribed once per on().
      const entry: Listener<never> = (p) => (fn as Listener<unknown>)(p)
      set.add(entry)
      return () => {
        set.delete(entry)
      }
    },
    emit(event, payload) {
      const set = listeners.get(event)
      if (!set) return
      for (const fn of [...set]) {
        // A throwing listener must not break the engine or starve the other listeners.
        try {
          ;(fn as Listener<M[typeof event]>)(payload)
        } catch (err) {
          onListenerError?.(err)
        }
      }
    },
    clear() {
      listeners.clear()
    },
  }
}
