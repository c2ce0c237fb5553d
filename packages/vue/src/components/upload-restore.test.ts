import type { RestoredFile } from '@shuttle/core'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeEngine } from '../testing/fake-engine.js'
import { engines, lastEngine, makeFile } from '../testing/helpers.js'
import ShuttleUpload from './shuttle-upload.vue'

vi.mock('@shuttle/core', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createUploader: (await import('../testing/helpers.js')).fakeCreateUploader,
}))

const restored = (
  name: string,
  kind: RestoredFile['kind'],
  extra: Partial<RestoredFile> = {},
): RestoredFile => ({
  fingerprint: `fp-${name}`,
  name,
  size: 2048,
  type: '',
  offset: 1024,
  kind,
  metadata: {},
  ...extra,
})

beforeEach(() => {
  engines.length = 0
})
afterEach(() => {
  FakeEngine.restorable = []
  FakeEngine.allowed = undefined
})

const mountRestoring = (locale?: 'en' | 'zh-CN') =>
  mount(ShuttleUpload, {
    props: { endpoint: '/files/', multiple: true, restore: true, ...(locale ? { locale } : {}) },
    attachTo: document.body,
  })

describe('<ShuttleUpload restore>', () => {
  it('on mount: ready files go into the list, handles get a one-click row, ghosts a pick row', async () => {
    const ready = makeFile('ready.txt', 2048)
    FakeEngine.restorable = [
      restored('ghost.txt', 'ghost'),
      restored('ready.txt', 'ready', { input: ready }),
      restored('handle.txt', 'access'),
    ]
    const w = mountRestoring()
    await flushPromises()
    expect(lastEngine().calls).toContainEqual(['restoreSession', { add: false }])
    // The ready file went through the component's own add path (it is a list entry).
    expect(lastEngine().calls.filter((c) => c[0] === 'add')).toHaveLength(1)
    expect(w.find('.shuttle-file-list__name').text()).toBe('ready.txt')
    const rows = w.findAll('.shuttle-upload__restored-row')
    expect(
      rows.map((r) => [r.attributes('data-restored'), r.find('.shuttle-upload__restored-name').text()]),
    ).toEqual([
      ['access', 'handle.txt'],
      ['ghost', 'ghost.txt'],
    ])
    expect(rows[1]?.text()).toContain('1.0 KiB of 2.0 KiB on the server')
    expect(w.find('.shuttle-upload__restored-allow').text()).toBe('Resume (allow access)')
    expect(w.find('.shuttle-upload__restored-ghost').text()).toContain('Pick files to continue')
    w.unmount()
  })

  it('the allow button asks the engine for access and adds the file; a refusal says to pick it instead', async () => {
    FakeEngine.restorable = [restored('handle.txt', 'access')]
    const w = mountRestoring()
    await flushPromises()
    await w.find('.shuttle-upload__restored-allow').trigger('click')
    await flushPromises()
    expect(lastEngine().calls).toContainEqual(['requestAccess', 'fp-handle.txt', { add: false }])
    expect(w.text()).toContain('Access was not given. Pick the file instead.')
    expect(w.find('.shuttle-upload__restored-ghost').exists()).toBe(true)

    FakeEngine.allowed = makeFile('handle.txt', 2048)
    FakeEngine.restorable = [restored('handle.txt', 'access')]
    const w2 = mountRestoring()
    await flushPromises()
    await w2.find('.shuttle-upload__restored-allow').trigger('click')
    await flushPromises()
    expect(w2.find('.shuttle-file-list__name').text()).toBe('handle.txt')
    // The engine says the file is back: its row goes.
    const [id] = [...lastEngine().inputs.keys()]
    lastEngine().restored(id as string, 'fp-handle.txt')
    await flushPromises()
    expect(w2.findAll('.shuttle-upload__restored-row')).toHaveLength(0)
    w.unmount()
    w2.unmount()
  })

  it('speaks zh-CN', async () => {
    FakeEngine.restorable = [restored('a.txt', 'access'), restored('b.txt', 'ghost')]
    const w = mountRestoring('zh-CN')
    await flushPromises()
    expect(w.find('.shuttle-upload__restored-title').text()).toBe('上次未完成的上传')
    expect(w.find('.shuttle-upload__restored-allow').text()).toBe('继续（允许访问）')
    w.unmount()
  })

  it('without `restore` nothing is asked of the engine', async () => {
    FakeEngine.restorable = [restored('a.txt', 'ghost')]
    const w = mount(ShuttleUpload, { props: { endpoint: '/files/' } })
    await flushPromises()
    expect(engines.flatMap((e) => e.calls).some((c) => c[0] === 'restoreSession')).toBe(false)
    expect(w.find('.shuttle-upload__restored').exists()).toBe(false)
    w.unmount()
  })
})
