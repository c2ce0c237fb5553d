// Harness of the differential suite: the same template mounted with <el-upload> (Element Plus
// itself) and with <shuttle-upload>, the tag being the only change, against one real HTTP server.
import { compile } from '@vue/compiler-dom'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { ElForm, ElFormItem, ElUpload } from 'element-plus'
import * as Vue from 'vue'
import ShuttleUpload from '../components/shuttle-upload.vue'

export type Kind = 'el' | 'shuttle'
export const KINDS: readonly Kind[] = ['el', 'shuttle']

/** `<el-upload …>` → `<shuttle-upload …>`; classes such as `el-upload__tip` are left alone. */
export const swapTag = (template: string): string =>
  template.replace(/<(\/?)el-upload(?=[\s/>])/g, '<$1shuttle-upload')

/** Runs one scenario on both components, one after the other (`before` each), and returns both observations. */
export async function both<T>(
  run: (kind: Kind) => Promise<T>,
  before?: () => void,
): Promise<Record<Kind, T>> {
  const out = {} as Record<Kind, T>
  for (const kind of KINDS) {
    before?.()
    out[kind] = await run(kind)
  }
  return out
}

/** Compiles a template at run time, as Vue's full build does for in-DOM and string templates. */
export function compileTemplate(template: string): Vue.RenderFunction {
  const { code } = compile(template, { mode: 'function', hoistStatic: false })
  const render = new Function('Vue', code)(Vue) as Vue.RenderFunction & { _rc?: boolean }
  render._rc = true // what Vue's own compileToFunction marks: the render reads its scope `with (_ctx)`
  return render
}

/** Mounts `template` (written for el-upload) as `kind`; `setup` runs once per mount. */
export function mountAs<S extends object>(kind: Kind, template: string, setup: () => S): VueWrapper {
  const tpl = kind === 'el' ? template : swapTag(template)
  const Comp = Vue.defineComponent({ setup, render: compileTemplate(tpl) })
  return mount(Comp, {
    attachTo: document.body,
    global: { components: { ElUpload, ShuttleUpload, ElForm, ElFormItem } },
  })
}

/**
 * The fields of a list entry both components share. `percentage` is left out: happy-dom's XHR sends
 * no upload progress events, so el-upload's stays at 0 (the Chromium suite compares it).
 */
export const entry = (f: { name: string; status: string; size?: number; response?: unknown }) => ({
  name: f.name,
  status: f.status,
  size: f.size,
  response: f.response,
})

/** Waits for a condition, flushing Vue and promises between looks. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await flushPromises()
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Sets input.files and fires change, as a user picking files does. */
export async function pickFiles(w: VueWrapper, files: File[]): Promise<void> {
  const input = w.find('input[type="file"]')
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await flushPromises()
}

export { type FormServer, startFormServer } from './form-server.js'
