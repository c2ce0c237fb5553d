import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import { both, mountAs, pickFiles } from '../testing/compat.js'
import { drop } from '../testing/helpers.js'

// Every behaviour Element Plus's own upload tests check (upload, upload-list, upload-dragger),
// written again as scenarios that drive <el-upload> and <shuttle-upload> from one template and
// compare what a user of each would observe.

const file = (name: string, type = 'text/plain') => new File([`bytes of ${name}`], name, { type })

afterEach(() => {
  document.body.innerHTML = ''
})

/** An http-request that settles as told and records what it was handed. */
function customRequest(outcome: 'resolve' | 'reject' | 'progress-bare') {
  const calls: { data: unknown; method: string; filename: string; name: string }[] = []
  /** What a bare onProgress() threw back into the request, if anything. */
  const thrown: string[] = []
  const fn = vi.fn((o) => {
    calls.push({ data: { ...o.data }, method: o.method, filename: o.filename, name: o.file.name })
    if (outcome === 'progress-bare')
      try {
        o.onProgress()
      } catch (e) {
        thrown.push((e as Error).name)
      }
    return outcome === 'reject' ? Promise.reject(new Error('nope')) : Promise.resolve({ done: o.file.name })
  })
  return { fn, calls, thrown }
}

describe('differential: <el-upload> vs <shuttle-upload> (what Element Plus tests, compared)', () => {
  it('renders the default slot as the trigger; drag adds .el-upload-dragger inside .el-upload.is-drag', async () => {
    const seen = await both(async (kind) => {
      const drag = ref(false)
      const w = mountAs(
        kind,
        `<el-upload :drag="drag" :show-file-list="false">Pick a file</el-upload>`,
        () => ({ drag }),
      )
      const text = w.find('.el-upload').text()
      const before = w.find('.el-upload-dragger').exists()
      drag.value = true
      await nextTick()
      const after = {
        dragger: w.find('.el-upload-dragger').exists(),
        isDrag: w.find('.el-upload').classes('is-drag'),
        input: w.find('input.el-upload__input[type=file]').exists(),
      }
      w.unmount()
      return { text, before, after }
    })
    expect(seen.el).toEqual({
      text: 'Pick a file',
      before: false,
      after: { dragger: true, isDrag: true, input: true },
    })
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('click, Enter and Space on .el-upload open the file dialog (the input is clicked)', async () => {
    const seen = await both(async (kind) => {
      const w = mountAs(kind, `<el-upload action="/x">Pick</el-upload>`, () => ({}))
      const clicks = vi.fn()
      w.find('input').element.addEventListener('click', clicks)
      const trigger = w.find('.el-upload')
      await trigger.trigger('click')
      await trigger.trigger('keydown', { key: 'Enter' })
      await trigger.trigger('keydown', { key: ' ' })
      w.unmount()
      return clicks.mock.calls.length
    })
    expect(seen.el).toBe(3)
    expect(seen.shuttle).toBe(seen.el)
  })

  it('limit: on-exceed gets the picked files and the list; counted before `multiple` keeps the first file', async () => {
    for (const multiple of [true, false]) {
      const seen = await both(async (kind) => {
        const onExceed = vi.fn()
        const onChange = vi.fn()
        const w = mountAs(
          kind,
          `<el-upload :limit="1" :multiple="multiple" :auto-upload="false" :on-exceed="onExceed" :on-change="onChange" />`,
          () => ({ onExceed, onChange, multiple }),
        )
        await pickFiles(w, [file('a.txt'), file('b.txt')])
        await flushPromises()
        w.unmount()
        return {
          exceed: onExceed.mock.calls.map(([files, list]) => [files.map((f: File) => f.name), list.length]),
          changes: onChange.mock.calls.length,
        }
      })
      expect(seen.el).toEqual({ exceed: [[['a.txt', 'b.txt'], 0]], changes: 0 })
      expect(seen.shuttle).toEqual(seen.el)
    }
  })

  it('auto-upload false: the picked file is listed as ready and on-change fires; nothing is sent until submit()', async () => {
    const seen = await both(async (kind) => {
      const req = customRequest('resolve')
      const changes: [string, string][] = []
      const onChange = (f: { name: string; status: string }) => changes.push([f.name, f.status])
      const w = mountAs(
        kind,
        `<el-upload ref="up" :auto-upload="false" :http-request="req" :on-change="onChange" />`,
        () => ({ req: req.fn, onChange }),
      )
      await pickFiles(w, [file('later.txt')])
      const before = {
        changes: [...changes],
        sent: req.calls.length,
        items: w.findAll('.el-upload-list__item').length,
      }
      ;(w.vm.$refs.up as { submit(): void }).submit()
      await flushPromises()
      await flushPromises()
      w.unmount()
      return { before, after: { sent: req.calls.map((c) => c.name), changes } }
    })
    expect(seen.el).toEqual({
      before: { changes: [['later.txt', 'ready']], sent: 0, items: 1 },
      after: {
        sent: ['later.txt'],
        changes: [
          ['later.txt', 'ready'],
          ['later.txt', 'success'],
        ],
      },
    })
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('before-upload rejecting: on-remove fires and the file leaves the list; nothing is sent', async () => {
    const seen = await both(async (kind) => {
      const req = customRequest('resolve')
      const onRemove = vi.fn()
      const beforeUpload = vi.fn(() => Promise.reject(new Error('too big')))
      const w = mountAs(
        kind,
        `<el-upload :before-upload="beforeUpload" :http-request="req" :on-remove="onRemove" />`,
        () => ({ beforeUpload, req: req.fn, onRemove }),
      )
      await pickFiles(w, [file('big.txt')])
      await flushPromises()
      w.unmount()
      return {
        before: beforeUpload.mock.calls.length,
        removed: onRemove.mock.calls.map(([f]) => f.name),
        sent: req.calls.length,
        items: w.findAll('.el-upload-list__item').length,
      }
    })
    expect(seen.el).toEqual({ before: 1, removed: ['big.txt'], sent: 0, items: 0 })
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('before-upload resolving, then http-request resolving or rejecting: on-success or on-error, with the same request options', async () => {
    const seen = await both(async (kind) => {
      const out: Record<string, unknown> = {}
      for (const outcome of ['resolve', 'reject'] as const) {
        const req = customRequest(outcome)
        const onSuccess = vi.fn()
        const onError = vi.fn()
        const w = mountAs(
          kind,
          `<el-upload action="/api" name="doc" :data="{ a: '1' }" :before-upload="beforeUpload"
             :http-request="req" :on-success="onSuccess" :on-error="onError" />`,
          () => ({ beforeUpload: () => Promise.resolve(), req: req.fn, onSuccess, onError }),
        )
        await pickFiles(w, [file(`${outcome}.txt`)])
        await flushPromises()
        out[outcome] = {
          request: req.calls,
          success: onSuccess.mock.calls.map(([res, f]) => [res, f.name, f.status]),
          error: onError.mock.calls.map(([err, f]) => [err.message, f.name]),
        }
        w.unmount()
      }
      return out
    })
    expect(seen.el).toMatchObject({
      resolve: { success: [[{ done: 'resolve.txt' }, 'resolve.txt', 'success']], error: [] },
      reject: { success: [], error: [['nope', 'reject.txt']] },
    })
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('a custom http-request calling onProgress() with no event still reaches on-progress; only el-upload then throws (documented difference)', async () => {
    const seen = await both(async (kind) => {
      const req = customRequest('progress-bare')
      const onProgress = vi.fn()
      const w = mountAs(kind, `<el-upload :http-request="req" :on-progress="onProgress" />`, () => ({
        req: req.fn,
        onProgress,
      }))
      await pickFiles(w, [file('p.txt')])
      await flushPromises()
      w.unmount()
      return { hooked: onProgress.mock.calls.map(([, f]) => f.name), thrown: req.thrown }
    })
    // el-upload calls on-progress, then reads `evt.percent` of undefined inside the request.
    expect(seen.el).toEqual({ hooked: ['p.txt'], thrown: ['TypeError'] })
    expect(seen.shuttle).toEqual({ hooked: ['p.txt'], thrown: [] })
  })

  it('the file slot renders each entry in place of the default row', async () => {
    const seen = await both(async (kind) => {
      const files = ref([{ name: 'kept.pdf', url: '/kept.pdf' }])
      const w = mountAs(
        kind,
        `<el-upload v-model:file-list="files"><template #file="{ file }"><b class="mine">{{ file.name }}</b></template></el-upload>`,
        () => ({ files }),
      )
      const out = w.findAll('.el-upload-list__item .mine').map((x) => x.text())
      w.unmount()
      return out
    })
    expect(seen.el).toEqual(['kept.pdf'])
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('preview: the name (text) and .el-upload-list__item-preview (picture-card) call on-preview', async () => {
    const seen = await both(async (kind) => {
      const onPreview = vi.fn()
      const listType = ref('text')
      const files = ref([{ name: 'a.png', url: 'data:image/png;base64,AA==' }])
      const w = mountAs(
        kind,
        `<el-upload v-model:file-list="files" :list-type="listType" :on-preview="onPreview" />`,
        () => ({ onPreview, listType, files }),
      )
      await w.find('.el-upload-list__item-name').trigger('click')
      listType.value = 'picture-card'
      await nextTick()
      await w.find('.el-upload-list__item-preview').trigger('click')
      w.unmount()
      return onPreview.mock.calls.map(([f]) => f.name)
    })
    expect(seen.el).toEqual(['a.png', 'a.png'])
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('remove: .el-icon--close, the Delete key on a row, and .el-upload-list__item-delete (picture-card); before-remove can refuse', async () => {
    const seen = await both(async (kind) => {
      const onRemove = vi.fn()
      const allow = ref(true)
      const listType = ref('text')
      const files = ref([
        { name: 'one.txt', url: '/1' },
        { name: 'two.txt', url: '/2' },
        { name: 'three.txt', url: '/3' },
        { name: 'four.txt', url: '/4' },
      ])
      const w = mountAs(
        kind,
        `<el-upload v-model:file-list="files" :list-type="listType" :before-remove="() => allow" :on-remove="onRemove" />`,
        () => ({ onRemove, listType, files, allow }),
      )
      allow.value = false
      await w.find('.el-icon--close').trigger('click')
      await flushPromises()
      const refused = files.value.length
      allow.value = true
      await w.find('.el-icon--close').trigger('click')
      await flushPromises()
      await w.find('.el-upload-list__item').trigger('keydown', { key: 'Delete' })
      await flushPromises()
      listType.value = 'picture-card'
      await nextTick()
      await w.find('.el-upload-list__item-delete').trigger('click')
      await flushPromises()
      w.unmount()
      return {
        refused,
        removed: onRemove.mock.calls.map(([f, list]) => [f.name, list.length]),
        left: files.value.map((f) => f.name),
      }
    })
    expect(seen.el).toEqual({
      refused: 4,
      removed: [
        ['one.txt', 3],
        ['two.txt', 2],
        ['three.txt', 1],
      ],
      left: ['four.txt'],
    })
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('drag: dragover sets is-dragover; a drop of matching files is uploaded', async () => {
    const seen = await both(async (kind) => {
      const req = customRequest('resolve')
      const w = mountAs(
        kind,
        `<el-upload drag multiple accept="video/*" :http-request="req">Drop</el-upload>`,
        () => ({
          req: req.fn,
        }),
      )
      const dragger = w.find('.el-upload-dragger')
      await dragger.trigger('dragover')
      const over = dragger.classes('is-dragover')
      await drop(dragger.element, [file('a.mp4', 'video/mp4'), file('b.mov', 'video/quicktime')])
      await flushPromises()
      w.unmount()
      return { over, sent: req.calls.map((c) => c.name) }
    })
    expect(seen.el).toEqual({ over: true, sent: ['a.mp4', 'b.mov'] })
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('drag with directory: a dropped folder is walked and its files uploaded; without directory only Shuttle walks it (documented difference)', async () => {
    const dropFolder = (directory: boolean) =>
      both(async (kind) => {
        const req = customRequest('resolve')
        const w = mountAs(
          kind,
          `<el-upload drag ${directory ? 'directory' : ''} multiple :http-request="req">Drop</el-upload>`,
          () => ({
            req: req.fn,
          }),
        )
        const inner = file('inside.txt')
        let read = false
        const dir = {
          isFile: false,
          isDirectory: true,
          name: 'folder',
          fullPath: '/folder',
          createReader: () => ({
            readEntries: (ok: (e: unknown[]) => void) => {
              const batch = read
                ? []
                : [
                    {
                      isFile: true,
                      isDirectory: false,
                      name: 'inside.txt',
                      fullPath: '/folder/inside.txt',
                      file: (cb: (f: File) => void) => cb(inner),
                    },
                  ]
              read = true
              ok(batch)
            },
          }),
        }
        await drop(
          w.find('.el-upload-dragger').element,
          [],
          [{ kind: 'file', webkitGetAsEntry: () => dir, getAsFile: () => null }],
        )
        await flushPromises()
        await new Promise((r) => requestAnimationFrame(() => r(null)))
        await flushPromises()
        w.unmount()
        return req.calls.map((c) => c.name)
      })
    const walked = await dropFolder(true)
    expect(walked.el).toEqual(['inside.txt'])
    expect(walked.shuttle).toEqual(walked.el)
    const plain = await dropFolder(false)
    expect(plain).toEqual({ el: [], shuttle: ['inside.txt'] })
  })

  it('accept on drop: Shuttle filters dropped files by default; strict-accept="false" takes them as el-upload does (documented difference)', async () => {
    const run = (extra: string) =>
      both(async (kind) => {
        const req = customRequest('resolve')
        const w = mountAs(
          kind,
          `<el-upload drag multiple accept="image/*" :http-request="req" ${extra}>Drop</el-upload>`,
          () => ({
            req: req.fn,
          }),
        )
        await drop(w.find('.el-upload-dragger').element, [
          file('pic.png', 'image/png'),
          file('notes.pdf', 'application/pdf'),
        ])
        await flushPromises()
        w.unmount()
        return req.calls.map((c) => c.name)
      })
    const loose = await run(':strict-accept="false"')
    expect(loose.el).toEqual(['pic.png', 'notes.pdf'])
    expect(loose.shuttle).toEqual(loose.el)
    const byDefault = await run('')
    expect(byDefault.shuttle).toEqual(['pic.png'])
  })
})
