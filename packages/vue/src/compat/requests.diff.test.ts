import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import {
  both,
  entry,
  type FormServer,
  type Kind,
  mountAs,
  pickFiles,
  startFormServer,
  until,
} from '../testing/compat.js'

// What reaches the server and what the hooks see when `action` is set: Element Plus's own
// <el-upload> and <shuttle-upload> with the same template, against one real HTTP server.

let server: FormServer
beforeAll(async () => {
  server = await startFormServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.requests.length = 0
  server.replies.length = 0
})

/** Both components through one scenario, each starting with an empty request log. */
const onBoth = <T>(run: (kind: Kind) => Promise<T>) =>
  both(run, () => {
    server.requests.length = 0
  })

const file = (name: string, text = `bytes of ${name}`, type = 'text/plain') =>
  new File([text], name, { type })

const requestView = () =>
  server.requests.map((r) => ({
    method: r.method,
    path: r.path,
    token: r.headers['x-token'],
    parts: r.parts.map(({ name, filename, size, sha256 }) => ({ name, filename, size, sha256 })),
  }))

describe('differential: requests and hooks of form uploads (el-upload vs shuttle-upload)', () => {
  it('method, headers, data (strings, a Blob, a [Blob, name] pair, arrays) and the file reach the server alike', async () => {
    const seen = await onBoth(async (kind) => {
      // Read at call time: el-upload mutates the entry it passed earlier, Shuttle passes snapshots.
      const change: unknown[] = []
      const onSuccess = vi.fn()
      const onChange = vi.fn((f, list) => change.push([entry(f), list.length]))
      const w = mountAs(
        kind,
        `<el-upload :action="action" method="put" :headers="{ 'x-token': 'secret' }" :data="data"
           name="upfile" :on-success="onSuccess" :on-change="onChange">upload</el-upload>`,
        () => ({
          action: `${server.url}/api/put`,
          data: {
            folder: 'docs',
            note: new Blob(['a note'], { type: 'text/plain' }),
            named: [new Blob(['named blob']), 'named.bin'],
            tags: ['a', 'b'],
          },
          onSuccess,
          onChange,
        }),
      )
      await pickFiles(w, [file('report.txt')])
      await until(() => onSuccess.mock.calls.length === 1, 'on-success')
      w.unmount()
      return {
        // The entry handed to the first on-change, read now: el-upload mutated it, Shuttle did not.
        firstChangeNow: onChange.mock.calls[0]?.[0].status,
        requests: requestView(),
        success: onSuccess.mock.calls.map(([res, f, list]) => [res, entry(f), list.map(entry)]),
        change,
      }
    })
    expect(seen.el.requests).toHaveLength(1)
    expect(seen.el.requests[0]?.method).toBe('PUT')
    expect(seen.el.requests[0]?.parts.map((p) => p.name)).toEqual([
      'folder',
      'note',
      'named',
      'tags',
      'tags',
      'upfile',
    ])
    // Documented difference: list entries are replaced, not mutated.
    expect(seen.el.firstChangeNow).toBe('success')
    expect(seen.shuttle).toEqual({ ...seen.el, firstChangeNow: 'ready' })
  })

  it('data edited in before-upload (sync, and inside a Promise) reaches each file as it was for that file (#12029)', async () => {
    for (const style of ['sync', 'promise'] as const) {
      const seen = await onBoth(async (kind) => {
        const data = ref({ key: '' })
        const beforeUpload = (f: File) => {
          if (style === 'sync') data.value.key = f.name
          else
            return new Promise<File>((ok) => {
              data.value.key = f.name
              ok(f)
            })
          return true
        }
        const onSuccess = vi.fn()
        const w = mountAs(
          kind,
          `<el-upload :action="action" multiple :data="data" :before-upload="beforeUpload" :on-success="onSuccess" />`,
          () => ({ action: `${server.url}/api`, data, beforeUpload, onSuccess }),
        )
        await pickFiles(w, [file('one.txt'), file('two.txt')])
        await until(() => onSuccess.mock.calls.length === 2, 'two uploads')
        w.unmount()
        return server.requests.map((r) => r.parts.find((p) => p.name === 'key')?.text).sort()
      })
      expect(seen.el).toEqual(['one.txt', 'two.txt'])
      expect(seen.shuttle).toEqual(seen.el)
    }
  })

  it('data edited in place after an await inside before-upload: sent by Shuttle, not by el-upload (documented difference)', async () => {
    const seen = await onBoth(async (kind) => {
      const data = ref({ sig: 'none' })
      const beforeUpload = async () => {
        await Promise.resolve()
        data.value.sig = 'signed-late'
        return true
      }
      const onSuccess = vi.fn()
      const w = mountAs(
        kind,
        `<el-upload :action="action" :data="data" :before-upload="beforeUpload" :on-success="onSuccess" />`,
        () => ({ action: `${server.url}/api`, data, beforeUpload, onSuccess }),
      )
      await pickFiles(w, [file('late.txt')])
      await until(() => onSuccess.mock.calls.length === 1, 'on-success')
      w.unmount()
      return server.requests.map((r) => r.parts.find((p) => p.name === 'sig')?.text)
    })
    expect(seen.el).toEqual(['none'])
    expect(seen.shuttle).toEqual(['signed-late'])
  })

  it('data as a Promise, as a function of the file, and a rejecting Promise (the file is removed, nothing sent)', async () => {
    const seen = await onBoth(async (kind) => {
      const out: Record<string, unknown> = {}
      for (const [label, data] of [
        ['promise', Promise.resolve({ from: 'promise' })],
        ['function', (f: File) => Promise.resolve({ from: `fn:${f.name}` })],
        ['rejecting', 'reject'],
      ] as const) {
        server.requests.length = 0
        const onRemove = vi.fn()
        const onSuccess = vi.fn()
        const files = ref<{ name: string; status: string }[]>([])
        const value = data === 'reject' ? Promise.reject(new Error('no token')) : data
        const w = mountAs(
          kind,
          `<el-upload :action="action" :data="value" v-model:file-list="files" :on-remove="onRemove" :on-success="onSuccess" />`,
          () => ({ action: `${server.url}/api`, value, onRemove, onSuccess, files }),
        )
        await pickFiles(w, [file('d.txt')])
        if (label === 'rejecting') await until(() => onRemove.mock.calls.length === 1, 'on-remove')
        else await until(() => onSuccess.mock.calls.length === 1, 'on-success')
        out[label] = {
          fields: server.requests.map((r) => r.parts.filter((p) => p.name === 'from').map((p) => p.text)),
          removed: onRemove.mock.calls.map(([f, list]) => [f.name, list?.length]),
          listed: files.value.map((f) => [f.name, f.status]),
        }
        w.unmount()
      }
      return out
    })
    expect(seen.el).toMatchObject({
      promise: { fields: [['promise']] },
      function: { fields: [['fn:d.txt']] },
      rejecting: { fields: [], listed: [] },
    })
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('a JSON response is parsed for on-success; the file ends as success at 100 %', async () => {
    const seen = await onBoth(async (kind) => {
      server.replies.push({ status: 201, body: '{"url":"/files/1","id":7}' })
      const files = ref<{ name: string; status: string }[]>([])
      const onSuccess = vi.fn()
      const w = mountAs(
        kind,
        `<el-upload :action="action" v-model:file-list="files" :on-success="onSuccess" />`,
        () => ({ action: `${server.url}/api`, files, onSuccess }),
      )
      await pickFiles(w, [file('j.txt')])
      await until(() => onSuccess.mock.calls.length === 1, 'on-success')
      await until(() => files.value[0]?.status === 'success', 'status success')
      w.unmount()
      return { response: onSuccess.mock.calls[0]?.[0], files: files.value.map(entry) }
    })
    expect(seen.el.response).toEqual({ url: '/files/1', id: 7 })
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('a 500 reply: on-error gets the server message, status and method; the failed file stays listed unless keep-failed is false (documented difference)', async () => {
    const run = (extra: string) =>
      onBoth(async (kind) => {
        server.replies.push({ status: 500, body: 'disk full' })
        const files = ref<{ name: string; status: string }[]>([])
        const onError = vi.fn()
        const onChange = vi.fn()
        const w = mountAs(
          kind,
          `<el-upload :action="action" v-model:file-list="files" :on-error="onError" :on-change="onChange" ${extra} />`,
          () => ({ action: `${server.url}/api`, files, onError, onChange }),
        )
        await pickFiles(w, [file('e.txt')])
        await until(() => onError.mock.calls.length === 1, 'on-error')
        await until(() => onChange.mock.calls.length === 2, 'second on-change')
        w.unmount()
        const [err, f, list] = onError.mock.calls[0] ?? []
        return {
          error: { message: err.message, status: err.status, method: err.method, name: err.name },
          file: [f.name, f.status],
          listAtError: list.length,
          listed: files.value.map((x) => [x.name, x.status]),
        }
      })
    const strict = await run(':keep-failed="false"')
    expect(strict.el).toEqual({
      error: { message: 'disk full', status: 500, method: 'post', name: 'UploadAjaxError' },
      file: ['e.txt', 'fail'],
      listAtError: 0,
      listed: [],
    })
    expect(strict.shuttle).toEqual(strict.el)
    const byDefault = await run('')
    expect(byDefault.shuttle).toEqual({ ...byDefault.el, listAtError: 1, listed: [['e.txt', 'fail']] })
  })
})
