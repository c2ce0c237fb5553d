import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { engines, lastEngine, makeFile } from '../testing/helpers.js'
import type { UploadFile } from '../types.js'
import ShuttleUpload from './shuttle-upload.vue'

// Thousands of files at once join the list and start a slice per task, so no task holds the page
// for all of them (e2e/many-files.e2e.test.ts measures the page); here the order and completeness.
vi.mock('@shuttle/core', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createUploader: (await import('../testing/helpers.js')).fakeCreateUploader,
}))

beforeEach(() => {
  engines.length = 0
})

const COUNT = 1200
const files = () => Array.from({ length: COUNT }, (_, i) => makeFile(`f${String(i).padStart(4, '0')}.txt`))
/** One macrotask: the slices are setTimeout(0) apart. */
const nextTask = () => new Promise((r) => setTimeout(r, 0))

describe('many files at once', () => {
  it('join the list a slice per task, each with its on-change, in order; every one is posted once', async () => {
    const changed: string[] = []
    const w = mount(ShuttleUpload, {
      props: { endpoint: '/files/', multiple: true, onChange: (f: UploadFile) => changed.push(f.name) },
    })
    const input = w.find('input[type="file"]')
    Object.defineProperty(input.element, 'files', { value: files(), configurable: true })
    await input.trigger('change')
    const sizes: number[] = []
    for (let i = 0; i < 100 && changed.length < COUNT; i++) {
      await nextTask()
      sizes.push(changed.length)
    }
    // Never all at once: the first task after the pick added a slice, not the 1200.
    expect(sizes[0]).toBeGreaterThan(0)
    expect(sizes[0]).toBeLessThan(COUNT)
    expect(changed).toEqual(files().map((f) => f.name))
    for (let i = 0; i < 100; i++) await nextTask()
    await flushPromises()
    const added = lastEngine()
      .calls.filter((c) => c[0] === 'add')
      .map((c) => (c[1] as File).name)
    expect(added).toEqual(files().map((f) => f.name))
    const list = w.emitted('update:fileList')?.at(-1)?.[0] as UploadFile[]
    expect(list.map((f) => f.name)).toEqual(files().map((f) => f.name))
    expect(list.every((f) => f.id !== undefined && f.phase !== 'idle')).toBe(true)
  })

  it('a limit counts files still joining the list', async () => {
    const exceeded: number[] = []
    const w = mount(ShuttleUpload, {
      props: {
        endpoint: '/files/',
        multiple: true,
        limit: COUNT + 10,
        onExceed: (f: File[]) => exceeded.push(f.length),
      },
    })
    const pickNow = async (picked: File[]) => {
      const input = w.find('input[type="file"]')
      Object.defineProperty(input.element, 'files', { value: picked, configurable: true })
      await input.trigger('change')
    }
    await pickNow(files())
    await pickNow([makeFile('late-1.txt'), makeFile('late-2.txt'), ...files().slice(0, 20)])
    expect(exceeded).toEqual([22])
  })
})
