// One instance of a service per vitest run, however many projects ask for it: globalSetup files are
// loaded once per project but all run in vitest's main process, so the instances live on globalThis.

export interface Running<T> {
  value: T
  stop(): Promise<void>
}

/** One user's hold on a shared service. */
export interface Lease<T> {
  value: T
  release(): Promise<void>
}

interface Entry {
  started: Promise<Running<unknown>>
  users: number
}

const key = Symbol.for('shuttle.test.services')
type Holder = { [key]?: Map<string, Entry> }

/** Starts `name` on first use; the returned release stops it when its last user releases it. */
export async function useService<T>(name: string, start: () => Promise<Running<T>>): Promise<Lease<T>> {
  const holder = globalThis as Holder
  holder[key] ??= new Map()
  const services = holder[key]
  let entry = services.get(name)
  if (!entry) {
    entry = { started: start(), users: 0 }
    services.set(name, entry)
    // A failed start is not cached: the next project that asks tries again and reports its error.
    entry.started.catch(() => services.delete(name))
  }
  entry.users++
  const running = (await entry.started) as Running<T>
  let released = false
  return {
    value: running.value,
    release: async () => {
      if (released) return
      released = true
      if (--(entry as Entry).users === 0) {
        services.delete(name)
        await running.stop()
      }
    },
  }
}
