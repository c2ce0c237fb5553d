import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { ElUpload } from 'element-plus'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import ShuttleUpload from '../components/shuttle-upload.vue'
import { compileTemplate } from '../testing/compat.js'
import type { UploadFile } from '../types.js'
import HookSpellings from './fixtures/hook-spellings.vue'

// The hooks as users write them: in an SFC compiled by @vitejs/plugin-vue (this test's import), in
// an in-DOM template, and in render functions, each next to Element Plus's <el-upload>.

afterEach(() => {
  document.body.innerHTML = ''
})

const file = (name: string) => new File([name], name, { type: 'text/plain' })

async function pickInto(root: Element, files: File[]): Promise<void> {
  const input = root.querySelector('input[type=file]') as HTMLInputElement
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

/** ok.txt succeeds and bad.txt fails (with progress for both), a batch over the limit, a preview, a removal. */
async function exercise(root: Element): Promise<void> {
  await pickInto(root, [file('ok.txt'), file('bad.txt')])
  await flushPromises()
  await pickInto(root, [file('x.txt'), file('y.txt')])
  ;(root.querySelector('.el-upload-list__item-name') as HTMLElement).click()
  ;(root.querySelector('.el-icon--close') as HTMLElement).click()
  await flushPromises()
}

const EXPECTED = [
  'change:bad.txt',
  'change:bad.txt',
  'change:ok.txt',
  'change:ok.txt',
  'error:bad.txt',
  'exceed:-',
  'preview:ok.txt',
  'progress:bad.txt',
  'progress:ok.txt',
  'remove:ok.txt',
  'success:ok.txt',
]

describe('hook spellings', () => {
  it('SFC (@vitejs/plugin-vue): :on-x, :onX, @x and v-on:x all reach every hook, on el-upload and shuttle-upload alike', async () => {
    const calls: string[] = []
    const w = mount(HookSpellings, { props: { calls }, attachTo: document.body })
    for (const tag of ['el-upload', 'shuttle-upload'])
      for (const spelling of ['kebab', 'camel', 'at', 'von']) {
        const root = w.find(`.case-${tag}-${spelling}`).element
        await exercise(root)
        const prefix = `${tag}:${spelling}:`
        const got = calls.filter((c) => c.startsWith(prefix)).map((c) => c.slice(prefix.length))
        expect({ tag, spelling, got: got.sort() }).toEqual({ tag, spelling, got: EXPECTED })
      }
    await pickInto(w.find('.case-typed').element, [file('ok.txt')])
    await flushPromises()
    expect(calls.filter((c) => c.startsWith('typed:'))).toEqual(['typed:success:ok.txt:1:object'])
    w.unmount()
  })

  it('in-DOM template (attribute names as the browser keeps them): :on-x, @x and v-on:x', async () => {
    for (const tag of ['el-upload', 'shuttle-upload']) {
      const el = document.createElement('div')
      document.body.append(el)
      // Written into the page, then compiled from the DOM's own innerHTML, as Vue's full build does.
      el.innerHTML = `<${tag} multiple :limit="2" :http-request="request"
        :on-success="H.success" @error="H.error" v-on:change="H.change" :on-progress="H.progress"
        @remove="H.remove" :on-preview="H.preview" v-on:exceed="H.exceed"></${tag}>`
      const calls: string[] = []
      const H = Object.fromEntries(
        ['change', 'progress', 'success', 'error', 'remove', 'preview', 'exceed'].map((e) => [
          e,
          (...args: unknown[]) => {
            const f = args.find((a): a is UploadFile => !!a && typeof a === 'object' && 'uid' in a)
            calls.push(`${e}:${f?.name ?? '-'}`)
          },
        ]),
      )
      const request = (o: { file: File; onProgress(e: { percent: number }): void }) => {
        o.onProgress({ percent: 50 })
        return o.file.name === 'ok.txt' ? Promise.resolve({}) : Promise.reject(new Error('refused'))
      }
      const { createApp } = await import('vue')
      const app = createApp({ setup: () => ({ H, request }), render: compileTemplate(el.innerHTML) })
      app.component('ElUpload', ElUpload)
      app.component('ShuttleUpload', ShuttleUpload)
      app.mount(el)
      await exercise(el)
      expect({ tag, got: calls.sort() }).toEqual({ tag, got: EXPECTED })
      app.unmount()
    }
  })

  it('render functions: onSuccess and on-success keys, with typed arguments', async () => {
    for (const key of ['onSuccess', 'on-success'] as const) {
      const onSuccess = vi.fn((_res: unknown, file: UploadFile, list: UploadFile[]) => [
        file.name,
        list.length,
      ])
      const w: VueWrapper = mount(
        {
          render: () =>
            h(ShuttleUpload, {
              [key]: onSuccess,
              httpRequest: () => Promise.resolve('done'),
            }),
        },
        { attachTo: document.body },
      )
      await pickInto(w.element, [file('r.txt')])
      expect(onSuccess.mock.results[0]?.value).toEqual(['r.txt', 1])
      w.unmount()
    }
    // Types: a hook whose arguments do not fit is a compile error.
    // @ts-expect-error on-success's first argument is the response (unknown), not a number
    h(ShuttleUpload, { onSuccess: (res: number) => res })
  })
})
