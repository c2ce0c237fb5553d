import { flushPromises, type VueWrapper } from '@vue/test-utils'
import type { EngineOptions } from '../engine.js'
import { FakeEngine } from './fake-engine.js'

export const engines: FakeEngine[] = []

/** For vi.mock('@shuttle/core'): every createUploader() call yields a recorded FakeEngine. */
export function fakeCreateUploader(options: EngineOptions): FakeEngine {
  const e = new FakeEngine(options)
  engines.push(e)
  return e
}

export const lastEngine = (): FakeEngine => {
  const e = engines.at(-1)
  if (!e) throw new Error('no engine was created')
  return e
}

export const makeFile = (name: string, size = 10, type = 'text/plain'): File =>
  new File([new Uint8Array(size).fill(97)], name, { type })

/** Sets input.files (read-only in the DOM) and fires change, like a user picking files. */
export async function pick(wrapper: VueWrapper, files: File[]): Promise<void> {
  const input = wrapper.find('input[type="file"]')
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await flushPromises()
}

function fire(el: Element, type: string, prop: string, value: unknown): void {
  const ev = new Event(type, { bubbles: true, cancelable: true })
  Object.defineProperty(ev, prop, { value })
  el.dispatchEvent(ev)
}

export async function drop(el: Element, files: File[], items?: unknown[]): Promise<void> {
  fire(el, 'drop', 'dataTransfer', {
    files,
    items: items ?? files.map((f) => ({ kind: 'file', getAsFile: () => f })),
  })
  await flushPromises()
}

export async function paste(el: Element, files: File[]): Promise<void> {
  fire(el, 'paste', 'clipboardData', { files })
  await flushPromises()
}
