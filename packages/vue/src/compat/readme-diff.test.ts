import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type FormServer,
  KINDS,
  type Kind,
  mountAs,
  pickFiles,
  startFormServer,
  swapTag,
  until,
} from '../testing/compat.js'

// The README's migration diff is a claim: its `-` side is an el-upload template, its `+` side the
// same with the tag changed, and both behave alike. Read from the README, run on both components.

// Tests run from the repository root.
const README = join(process.cwd(), 'packages/vue/README.md')

/** The first ```diff block after the migration heading, split into its old and new templates. */
function migrationDiff(): { before: string; after: string } {
  const text = readFileSync(README, 'utf8')
  const from = text.indexOf('## Migrating from el-upload')
  const block = /```diff\n([\s\S]*?)```/.exec(text.slice(from))?.[1]
  if (from < 0 || !block) throw new Error('README has no migration diff')
  const side = (sign: '-' | '+') =>
    block
      .split('\n')
      .filter((l) => l.startsWith(sign) || l.startsWith(' '))
      .map((l) => l.slice(1))
      .join('\n')
  return { before: side('-'), after: side('+') }
}

let server: FormServer
beforeAll(async () => {
  server = await startFormServer()
})
afterAll(() => server.close())

describe('the README migration diff', () => {
  it('changes only the tag', () => {
    const { before, after } = migrationDiff()
    expect(before).toContain('<el-upload')
    expect(after.replace(/\s+/g, ' ')).toBe(swapTag(before).replace(/\s+/g, ' '))
  })

  it('runs the same on el-upload and shuttle-upload: request, before-upload, on-success, limit and on-exceed', async () => {
    const { before, after } = migrationDiff()
    const seen: Record<Kind, unknown> = { el: undefined, shuttle: undefined }
    for (const kind of KINDS) {
      server.requests.length = 0
      const template = (kind === 'el' ? before : after).replace('action="/api/upload"', ':action="action"')
      const done = vi.fn()
      const onExceed = vi.fn()
      const checked: string[] = []
      // mountAs('el') compiles the template as written: the README's own tag picks the component.
      const w = mountAs('el', `<div>${template}</div>`, () => ({
        action: `${server.url}/api/upload`,
        h: { authorization: 'Bearer t' },
        d: { album: 'holiday' },
        onExceed,
        check: (f: File) => {
          checked.push(f.name)
          return f.type.startsWith('image/')
        },
        done,
      }))
      expect(
        w.find(kind === 'el' ? '.el-upload:not(.shuttle-upload__trigger)' : '.shuttle-upload').exists(),
      ).toBe(true)
      await pickFiles(w, [new File(['png bytes'], 'a.png', { type: 'image/png' })])
      await pickFiles(w, [new File(['text'], 'b.txt', { type: 'text/plain' })])
      await until(() => done.mock.calls.length === 1, 'on-success')
      // 1 listed + 3 picked > limit 3: on-exceed, nothing added (counted before `multiple` trims).
      const three = ['c', 'd', 'e'].map((n) => new File([n], `${n}.png`, { type: 'image/png' }))
      await pickFiles(w, three)
      seen[kind] = {
        checked,
        requests: server.requests.map((r) => ({
          method: r.method,
          auth: r.headers.authorization,
          parts: r.parts.map((p) => [p.name, p.filename ?? p.text]),
        })),
        success: done.mock.calls.map(([res, f]) => [res, f.name]),
        exceed: onExceed.mock.calls.map(([files, list]) => [files.length, list.length]),
        cards: w.findAll('.el-upload-list--picture-card .el-upload-list__item').length,
      }
      w.unmount()
    }
    expect(seen.el).toEqual({
      checked: ['a.png', 'b.txt'],
      requests: [
        {
          method: 'POST',
          auth: 'Bearer t',
          parts: [
            ['album', 'holiday'],
            ['file', 'a.png'],
          ],
        },
      ],
      success: [[{ ok: true, n: 1 }, 'a.png']],
      exceed: [[3, 1]],
      cards: 1,
    })
    expect(seen.shuttle).toEqual(seen.el)
  })
})
