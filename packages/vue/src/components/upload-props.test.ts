import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { FakeEngine } from '../testing/fake-engine.js'
import { drop, engines, lastEngine, makeFile, paste, pick } from '../testing/helpers.js'
import type { UploadFile, UploadRawFile, UploadUserFile } from '../types.js'
import { absoluteEndpoint } from '../use-uploader.js'
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
  mount(ShuttleUpload, {
    props: { endpoint: '/files/', multiple: true, ...props },
    slots,
    attachTo: document.body,
  })

describe('ShuttleUpload props (el-upload surface)', () => {
  it("action alone sends el-upload's own form request (method, headers, fields), not through the engine", async () => {
    const sent: { method: string; url: string; headers: Record<string, string>; body: FormData }[] = []
    class RecordingXhr extends EventTarget {
      upload = new EventTarget()
      status = 0
      responseText = ''
      withCredentials = false
      private req = { method: '', url: '', headers: {} as Record<string, string> }
      open(method: string, url: string) {
        this.req.method = method
        this.req.url = url
      }
      setRequestHeader(k: string, v: string) {
        this.req.headers[k] = v
      }
      send(body: FormData) {
        sent.push({ ...this.req, body })
      }
      abort() {}
    }
    vi.stubGlobal('XMLHttpRequest', RecordingXhr)
    try {
      const w = mountUpload({
        endpoint: undefined,
        action: '/api/upload',
        method: 'put',
        headers: { 'x-token': 't' },
        data: { folder: 'a', blob: new Blob(['x']) },
      })
      await pick(w, [makeFile('a.txt')])
      expect(engines).toHaveLength(0)
      expect(sent).toHaveLength(1)
      expect(sent[0]).toMatchObject({ method: 'put', url: '/api/upload', headers: { 'x-token': 't' } })
      expect(sent[0]?.body.get('folder')).toBe('a')
      expect(sent[0]?.body.get('blob')).toBeInstanceOf(Blob)
      expect((sent[0]?.body.get('file') as File | undefined)?.name).toBe('a.txt')
      // protocol 'form' chooses the engine's form transport instead.
      const e = mountUpload({ endpoint: undefined, action: '/api/upload', protocol: 'form' })
      await pick(e, [makeFile('b.txt')])
      expect(lastEngine().options).toMatchObject({
        endpoint: absoluteEndpoint('/api/upload'),
        protocol: 'form',
      })
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('endpoint selects tus; protocol overrides; chunk-size / parallel-uploads / concurrency are forwarded', async () => {
    const w = mountUpload({ chunkSize: 4096, parallelUploads: 2, maxConcurrentUploads: 1, retryDelays: [0] })
    await pick(w, [makeFile('a.txt')])
    expect(lastEngine().options).toMatchObject({
      endpoint: absoluteEndpoint('/files/'),
      protocol: 'tus',
      chunkSize: 4096,
      parallelUploads: 2,
      maxConcurrentUploads: 1,
      retryDelays: [0],
    })
    const w2 = mountUpload({ protocol: 'form' })
    await pick(w2, [makeFile('b.txt')])
    expect(lastEngine().options.protocol).toBe('form')
  })

  it("creation-with-upload is forwarded (0 included); left out, core's default applies", async () => {
    const w = mountUpload({ creationWithUpload: 65536 })
    await pick(w, [makeFile('a.txt')])
    expect(lastEngine().options).toMatchObject({ protocol: 'tus', creationWithUpload: 65536 })
    const off = mountUpload({ creationWithUpload: 0 })
    await pick(off, [makeFile('b.txt')])
    expect(lastEngine().options.creationWithUpload).toBe(0)
    const unset = mountUpload()
    await pick(unset, [makeFile('c.txt')])
    expect(lastEngine().options).not.toHaveProperty('creationWithUpload')
    // A changed value reaches the next files once the engine has nothing left to finish.
    const first = lastEngine()
    await unset.setProps({ creationWithUpload: 1024 })
    for (const f of first.getFiles()) first.complete(f.id)
    await pick(unset, [makeFile('d.txt')])
    expect(first.destroyed).toBe(true)
    expect(lastEngine()).not.toBe(first)
    expect(lastEngine().options.creationWithUpload).toBe(1024)
  })

  it('headers are read on every request (a function handed to the engine)', async () => {
    const w = mountUpload({ headers: { Authorization: 'a' } })
    await pick(w, [makeFile('a.txt')])
    const headers = lastEngine().options.headers as () => Record<string, string>
    expect(headers()).toEqual({ Authorization: 'a' })
    await w.setProps({ headers: new Headers({ Authorization: 'b' }) })
    const h = headers()
    expect(Object.keys(h)).toHaveLength(1)
    expect(h.authorization ?? h.Authorization).toBe('b')
  })

  it('data becomes form fields / Upload-Metadata, static or per file', async () => {
    const w = mountUpload({ data: { album: 7 } })
    await pick(w, [makeFile('a.txt')])
    expect(lastEngine().options.data).toEqual({ album: '7' })
    expect(lastEngine().calls[0]?.[2]).toEqual({ album: '7' })
    const w2 = mountUpload({ data: (raw: File) => Promise.resolve({ original: raw.name }) })
    await pick(w2, [makeFile('b.txt')])
    expect(lastEngine().calls[0]?.[2]).toEqual({ original: 'b.txt' })
  })

  it('name is the form field and the input name; with-credentials is forwarded', async () => {
    const w = mountUpload({ name: 'upload', withCredentials: true })
    expect(w.find('input').attributes('name')).toBe('upload')
    await pick(w, [makeFile('a.txt')])
    expect(lastEngine().options).toMatchObject({ fieldName: 'upload', withCredentials: true })
  })

  it('multiple: without it only the first file of a pick is taken', async () => {
    const w = mountUpload({ multiple: false })
    expect(w.find('input').attributes('multiple')).toBeUndefined()
    await pick(w, [makeFile('a.txt'), makeFile('b.txt')])
    expect(w.emitted('update:fileList')?.at(-1)?.[0]).toHaveLength(1)
  })

  it('accept filters picked, dropped and pasted files alike', async () => {
    const w = mountUpload({ accept: 'image/*,.pdf', drag: true })
    expect(w.find('input').attributes('accept')).toBe('image/*,.pdf')
    const files = [makeFile('a.png', 5, 'image/png'), makeFile('b.txt'), makeFile('c.PDF', 5, '')]
    await pick(w, files)
    await drop(w.find('.shuttle-dragger').element, files)
    await paste(w.find('.shuttle-upload').element, files)
    const names = w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]
    expect(names.map((f) => f.name)).toEqual(['a.png', 'c.PDF', 'a.png', 'c.PDF', 'a.png', 'c.PDF'])
  })

  it('limit: a batch that would exceed it adds nothing and emits exceed; the count includes every listed file', async () => {
    const onExceed = vi.fn()
    const w = mountUpload({ limit: 2, onExceed, drag: true })
    await pick(w, [makeFile('a'), makeFile('b')])
    await drop(w.find('.shuttle-dragger').element, [makeFile('c')])
    expect(onExceed).toHaveBeenCalledTimes(1)
    expect((onExceed.mock.calls[0]![0] as File[]).map((f: File) => f.name)).toEqual(['c'])
    expect(onExceed.mock.calls[0]?.[1]).toHaveLength(2)
    const list = w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]
    await (w.vm as unknown as { handleRemove(f: UploadFile): Promise<void> }).handleRemove(list[0]!)
    await paste(w.find('.shuttle-upload').element, [makeFile('d')])
    expect(onExceed).toHaveBeenCalledTimes(1)
    expect((w.emitted('update:fileList')!.at(-1)![0] as UploadFile[]).map((f) => f.name)).toEqual(['b', 'd'])
  })

  it('auto-upload=false keeps files ready until submit()', async () => {
    const w = mountUpload({ autoUpload: false })
    await pick(w, [makeFile('a.txt')])
    expect(engines).toHaveLength(0)
    const list = w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]
    expect(list[0]?.status).toBe('ready')
    ;(w.vm as unknown as { submit(): void }).submit()
    await flushPromises()
    expect(lastEngine().calls.filter((c) => c[0] === 'add')).toHaveLength(1)
  })

  it('before-upload: false and rejection drop the file; a resolved Blob or File replaces it', async () => {
    const onRemove = vi.fn()
    const cases: Array<[() => unknown, string | null]> = [
      [() => false, null],
      [() => Promise.reject(new Error('no')), null],
      [() => true, 'a.txt'],
      [() => Promise.resolve(new Blob(['zz'], { type: 'text/plain' })), 'a.txt'],
      [() => Promise.resolve(new File(['yyy'], 'renamed.txt')), 'renamed.txt'],
    ]
    for (const [hook, expected] of cases) {
      engines.length = 0
      const w = mountUpload({ beforeUpload: hook, onRemove })
      await pick(w, [makeFile('a.txt')])
      const list = w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]
      if (expected === null) {
        expect(list).toHaveLength(0)
        expect(engines).toHaveLength(0)
      } else {
        const sent = lastEngine().calls[0]?.[1] as UploadRawFile
        expect(sent.name).toBe(expected)
        expect(list[0]?.raw).toBe(sent)
        expect(sent.uid).toBe(list[0]?.uid)
        if (expected !== 'a.txt' || hook.toString().includes('Blob')) expect(sent.size).toBeLessThan(10)
      }
    }
    expect(onRemove).toHaveBeenCalledTimes(2)
  })

  it('before-remove: false or rejection keeps the file, true removes it', async () => {
    const verdicts: Array<() => unknown> = [
      () => false,
      () => Promise.reject(new Error('x')),
      () => Promise.resolve(true),
    ]
    const w = mountUpload({ beforeRemove: () => verdicts.shift()?.() })
    await pick(w, [makeFile('a.txt')])
    const current = () => (w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]) ?? []
    for (const keep of [true, true, false]) {
      await w.find('.shuttle-btn.is-remove').trigger('click')
      await flushPromises()
      expect(current().length).toBe(keep ? 1 : 0)
    }
    expect(lastEngine().calls.some((c) => c[0] === 'remove')).toBe(true)
  })

  it('list-type picture / picture-card show object-URL thumbnails, revoked on remove and unmount', async () => {
    const create = vi.spyOn(URL, 'createObjectURL').mockImplementation(() => `blob:t${Math.random()}`)
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    const w = mountUpload({ listType: 'picture' })
    await pick(w, [makeFile('a.png', 5, 'image/png'), makeFile('b.png', 5, 'image/png'), makeFile('c.txt')])
    expect(create).toHaveBeenCalledTimes(2)
    expect(w.findAll('img.shuttle-file-list__thumb')).toHaveLength(2)
    await w.findAll('.shuttle-btn.is-remove')[0]!.trigger('click')
    await flushPromises()
    expect(revoke).toHaveBeenCalledTimes(1)
    await w.setProps({ listType: 'picture-card' })
    expect(w.find('.shuttle-file-list--picture-card').exists()).toBe(true)
    // picture-card: the list comes before the trigger, as in el-upload.
    const picker = w.find('.shuttle-upload__picker').element
    expect(picker.firstElementChild?.classList.contains('shuttle-file-list')).toBe(true)
    w.unmount()
    expect(revoke).toHaveBeenCalledTimes(2)
    create.mockRestore()
    revoke.mockRestore()
  })

  it('text list type creates no object URLs (nothing to leak)', async () => {
    const create = vi.spyOn(URL, 'createObjectURL')
    const w = mountUpload({ listType: 'text' })
    await pick(w, [makeFile('a.png', 5, 'image/png')])
    expect(create).not.toHaveBeenCalled()
    expect(w.find('img').exists()).toBe(false)
    create.mockRestore()
  })

  it('drag shows a drop zone whose drops are uploaded', async () => {
    const w = mountUpload({ drag: true })
    expect(w.find('.shuttle-dragger').exists()).toBe(true)
    await drop(w.find('.shuttle-dragger').element, [makeFile('d.txt')])
    expect(lastEngine().calls[0]?.[0]).toBe('add')
    const plain = mountUpload({ drag: false })
    expect(plain.find('.shuttle-dragger').exists()).toBe(false)
  })

  it('disabled: no picker, no drop, no paste, no remove button', async () => {
    const w = mountUpload({ disabled: true, drag: true, fileList: [{ name: 'old.txt', url: '/x' }] })
    const click = vi.spyOn(w.find('input').element, 'click')
    await w.find('.shuttle-upload__trigger').trigger('click')
    await w.find('.shuttle-upload__trigger').trigger('keydown', { key: 'Enter' })
    expect(click).not.toHaveBeenCalled()
    await drop(w.find('.shuttle-dragger').element, [makeFile('d.txt')])
    await paste(w.find('.shuttle-upload').element, [makeFile('p.txt')])
    expect(engines).toHaveLength(0)
    expect(w.find('.shuttle-btn.is-remove').exists()).toBe(false)
    expect(w.find('.shuttle-upload__trigger').attributes('tabindex')).toBe('-1')
  })

  it('show-file-list=false hides the list', async () => {
    const w = mountUpload({ showFileList: false, fileList: [{ name: 'old.txt' }] })
    expect(w.find('.shuttle-file-list').exists()).toBe(false)
  })

  it('file-list (v-model): given entries are shown, normalized, and every change is emitted', async () => {
    const w = mountUpload({ fileList: [{ name: 'old.txt', url: 'https://x/old.txt' }] })
    expect(w.text()).toContain('old.txt')
    const first = w.emitted('update:fileList')?.[0]?.[0] as UploadFile[]
    expect(first[0]).toMatchObject({
      name: 'old.txt',
      status: 'success',
      phase: 'completed',
      percentage: 100,
    })
    expect(typeof first[0]?.uid).toBe('number')
    await pick(w, [makeFile('new.txt')])
    const last = w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]
    expect(last.map((f) => f.name)).toEqual(['old.txt', 'new.txt'])
  })

  it('uploader: an injected engine is used instead of creating one', async () => {
    const engine = new FakeEngine()
    const w = mountUpload({ uploader: engine })
    await pick(w, [makeFile('a.txt')])
    expect(engines).toHaveLength(0)
    expect(engine.calls[0]?.[0]).toBe('add')
  })

  it('with a bound v-model:file-list the parent array follows every change, and uploads start', async () => {
    const files = ref<UploadFile[]>([])
    const Parent = defineComponent(
      () => () =>
        h(ShuttleUpload, {
          endpoint: '/files/',
          multiple: true,
          fileList: files.value,
          'onUpdate:fileList': (v: UploadUserFile[]) => {
            files.value = v as UploadFile[]
          },
        }),
    )
    const w = mount(Parent)
    await pick(w, [makeFile('a.txt', 100)])
    expect(lastEngine().calls[0]?.[0]).toBe('add')
    lastEngine().progress(files.value[0]!.id!, 50)
    await flushPromises()
    expect(files.value[0]).toMatchObject({ name: 'a.txt', phase: 'uploading', percentage: 50 })
    files.value = []
    await flushPromises()
    expect(w.findAll('.shuttle-file-list__item')).toHaveLength(0)
  })

  it('changed action / data reach the next files once the current engine has nothing left to finish', async () => {
    const w = mountUpload({ endpoint: undefined, protocol: 'form', action: '/a', data: { folder: '1' } })
    await pick(w, [makeFile('a.txt')])
    const first = lastEngine()
    await w.setProps({ action: '/b', data: { folder: '2' } })
    await pick(w, [makeFile('b.txt')])
    expect(engines).toHaveLength(1) // a.txt still uploading: keep its engine
    for (const f of first.getFiles()) first.complete(f.id)
    await pick(w, [makeFile('c.txt')])
    expect(engines).toHaveLength(2)
    expect(first.destroyed).toBe(true)
    expect(lastEngine().options).toMatchObject({ endpoint: absoluteEndpoint('/b'), data: { folder: '2' } })
    lastEngine().complete(lastEngine().getFiles()[0]!.id)
    await flushPromises()
    const list = w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]
    expect(list.map((f) => f.status)).toEqual(['success', 'success', 'success'])
  })

  it('directory makes the dialog pick folders; checkpoint-store and method are passed on', async () => {
    const store = { get: async () => undefined, set: async () => {}, delete: async () => {} }
    const w = mountUpload({ directory: true, checkpointStore: store })
    expect(w.find('input').attributes()).toHaveProperty('webkitdirectory')
    await pick(w, [makeFile('a.txt')])
    expect(lastEngine().options.checkpointStore).toBe(store)
    expect(mountUpload().find('input').attributes()).not.toHaveProperty('webkitdirectory')
    const httpRequest = vi.fn()
    const c = mountUpload({ method: 'put', httpRequest })
    await pick(c, [makeFile('b.txt')])
    expect(httpRequest.mock.calls[0]?.[0].method).toBe('put')
  })
})
