import { UploadError } from '@shuttle/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { engines, lastEngine, makeFile, pick } from '../testing/helpers.js'
import type { UploadFile, UploadRequestOptions } from '../types.js'
import ShuttleUpload from './shuttle-upload.vue'

// Only the engine is faked; core's pure helpers (computeTotals…) stay real.
vi.mock('@shuttle/core', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createUploader: (await import('../testing/helpers.js')).fakeCreateUploader,
}))

beforeEach(() => {
  engines.length = 0
})

const mountUpload = (props: Record<string, unknown> = {}, slots?: Record<string, string>) =>
  mount(ShuttleUpload, { props: { endpoint: '/files/', multiple: true, ...props }, slots })
const lastList = (w: ReturnType<typeof mountUpload>) =>
  w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]

describe('ShuttleUpload events (el-upload on-* hooks, both :on-x and @x)', () => {
  it('on-change fires when a file is added, succeeds and fails', async () => {
    const onChange = vi.fn()
    const w = mountUpload({ onChange })
    await pick(w, [makeFile('a.txt'), makeFile('b.txt')])
    expect(onChange).toHaveBeenCalledTimes(2)
    expect(onChange.mock.calls[0]?.[0]).toMatchObject({ name: 'a.txt', status: 'ready' })
    const [a, b] = lastList(w)
    lastEngine().complete(a!.id!)
    lastEngine().fail(b!.id!)
    expect(onChange).toHaveBeenCalledTimes(4)
    expect(onChange.mock.calls[2]?.[0]).toMatchObject({ name: 'a.txt', status: 'success' })
    expect(onChange.mock.calls[3]?.[0]).toMatchObject({ name: 'b.txt', status: 'fail' })
  })

  it('on-progress carries percent, speed and ETA, and the list entry follows', async () => {
    const onProgress = vi.fn()
    const w = mountUpload({ onProgress })
    await pick(w, [makeFile('a.txt', 1000)])
    lastEngine().progress(lastList(w)[0]!.id!, 250, 500)
    expect(onProgress).toHaveBeenCalledTimes(1)
    const [evt, file, list] = onProgress.mock.calls[0]!
    expect(evt).toMatchObject({ percent: 25, loaded: 250, total: 1000, speed: 500 })
    expect(file).toMatchObject({ status: 'uploading', phase: 'uploading', percentage: 25 })
    expect(list).toHaveLength(1)
    await flushPromises()
    expect(w.find('.shuttle-file-list__meta').text()).toContain('25%')
    expect(w.find('.shuttle-file-list__detail').text()).toContain('500 B/s')
  })

  it('on-success gets tus `{ url }`, or the parsed form response body', async () => {
    const onSuccess = vi.fn()
    const w = mountUpload({ onSuccess })
    await pick(w, [makeFile('a.txt'), makeFile('b.txt')])
    const [a, b] = lastList(w)
    lastEngine().complete(a!.id!, 'http://h/files/1')
    lastEngine().complete(b!.id!, 'http://h/api', { status: 200, body: '{"ok":true}' })
    expect(onSuccess.mock.calls[0]?.[0]).toEqual({ url: 'http://h/files/1' })
    expect(onSuccess.mock.calls[0]?.[1]).toMatchObject({ uploadUrl: 'http://h/files/1', status: 'success' })
    expect(onSuccess.mock.calls[1]?.[0]).toEqual({ ok: true })
  })

  it('on-error gets an Error; the file stays listed with a retry button (el-upload drops it)', async () => {
    const onError = vi.fn()
    const w = mountUpload({ onError })
    await pick(w, [makeFile('a.txt')])
    lastEngine().fail(lastList(w)[0]!.id!, new UploadError('ERR_HTTP_STATUS', 'HTTP 500'))
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(Error)
    expect(onError.mock.calls[0]?.[0].message).toBe('HTTP 500')
    await flushPromises()
    expect(w.find('.shuttle-btn.is-retry').exists()).toBe(true)
    expect(w.text()).toContain('HTTP 500')
  })

  it('on-remove fires with the removed file and the remaining list', async () => {
    const onRemove = vi.fn()
    const w = mountUpload({ onRemove })
    await pick(w, [makeFile('a.txt'), makeFile('b.txt')])
    await w.findAll('.shuttle-btn.is-remove')[0]!.trigger('click')
    await flushPromises()
    expect(onRemove).toHaveBeenCalledTimes(1)
    expect(onRemove.mock.calls[0]?.[0].name).toBe('a.txt')
    expect(onRemove.mock.calls[0]?.[1].map((f: UploadFile) => f.name)).toEqual(['b.txt'])
  })

  it('on-preview fires when a file name is activated', async () => {
    const onPreview = vi.fn()
    const w = mountUpload({ onPreview, fileList: [{ name: 'old.txt', url: '/o' }] })
    await w.find('.shuttle-file-list__name').trigger('click')
    expect(onPreview.mock.calls[0]?.[0]).toMatchObject({ name: 'old.txt' })
  })

  it('@pause / @resume / @retry / @cancel fire from the per-file buttons and drive the engine', async () => {
    const hooks = { onPause: vi.fn(), onResume: vi.fn(), onRetry: vi.fn(), onCancel: vi.fn() }
    const w = mountUpload(hooks)
    await pick(w, [makeFile('a.txt', 100)])
    const id = lastList(w)[0]!.id!
    lastEngine().progress(id, 10)
    await flushPromises()
    await w.find('.shuttle-btn.is-pause').trigger('click')
    await flushPromises()
    expect(lastList(w)[0]?.phase).toBe('paused')
    await w.find('.shuttle-btn.is-resume').trigger('click')
    lastEngine().fail(id)
    await flushPromises()
    await w.find('.shuttle-btn.is-retry').trigger('click')
    await flushPromises()
    await w.find('.shuttle-btn.is-cancel').trigger('click')
    await flushPromises()
    expect(lastEngine().calls.map((c) => c[0])).toEqual(['add', 'pause', 'resume', 'retry', 'cancel'])
    for (const hook of Object.values(hooks)) expect(hook).toHaveBeenCalledTimes(1)
    expect(lastList(w)[0]?.phase).toBe('canceled')
  })
})

