import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { engines, lastEngine, makeFile, paste, pick } from '../testing/helpers.js'
import type { UploadFile } from '../types.js'
import ShuttleUpload from './shuttle-upload.vue'
import type { UploadInstance } from './upload.js'

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
const lastList = (w: ReturnType<typeof mountUpload>) =>
  w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]
const api = (w: ReturnType<typeof mountUpload>) => w.vm as unknown as UploadInstance

describe('exposed methods', () => {
  it('submit() uploads only ready files', async () => {
    const w = mountUpload({ autoUpload: false })
    await pick(w, [makeFile('a.txt'), makeFile('b.txt')])
    api(w).submit()
    await flushPromises()
    api(w).submit()
    await flushPromises()
    expect(lastEngine().calls.filter((c) => c[0] === 'add')).toHaveLength(2)
  })

  it('clearFiles() empties the list and drops the engine uploads; a status filter keeps the rest', async () => {
    const w = mountUpload()
    await pick(w, [makeFile('a.txt'), makeFile('b.txt')])
    lastEngine().complete(lastList(w)[0]!.id!)
    api(w).clearFiles(['success'])
    expect(lastList(w).map((f) => f.name)).toEqual(['b.txt'])
    api(w).clearFiles()
    expect(lastList(w)).toEqual([])
    expect(lastEngine().calls.filter((c) => c[0] === 'remove')).toHaveLength(2)
  })

  it('abort(file) stops that upload (deleted on the server), abort() stops all', async () => {
    const w = mountUpload()
    await pick(w, [makeFile('a.txt'), makeFile('b.txt'), makeFile('c.txt')])
    const [a] = lastList(w)
    api(w).abort(a!)
    await flushPromises()
    expect(
      lastEngine()
        .calls.filter((c) => c[0] === 'cancel')
        .map((c) => c[1]),
    ).toEqual([a!.id])
    api(w).abort()
    await flushPromises()
    expect(lastEngine().calls.filter((c) => c[0] === 'cancel')).toHaveLength(3)
    expect(lastList(w).map((f) => f.phase)).toEqual(['canceled', 'canceled', 'canceled'])
  })

  it('handleStart(raw) lists a file without uploading; handleRemove(raw) removes it', async () => {
    const onRemove = vi.fn()
    const w = mountUpload({ onRemove })
    const raw = makeFile('x.txt')
    api(w).handleStart(raw)
    expect(lastList(w)[0]).toMatchObject({ name: 'x.txt', status: 'ready' })
    await api(w).handleRemove(raw)
    expect(lastList(w)).toEqual([])
    expect(onRemove).toHaveBeenCalledTimes(1)
  })

  it('pause / resume / retry / cancel / pauseAll / resumeAll drive the engine', async () => {
    const w = mountUpload()
    await pick(w, [makeFile('a.txt')])
    const f = lastList(w)[0]!
    api(w).pause(f)
    api(w).resume(f)
    lastEngine().fail(f.id!)
    api(w).retry(f)
    api(w).pauseAll()
    api(w).resumeAll()
    await api(w).cancel(f)
    expect(lastEngine().calls.map((c) => c[0])).toEqual([
      'add',
      'pause',
      'resume',
      'retry',
      'pauseAll',
      'pause',
      'resumeAll',
      'resume',
      'cancel',
    ])
    // What the user resumes or retries goes first; resumeAll keeps the list order.
    const calls = lastEngine().calls
    expect(calls[2]).toEqual(['resume', f.id, { first: true }])
    expect(calls[3]).toEqual(['retry', f.id, { first: true }])
    expect(calls[7]?.[2]).toBeUndefined()
  })

  it('retryAll() retries every failed file, in list order', async () => {
    const w = mountUpload()
    await pick(w, [makeFile('a.txt'), makeFile('b.txt'), makeFile('c.txt')])
    const [a, b, c] = lastList(w)
    lastEngine().fail(a!.id!)
    lastEngine().fail(c!.id!)
    api(w).retryAll()
    const retried = lastEngine()
      .calls.filter((x) => x[0] === 'retry')
      .map((x) => x[1])
    expect(retried).toEqual([a!.id, c!.id])
    expect(retried).not.toContain(b!.id)
  })

  it('open() clicks the hidden input', () => {
    const w = mountUpload()
    const click = vi.spyOn(w.find('input').element, 'click').mockImplementation(() => {})
    api(w).open()
    expect(click).toHaveBeenCalledTimes(1)
  })
})

