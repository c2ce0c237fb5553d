import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { filesFromDataTransfer } from '../folder.js'
import { drop, makeFile } from '../testing/helpers.js'
import ShuttleDragger from './shuttle-dragger.vue'
import ShuttleFileList from './shuttle-file-list.vue'

describe('<ShuttleDragger> alone', () => {
  it('emits accepted files and rejects the rest', async () => {
    const w = mount(ShuttleDragger, { props: { accept: '.png' }, slots: { default: 'drop here' } })
    await w.trigger('dragover')
    expect(w.classes()).toContain('is-dragover')
    await drop(w.element, [makeFile('a.png', 3, 'image/png'), makeFile('b.txt')])
    expect(w.classes()).not.toContain('is-dragover')
    expect((w.emitted('file')![0]![0] as File[]).map((f) => f.name)).toEqual(['a.png'])
    expect((w.emitted('reject')![0]![0] as File[]).map((f) => f.name)).toEqual(['b.txt'])
  })

  it('walks dropped folders (webkitGetAsEntry), keeping relative paths', async () => {
    const file = (f: File) => ({
      isFile: true,
      isDirectory: false,
      name: f.name,
      file: (ok: (x: File) => void) => ok(f),
    })
    const dir = (name: string, children: unknown[]) => ({
      isFile: false,
      isDirectory: true,
      name,
      // Like Chromium: each reader hands out its entries once, then an empty batch.
      createReader: () => {
        let done = false
        return {
          readEntries: (ok: (e: unknown[]) => void) => {
            ok(done ? [] : children)
            done = true
          },
        }
      },
    })
    const tree = dir('photos', [file(makeFile('a.png')), dir('sub', [file(makeFile('b.png'))])])
    const files = await filesFromDataTransfer({
      files: [],
      items: [{ kind: 'file', webkitGetAsEntry: () => tree, getAsFile: () => null }],
    } as unknown as DataTransfer)
    expect(files.map((f) => (f as File & { relativePath?: string }).relativePath)).toEqual([
      'photos/a.png',
      'photos/sub/b.png',
    ])
    const w = mount(ShuttleDragger)
    await drop(w.element, [], [{ kind: 'file', webkitGetAsEntry: () => tree, getAsFile: () => null }])
    expect((w.emitted('file')![0]![0] as File[]).length).toBe(2)
  })

  it('walks folders through getAsFileSystemHandle when entries are unavailable', async () => {
    const handle = {
      kind: 'directory',
      name: 'd',
      async *values() {
        yield { kind: 'file', name: 'x.txt', getFile: async () => makeFile('x.txt') }
      },
    }
    const files = await filesFromDataTransfer({
      files: [],
      items: [{ kind: 'file', getAsFileSystemHandle: async () => handle, getAsFile: () => null }],
    } as unknown as DataTransfer)
    expect(files.map((f) => f.name)).toEqual(['x.txt'])
  })

  it('without entries asks only typeless items for a handle (a folder has no type); typed files stay', async () => {
    const dirHandle = {
      kind: 'directory',
      name: 'd',
      async *values() {
        yield { kind: 'file', name: 'x.txt', getFile: async () => makeFile('x.txt') }
      },
    }
    let asked = 0
    const typed = Array.from({ length: 3 }, (_, n) => ({
      kind: 'file',
      getAsFile: () => new File(['1'], `t${n}.png`, { type: 'image/png' }),
      getAsFileSystemHandle: async () => {
        asked++
        return null
      },
    }))
    const folder = {
      kind: 'file',
      getAsFile: () => new File([], 'd'),
      getAsFileSystemHandle: async () => {
        asked++
        return dirHandle
      },
    }
    const files = await filesFromDataTransfer({
      files: [],
      items: [typed[0], folder, ...typed.slice(1)],
    } as unknown as DataTransfer)
    expect(files.map((f) => f.name)).toEqual(['t0.png', 'x.txt', 't1.png', 't2.png'])
    expect(asked).toBe(1)
  })

  it('disabled ignores drops', async () => {
    const w = mount(ShuttleDragger, { props: { disabled: true } })
    await drop(w.element, [makeFile('a.txt')])
    expect(w.emitted('file')).toBeUndefined()
  })
})

