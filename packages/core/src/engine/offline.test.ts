import { NetworkError } from '@shuttle/protocol'
import { describe, expect, it, vi } from 'vitest'
import type { HttpClient, NetworkMonitor } from '../ports.js'
import { createFakeTus, flush } from '../test-support/fake-tus.js'
import { createTestUploader, file } from '../test-support/uploader.js'

/** A monitor driven by the test: `set(false)` is the browser's 'offline' event. */
function fakeMonitor(initial = true) {
  let online = initial
  const listeners = new Set<(o: boolean) => void>()
  const probes: string[] = []
  let probeAnswer = true
  const monitor: NetworkMonitor = {
    get online() {
      return online
    },
    subscribe(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    probe: async (url) => {
      probes.push(url)
      return probeAnswer
    },
  }
  return {
    monitor,
    probes,
    set(o: boolean) {
      online = o
      for (const l of listeners) l(o)
    },
    answerProbes(ok: boolean) {
      probeAnswer = ok
    },
  }
}

function setup(opts: { online?: boolean; retryDelays?: number[] } = {}) {
  const fake = createFakeTus()
  const net = fakeMonitor(opts.online)
  let down = false
  // The network itself: while down, every request fails with no answer, as XHR's onerror does.
  const client: HttpClient = {
    send: (req) => (down ? Promise.reject(new NetworkError(`${req.method} failed`)) : fake.client.send(req)),
  }
  const up = createTestUploader(fake)({
    endpoint: 'http://tus.test/files',
    chunkSize: 100,
    retryDelays: opts.retryDelays ?? [0],
    network: net.monitor,
    httpClient: client,
  })
  const events: boolean[] = []
  up.on('network', ({ online }) => events.push(online))
  return { fake, net, up, events, setDown: (d: boolean) => (down = d) }
}

describe('offline-aware engine', () => {
  it('an offline event interrupts the request in flight; the file waits for the network, spending nothing, and goes on when it returns', async () => {
    const { fake, net, up, events } = setup()
    fake.hold = true
    const [id] = up.add(file('a', 300)) as [string]
    await flush()
    expect(fake.held()).toBe(1) // the first PATCH is in flight
    net.set(false)
    await flush()
    const waiting = up.getFile(id)
    expect(waiting?.status).toBe('retrying')
    expect(waiting?.waitingFor).toBe('network')
    expect(waiting?.attempts).toBe(0)
    expect(up.isOnline()).toBe(false)
    const sentWhileOffline = fake.log.length
    await flush()
    expect(fake.log.length).toBe(sentWhileOffline) // nothing is sent while offline
    fake.hold = false
    net.set(true)
    await flush(60)
    expect(up.getFile(id)?.status).toBe('completed')
    expect(fake.uploads.values().next().value?.offset).toBe(300)
    expect(events).toEqual([false, true])
  })

  it('a file that starts while offline sends no request until the network is back', async () => {
    const { fake, net, up } = setup({ online: false })
    const [id] = up.add(file('a', 100)) as [string]
    await flush()
    expect(up.getFile(id)?.waitingFor).toBe('network')
    expect(fake.log).toEqual([])
    net.set(true)
    await flush(60)
    expect(up.getFile(id)?.status).toBe('completed')
  })

  it('network errors while the platform says online: a failed probe of the endpoint means offline, no retry is spent, and the file goes on once a probe answers', async () => {
    // No retry budget at all: without the probe the first network error would fail the file.
    const { net, up, setDown, events } = setup({ retryDelays: [] })
    setDown(true)
    net.answerProbes(false)
    const [id] = up.add(file('a', 300)) as [string]
    await vi.waitFor(() => expect(up.getFile(id)?.waitingFor).toBe('network'))
    expect(net.probes).toEqual(['http://tus.test/files'])
    expect(events).toEqual([false])
    setDown(false)
    net.answerProbes(true)
    // The engine probes again by itself (after 1 s): no platform event comes.
    await vi.waitFor(() => expect(up.getFile(id)?.status).toBe('completed'), { timeout: 3000 })
    expect(events).toEqual([false, true])
  })

  it('a server that answers the probe (CORS refused, connection reset) is not an outage: the error spends the budget and fails as ERR_BLOCKED', async () => {
    const { net, up, setDown } = setup({ retryDelays: [0] })
    setDown(true)
    net.answerProbes(true)
    const [id] = up.add(file('a', 100)) as [string]
    await vi.waitFor(() => expect(up.getFile(id)?.status).toBe('failed'))
    const f = up.getFile(id)
    expect(f?.error?.code).toBe('ERR_BLOCKED')
    expect(net.probes.length).toBe(2) // one per network error
  })

  it('pause while waiting for the network leaves it paused; resume waits again', async () => {
    const { net, up } = setup({ online: false })
    const [id] = up.add(file('a', 100)) as [string]
    await flush()
    up.pause(id)
    expect(up.getFile(id)?.status).toBe('paused')
    up.resume(id)
    await flush()
    expect(up.getFile(id)?.waitingFor).toBe('network')
    net.set(true)
    await flush(60)
    expect(up.getFile(id)?.status).toBe('completed')
  })
})
