import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import { both, mountAs, pickFiles } from '../testing/compat.js'

// Markup and integration: el-upload's class names on the same elements, crossorigin, <el-form>
// disabled, and the exposed methods, compared between <el-upload> and <shuttle-upload>.

afterEach(() => {
  document.body.innerHTML = ''
})

/** Every el-upload* / el-icon--* / is-* class present, with how many elements carry it. */
function elClasses(root: Element): Record<string, number> {
  const out: Record<string, number> = {}
  for (const el of root.querySelectorAll('*'))
    for (const c of el.classList)
      if (/^el-upload|^is-(ready|uploading|success|fail|drag|disabled)$/.test(c)) out[c] = (out[c] ?? 0) + 1
  return out
}

const listed = [
  { name: 'done.png', url: 'data:image/png;base64,AA==', status: 'success' as const },
  { name: 'second.png', url: 'data:image/png;base64,AA==', status: 'success' as const },
]

describe('differential markup: el-upload class names, crossorigin, <el-form>, methods', () => {
  for (const listType of ['text', 'picture', 'picture-card'] as const) {
    it(`list-type ${listType}: the el-upload classes users style and select are on both`, async () => {
      const seen = await both(async (kind) => {
        const w = mountAs(
          kind,
          `<el-upload :file-list="files" list-type="${listType}" :drag="${listType === 'text'}">
             <span>trigger</span>
             <template #tip><div class="el-upload__tip">jpg/png under 500kb</div></template>
           </el-upload>`,
          () => ({ files: listed }),
        )
        const classes = elClasses(w.element.parentElement as Element)
        w.unmount()
        return classes
      })
      // el-upload's own classes that Shuttle's markup has no counterpart for are listed here.
      const elOnly = new Set([
        'el-upload-list__item-file-name',
        'el-upload-list__item-status-label',
        'el-upload-list__item-thumbnail',
      ])
      const wanted = Object.keys(seen.el).filter((c) => !elOnly.has(c))
      expect(wanted.length).toBeGreaterThan(5)
      for (const c of wanted) expect({ c, n: seen.shuttle[c] ?? 0 }).toEqual({ c, n: seen.el[c] })
    })
  }

  it('crossorigin reaches thumbnail images', async () => {
    const seen = await both(async (kind) => {
      const w = mountAs(
        kind,
        `<el-upload :file-list="files" list-type="picture" crossorigin="use-credentials" />`,
        () => ({
          files: listed,
        }),
      )
      const out = w.findAll('img').map((i) => i.attributes('crossorigin'))
      w.unmount()
      return out
    })
    expect(seen.el).toEqual(['use-credentials', 'use-credentials'])
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('<el-form disabled> disables the upload (no dialog, no remove control) unless it sets disabled itself', async () => {
    const seen = await both(async (kind) => {
      const out: Record<string, unknown> = {}
      for (const own of ['', ':disabled="false"']) {
        const w = mountAs(
          kind,
          `<el-form disabled><el-form-item label="Files"><el-upload :file-list="files" ${own}>pick</el-upload></el-form-item></el-form>`,
          () => ({ files: listed }),
        )
        const clicks = vi.fn()
        w.find('input').element.addEventListener('click', clicks)
        await w.find('.el-upload').trigger('click')
        out[own || 'inherit'] = {
          disabledClass: w.find('.el-upload').classes('is-disabled'),
          inputDisabled: (w.find('input').element as HTMLInputElement).disabled,
          dialog: clicks.mock.calls.length,
          removable: w.find('.el-icon--close').exists(),
        }
        w.unmount()
      }
      return out
    })
    expect(seen.el).toEqual({
      inherit: { disabledClass: true, inputDisabled: true, dialog: 0, removable: false },
      ':disabled="false"': { disabledClass: false, inputDisabled: false, dialog: 1, removable: true },
    })
    expect(seen.shuttle).toEqual(seen.el)
  })

  it('<el-form size="small"> reaches Shuttle\'s own controls (a class), without importing Element Plus', async () => {
    const w = mountAs('shuttle', `<el-form size="small"><el-upload>pick</el-upload></el-form>`, () => ({}))
    expect(w.find('.shuttle-upload').classes()).toContain('shuttle-upload--size-small')
    w.unmount()
    const own = mountAs(
      'shuttle',
      `<el-form size="small"><el-upload size="large">pick</el-upload></el-form>`,
      () => ({}),
    )
    expect(own.find('.shuttle-upload').classes()).toContain('shuttle-upload--size-large')
    own.unmount()
  })

  it('handleStart, clearFiles, handleRemove and abort through a template ref; clearFiles also stops the cleared requests (documented difference, element-plus #8815)', async () => {
    const seen = await both(async (kind) => {
      const files = ref<{ name: string; status: string }[]>([])
      const onRemove = vi.fn()
      const requests: string[] = []
      const aborted: string[] = []
      const httpRequest = (o: { file: File }) => {
        requests.push(o.file.name)
        // An XHR-like request that never finishes until aborted (el-upload aborts XHRs only).
        const xhr = new XMLHttpRequest()
        xhr.abort = () => aborted.push(o.file.name)
        return xhr
      }
      const w = mountAs(
        kind,
        `<el-upload ref="up" v-model:file-list="files" :http-request="httpRequest" :on-remove="onRemove" multiple />`,
        () => ({ files, onRemove, httpRequest }),
      )
      const up = w.vm.$refs.up as {
        handleStart(f: File): void
        clearFiles(s?: string[]): void
        handleRemove(f: File): Promise<void>
        abort(f?: File): void
      }
      const manual = new File(['m'], 'manual.txt')
      up.handleStart(manual)
      await flushPromises()
      const afterStart = files.value.map((f) => [f.name, f.status])
      await pickFiles(w, [new File(['a'], 'a.txt'), new File(['b'], 'b.txt')])
      // Requests started, no progress event yet: el-upload still says ready, Shuttle says uploading.
      const whileSending = files.value.filter((f) => f.name !== 'manual.txt').map((f) => f.status)
      const picked = files.value.find((f) => f.name === 'a.txt') as unknown as { raw: File }
      up.abort(picked.raw)
      await up.handleRemove(manual)
      await flushPromises()
      const afterRemove = files.value.map((f) => f.name)
      const abortedBeforeClear = [...aborted]
      up.clearFiles()
      await flushPromises()
      w.unmount()
      return {
        afterStart,
        requests,
        aborted: abortedBeforeClear,
        abortedByClear: aborted.slice(abortedBeforeClear.length),
        whileSending,
        removed: onRemove.mock.calls.map(([f]) => f.name),
        afterRemove,
        afterClear: files.value.map((f) => f.name),
      }
    })
    expect(seen.el).toEqual({
      afterStart: [['manual.txt', 'ready']],
      requests: ['a.txt', 'b.txt'],
      aborted: ['a.txt'],
      abortedByClear: [],
      whileSending: ['ready', 'ready'],
      removed: ['manual.txt'],
      afterRemove: ['a.txt', 'b.txt'],
      afterClear: [],
    })
    // el-upload leaves b.txt's request running after clearFiles(); Shuttle stops it.
    // Documented differences: the status of a file whose request started, and clearFiles().
    expect(seen.shuttle).toEqual({
      ...seen.el,
      abortedByClear: ['b.txt'],
      whileSending: ['uploading', 'uploading'],
    })
  })
})