describe('http-request (custom transport, el-upload contract)', () => {
  it('receives el-upload options and reports through onProgress / onSuccess', async () => {
    let opts: UploadRequestOptions | undefined
    const onSuccess = vi.fn()
    const onProgress = vi.fn()
    const w = mountUpload({
      action: '/custom',
      endpoint: undefined,
      name: 'doc',
      data: { k: 'v' },
      headers: { A: '1' },
      withCredentials: true,
      httpRequest: (o: UploadRequestOptions) => {
        opts = o
        return { abort: () => {} }
      },
      onSuccess,
      onProgress,
    })
    await pick(w, [makeFile('a.txt')])
    expect(engines).toHaveLength(0)
    expect(opts).toMatchObject({
      action: '/custom',
      method: 'post',
      filename: 'doc',
      data: { k: 'v' },
      headers: { A: '1' },
      withCredentials: true,
    })
    expect(opts?.file.name).toBe('a.txt')
    opts?.onProgress({ percent: 40 })
    expect(onProgress.mock.calls[0]?.[1]).toMatchObject({ percentage: 40, status: 'uploading' })
    opts?.onSuccess({ id: 1 })
    expect(onSuccess.mock.calls[0]?.[0]).toEqual({ id: 1 })
    expect(lastList(w)[0]).toMatchObject({ status: 'success', response: { id: 1 } })
  })

  it('a returned promise settles the file; a rejection reports on-error', async () => {
    const onError = vi.fn()
    const onSuccess = vi.fn()
    const results = [Promise.resolve('ok'), Promise.reject(new Error('nope'))]
    const w = mountUpload({ httpRequest: () => results.shift(), onError, onSuccess })
    await pick(w, [makeFile('a.txt'), makeFile('b.txt')])
    await flushPromises()
    expect(onSuccess.mock.calls[0]?.[0]).toBe('ok')
    expect(onError.mock.calls[0]?.[0].message).toBe('nope')
    expect(lastList(w).map((f) => f.status)).toEqual(['success', 'fail'])
  })

  it('abort(file) calls the abort() of what http-request returned', async () => {
    const abort = vi.fn()
    const w = mountUpload({ httpRequest: () => ({ abort }) })
    await pick(w, [makeFile('a.txt')])
    ;(w.vm as unknown as { abort(f: UploadFile): void }).abort(lastList(w)[0]!)
    await flushPromises()
    expect(abort).toHaveBeenCalledTimes(1)
    expect(lastList(w)[0]?.phase).toBe('canceled')
  })
})