describe('slots', () => {
  it('trigger and default: the trigger opens the picker, default content sits beside it', () => {
    const w = mountUpload(
      {},
      { trigger: '<button class="t">pick</button>', default: '<span class="d">extra</span>' },
    )
    expect(w.find('.shuttle-upload__trigger .t').exists()).toBe(true)
    expect(w.find('.shuttle-upload__trigger .d').exists()).toBe(false)
    expect(w.find('.d').exists()).toBe(true)
  })

  it('default alone is the trigger; tip renders below', () => {
    const w = mountUpload({}, { default: '<b class="d">Upload</b>', tip: 'max 10 MB' })
    expect(w.find('.shuttle-upload__trigger .d').exists()).toBe(true)
    expect(w.find('.shuttle-upload__tip').text()).toBe('max 10 MB')
  })

  it('file slot replaces each list item body with the file in scope', () => {
    const w = mount(ShuttleUpload, {
      props: { endpoint: '/files/', fileList: [{ name: 'one.txt' }, { name: 'two.txt' }] },
      slots: {
        file: `<template #file="{ file, index }"><i class="custom">{{ index }}:{{ file.name }}</i></template>`,
      },
    })
    expect(w.findAll('.custom').map((e) => e.text())).toEqual(['0:one.txt', '1:two.txt'])
  })
})

describe('keyboard, paste, i18n, live region, totals', () => {
  it('Enter and Space on the trigger open the picker', async () => {
    const w = mountUpload()
    const click = vi.spyOn(w.find('input').element, 'click').mockImplementation(() => {})
    const trigger = w.find('.shuttle-upload__trigger')
    expect(trigger.attributes()).toMatchObject({ role: 'button', tabindex: '0' })
    // Named by what it shows, described by the keyboard hint.
    expect(trigger.attributes('aria-label')).toBeUndefined()
    const hint = w.find(`#${trigger.attributes('aria-describedby')}`)
    expect(hint.text()).toBe('Upload files: press Enter or Space to choose, or drop files here')
    await trigger.trigger('keydown', { key: 'Enter' })
    await trigger.trigger('keydown', { key: ' ' })
    expect(click).toHaveBeenCalledTimes(2)
  })

  it('Delete on a focused file row removes it; rows and buttons are tabbable and labelled', async () => {
    const w = mountUpload({ fileList: [{ name: 'old.txt' }] })
    const row = w.find('.shuttle-file-list__item')
    expect(row.attributes('tabindex')).toBe('0')
    expect(w.find('.shuttle-btn.is-remove').attributes('aria-label')).toBe('Remove old.txt')
    await row.trigger('keydown', { key: 'Delete' })
    await flushPromises()
    expect(lastList(w)).toEqual([])
  })

  it('paste adds files; paste="document" listens on the whole page', async () => {
    const w = mountUpload()
    await paste(w.find('.shuttle-upload').element, [makeFile('p.txt')])
    expect(lastList(w).map((f) => f.name)).toEqual(['p.txt'])
    const off = mountUpload({ paste: false })
    await paste(off.find('.shuttle-upload').element, [makeFile('p.txt')])
    expect(off.emitted('update:fileList')).toBeUndefined()
    const doc = mountUpload({ paste: 'document' })
    await paste(document.body, [makeFile('q.txt')])
    expect(lastList(doc).map((f) => f.name)).toEqual(['q.txt'])
    doc.unmount()
  })

  it('locale zh-CN and messages overrides', () => {
    const w = mountUpload({ locale: 'zh-CN', drag: true })
    expect(w.text()).toContain('点击上传')
    const o = mountUpload({ messages: { trigger: 'Choose!' } })
    expect(o.text()).toContain('Choose!')
  })

  it('announces state changes and 25% steps in a polite live region', async () => {
    const w = mountUpload()
    const region = w.find('[aria-live="polite"]')
    await pick(w, [makeFile('a.txt', 100)])
    const id = lastList(w)[0]!.id!
    lastEngine().progress(id, 10)
    await flushPromises()
    lastEngine().progress(id, 55)
    await flushPromises()
    expect(region.text()).toBe('a.txt: 50%')
    lastEngine().complete(id)
    await flushPromises()
    expect(region.text()).toBe('a.txt: Done')
  })

  it('show-total shows total progress, speed and ETA over all files', async () => {
    const w = mountUpload({ showTotal: true })
    await pick(w, [makeFile('a.txt', 100), makeFile('b.txt', 300)])
    const [a, b] = lastList(w)
    lastEngine().progress(a!.id!, 100, 100)
    lastEngine().progress(b!.id!, 100, 100)
    await flushPromises()
    const total = w.find('.shuttle-upload__total')
    expect(total.find('.shuttle-upload__total-percent').text()).toBe('50%')
    expect(total.text()).toContain('200 B/s')
    expect(total.find('[role="progressbar"]').attributes('aria-valuenow')).toBe('50')
  })
})
