// Harness of the differential suite: the same template mounted with <el-upload> (Element Plus
// itself) and with <shuttle-upload>, the tag being the only change, against one real HTTP server.
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
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

export interface Part {
  name: string
  filename?: string
  size: number
  sha256: string
  text: string
}
export interface Recorded {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  parts: Part[]
}

/** A small multipart/form-data reader: enough to see which fields and files arrived, byte for byte. */
function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType)
  if (!boundary) return []
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`)
  const parts: Part[] = []
  let at = body.indexOf(sep)
  while (at !== -1) {
    const start = at + sep.length
    if (body.subarray(start, start + 2).toString() === '--') break
    const next = body.indexOf(sep, start)
    if (next === -1) break
    const chunk = body.subarray(start + 2, next - 2) // CRLF after the boundary, CRLF before the next
    const split = chunk.indexOf('\r\n\r\n')
    const head = chunk.subarray(0, split).toString()
    const data = chunk.subarray(split + 4)
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? ''
    const filename = /filename="([^"]*)"/.exec(head)?.[1]
    parts.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      text: data.toString(),
    })
    at = next
  }
  return parts
}

export interface FormServer {
  url: string
  requests: Recorded[]
  /** The next answers, in order; after them every request gets 200 `{"ok":true,"n":<index>}`. */
  replies: { status: number; body: string }[]
  close(): Promise<void>
}

/** A real HTTP server on 127.0.0.1 that records each upload and answers CORS like an API would. */
export async function startFormServer(): Promise<FormServer> {
  const requests: Recorded[] = []
  const replies: { status: number; body: string }[] = []
  const server: Server = createServer((req: IncomingMessage, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
    res.setHeader('access-control-allow-credentials', 'true')
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '*')
    res.setHeader('access-control-allow-methods', 'POST, PUT, PATCH, OPTIONS')
    if (req.method === 'OPTIONS') {
      res.end()
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        parts: parseMultipart(body, req.headers['content-type'] ?? ''),
      })
      const reply = replies.shift() ?? { status: 200, body: JSON.stringify({ ok: true, n: requests.length }) }
      res.statusCode = reply.status
      res.setHeader('content-type', 'application/json')
      res.end(reply.body)
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    replies,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  }
}