describe('<ShuttleFileList> alone', () => {
  const files = [
    {
      uid: 1,
      id: 'e1',
      name: 'up.bin',
      size: 2048,
      status: 'uploading',
      phase: 'uploading',
      percentage: 30,
      speed: 1024,
      eta: 65,
    },
    { uid: 2, id: 'e2', name: 'pa.bin', size: 10, status: 'uploading', phase: 'paused', percentage: 50 },
    { uid: 3, name: 'ok.bin', size: 10, status: 'success', phase: 'completed', percentage: 100 },
  ] as const

  it('shows a file being hashed as "Hashing 42 %", its bar at the hashing share', () => {
    const hashing = {
      uid: 9,
      id: 'e9',
      name: 'big.iso',
      size: 100,
      status: 'uploading',
      phase: 'preparing',
      percentage: 0,
      hashing: { bytes: 42, total: 100 },
    } as const
    const w = mount(ShuttleFileList, { props: { files: [{ ...hashing }] } })
    const row = w.find('li')
    expect(row.find('.shuttle-file-list__status').text()).toBe('Hashing 42 %')
    expect(row.attributes('aria-label')).toBe('big.iso, Hashing 42 %')
    expect(row.find('[role="progressbar"]').attributes('aria-valuenow')).toBe('42')
    expect(row.find('.is-pause').exists()).toBe(true)
    const done = mount(ShuttleFileList, { props: { files: [{ ...hashing, hashing: undefined }] } })
    expect(done.find('.shuttle-file-list__status').text()).toBe('Preparing')
  })

  it('shows progress, speed and ETA, status, and the controls each state allows', () => {
    const w = mount(ShuttleFileList, { props: { files: files.map((f) => ({ ...f })) } })
    const rows = w.findAll('li')
    expect(rows[0]!.find('[role="progressbar"]').attributes('aria-valuenow')).toBe('30')
    expect(rows[0]!.text()).toContain('1.0 KiB/s · 1:05 left')
    expect(rows[0]!.find('.is-pause').exists()).toBe(true)
    expect(rows[1]!.find('.is-resume').exists()).toBe(true)
    expect(rows[2]!.find('.is-pause').exists()).toBe(false)
    expect(rows[2]!.text()).toContain('Done')
    const noControls = mount(ShuttleFileList, {
      props: { files: files.map((f) => ({ ...f })), controls: false },
    })
    expect(noControls.find('.is-pause').exists()).toBe(false)
  })

  it('emits pause / resume / remove / preview with the file', async () => {
    const w = mount(ShuttleFileList, { props: { files: files.map((f) => ({ ...f })) } })
    await w.find('.is-pause').trigger('click')
    await w.find('.is-resume').trigger('click')
    await w.findAll('.is-remove')[2]!.trigger('click')
    await w.findAll('.shuttle-file-list__name')[0]!.trigger('click')
    expect((w.emitted('pause')![0]![0] as { uid: number }).uid).toBe(1)
    expect((w.emitted('resume')![0]![0] as { uid: number }).uid).toBe(2)
    expect((w.emitted('remove')![0]![0] as { uid: number }).uid).toBe(3)
    expect((w.emitted('preview')![0]![0] as { uid: number }).uid).toBe(1)
  })

  it('picture-card draws circular progress', () => {
    const w = mount(ShuttleFileList, { props: { files: [{ ...files[0] }], listType: 'picture-card' } })
    expect(w.find('.shuttle-progress--circle').exists()).toBe(true)
  })
})

describe('keyboard reach', () => {
  it('every control in a row is a labelled native button, reachable by Tab', () => {
    const w = mount(ShuttleFileList, {
      props: {
        files: [
          { uid: 1, id: 'a', name: 'a.bin', status: 'uploading', phase: 'uploading', percentage: 10 },
          { uid: 2, id: 'b', name: 'b.bin', status: 'fail', phase: 'failed', percentage: 10 },
        ],
        listType: 'picture-card',
      },
    })
    const controls = w.findAll('button')
    expect(controls.length).toBeGreaterThan(5)
    for (const c of controls) {
      expect(c.element.tagName).toBe('BUTTON')
      expect(c.attributes('tabindex')).toBeUndefined()
      expect(c.attributes('aria-label')).toMatch(/ (a|b)\.bin$/)
    }
  })
})
