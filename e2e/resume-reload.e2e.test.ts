import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM } from './helpers/browser.js'
import { MiB, makeFile, sha256 } from './helpers/files.js'
import { row, until, waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, ROOT, type RunningServer, startServer } from './helpers/server.js'

// Resume across a reload and across a browser restart (the same profile closed and opened again)
// without picking files again, in the demo as `npm start` serves it (with its upload tokens):
// - "handle" files come from the File System Access picker. Playwright cannot answer Chromium's
//   native showOpenFilePicker dialog, so the page's picker is replaced by one returning REAL
//   FileSystemFileHandles of files the test wrote into the origin's private file system; the
//   component, the keeper (handles in IndexedDB) and the engine run unchanged on them.
// - "copy" files (1 MiB, under the demo's ?keep= limit) are copied into OPFS by the keeper.
// - "ghost" files (2 MiB, over the limit, picked with <input>) come back as rows one pick matches.
// The proxy slows PATCH bodies so each reload lands mid-upload; conditions, not sleeps.

const CHUNK = 256 * 1024
const RATE = 128 * 1024 // per request: one chunk takes 2 s
const KEEP = 1.5 * MiB
const COPY = 1 * MiB
const BIG = 2 * MiB

let tmp: string
let uploads: string
let server: RunningServer
let proxy: ThrottleProxy
const SHOTS = join(ROOT, 'docs/screenshots')

const pathOf = (url: string) => new URL(url).pathname
const createdFor = (name: string) => proxy.created.filter((c) => c.filename === name)
/** Body bytes the server received for a file's upload (creation POST + PATCHes). */
const receivedFor = (name: string) => {
  const [c] = createdFor(name)
  if (!c) return 0
  const p = pathOf(c.url)
  return (proxy.postBytes.get(p) ?? 0) + (proxy.patchBytes.get(p) ?? 0)
}
const headsFor = (name: string) => {
  const [c] = createdFor(name)
  return c ? proxy.requests.filter((q) => q.method === 'HEAD' && q.path === pathOf(c.url)) : []
}

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-resume-'))
  uploads = join(tmp, 'uploads')
  server = await startServer(uploads, ['--demo-tokens'])
  proxy = await startProxy(server.origin, RATE)
})

afterAll(async () => {
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

/** Chromium on a profile directory that outlives the context (a browser restart = close + open). */
async function openProfile(
  dir: string,
  permissionsLost = false,
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic', '--disable-sync'],
  })
  await ctx.addInitScript(() => {
    const w = window as unknown as { pickerCalls: number; pickNames?: string[]; permissionRequests: number }
    w.pickerCalls = 0
    w.permissionRequests = 0
    // The picker's stand-in: real handles of files in OPFS, as the native dialog would return.
    Object.defineProperty(window, 'showOpenFilePicker', {
      configurable: true,
      value: async () => {
        w.pickerCalls++
        const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('e2e-picked')
        return Promise.all((w.pickNames ?? []).map((n) => dir.getFileHandle(n)))
      },
    })
  })
  if (permissionsLost) {
    // After a restart Chromium asks again for handles of the user's disk ('prompt'); OPFS handles
    // are always 'granted', so that state is set here. requestPermission itself is the real one,
    // called only when the click's user activation is still active (else it throws, as Chromium does).
    await ctx.addInitScript(() => {
      const w = window as unknown as { permissionRequests: number }
      type Handle = FileSystemHandle & {
        queryPermission(d: unknown): Promise<PermissionState>
        requestPermission(d: unknown): Promise<PermissionState>
      }
      const proto = FileSystemHandle.prototype as Handle
      const query = proto.queryPermission
      const request = proto.requestPermission
      const allowed = new Set<string>()
      proto.queryPermission = async function (this: Handle, d) {
        return allowed.has(this.name) ? query.call(this, d) : 'prompt'
      }
      proto.requestPermission = async function (this: Handle, d) {
        w.permissionRequests++
        if (!navigator.userActivation.isActive)
          throw new DOMException('requestPermission needs a user gesture', 'SecurityError')
        allowed.add(this.name)
        return request.call(this, d)
      }
    })
  }
  const page = ctx.pages()[0] ?? (await ctx.newPage())
  return { ctx, page }
}

const demoUrl = () => `${proxy.origin}/?chunk=${CHUNK}&concurrency=6&keep=${KEEP}`

/** Writes files into OPFS in the page, then picks them through the (stand-in) handle picker. */
async function pickHandles(page: Page, files: Array<{ name: string; size: number }>) {
  const shas = await page.evaluate(async (files) => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('e2e-picked', {
      create: true,
    })
    const out: Record<string, string> = {}
    for (const f of files) {
      const bytes = new Uint8Array(f.size)
      for (let i = 0; i < f.size; i += 65536)
        crypto.getRandomValues(bytes.subarray(i, Math.min(f.size, i + 65536)))
      const w = await (await dir.getFileHandle(f.name, { create: true })).createWritable()
      await w.write(bytes)
      await w.close()
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
      out[f.name] = Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('')
    }
    ;(window as unknown as { pickNames: string[] }).pickNames = files.map((f) => f.name)
    return out
  }, files)
  await page.locator('.shuttle-upload__trigger').click()
  return shas
}

/** What the page's file keeper holds, by how (read from its IndexedDB). */
const kept = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const req = indexedDB.open('shuttle-files')
        req.onsuccess = () => {
          const db = req.result
          if (!db.objectStoreNames.contains('files')) return resolve([])
          const all = db.transaction('files').objectStore('files').getAll()
          all.onsuccess = () =>
            resolve(
              (all.result as Array<{ name: string; how: string }>).map((e) => `${e.name}:${e.how}`).sort(),
            )
        }
        req.onerror = () => resolve([])
      }),
  )

/** Starts six uploads (two of each path) and waits until each is mid-upload with all six kept. */
async function startSix(page: Page, tag: string) {
  const names = {
    handles: [`h1-${tag}.bin`, `h2-${tag}.bin`],
    copies: [`c1-${tag}.bin`, `c2-${tag}.bin`],
    ghosts: [`g1-${tag}.bin`, `g2-${tag}.bin`],
  }
  const shas = new Map<string, string>()
  const sizes = new Map<string, number>()
  const handleShas = await pickHandles(
    page,
    names.handles.map((name) => ({ name, size: BIG })),
  )
  for (const n of names.handles) {
    shas.set(n, handleShas[n] as string)
    sizes.set(n, BIG)
  }
  const disk = [
    ...(await Promise.all(names.copies.map((n) => makeFile(tmp, n, COPY)))),
    ...(await Promise.all(names.ghosts.map((n) => makeFile(tmp, n, BIG)))),
  ]
  const all = [...names.copies, ...names.ghosts]
  disk.forEach((f, i) => {
    shas.set(all[i] as string, f.sha)
    sizes.set(all[i] as string, f.size)
  })
  await page.locator('input[type="file"]').setInputFiles(disk.map((f) => f.path))
  const every = [...names.handles, ...all]
  await until('every file mid-upload (a PATCH chunk past the creation POST)', () =>
    every.every((n) => receivedFor(n) >= 2 * CHUNK),
  )
  await until('the keeper holds all six files', async () => (await kept(page)).length === 6)
  expect(await kept(page)).toEqual(
    [
      ...names.handles.map((n) => `${n}:handle`),
      ...names.copies.map((n) => `${n}:copy`),
      ...names.ghosts.map((n) => `${n}:ghost`),
    ].sort(),
  )
  for (const n of every) expect(receivedFor(n), n).toBeLessThan(sizes.get(n) as number)
  return { names, shas, sizes, disk, every }
}

/** Every file complete, byte-identical on the server's disk, one upload each, at most one chunk twice. */
async function expectAllIntact(page: Page, shas: Map<string, string>, sizes: Map<string, number>) {
  for (const name of shas.keys()) await waitForPhase(page, name, 'completed', 120_000)
  for (const [name, sha] of shas) {
    const created = createdFor(name)
    expect(created, `${name}: one upload, resumed (never created again)`).toHaveLength(1)
    const id = pathOf((created[0] as { url: string }).url)
      .split('/')
      .pop() as string
    const stored = await readFile(join(uploads, id))
    expect(sha256(stored), name).toBe(sha)
    const size = sizes.get(name) as number
    expect(receivedFor(name), `${name}: bytes the server received`).toBeGreaterThanOrEqual(size)
    expect(receivedFor(name), `${name}: at most one chunk re-sent`).toBeLessThanOrEqual(size + CHUNK)
    console.info(
      `resume: ${name} received ${receivedFor(name)} of ${size} bytes (+${receivedFor(name) - size})`,
    )
  }
}

describe('resume without picking again (Chromium, the demo)', () => {
  // OPFS handles keep their permission across a reload; handles of the user's disk files do not
  // (Chromium answers 'prompt', see the native-drop test below).
  it('reload mid-upload: handles and copies continue by themselves, two ghosts match one pick', async () => {
    const { ctx, page } = await openProfile(join(tmp, 'profile-reload'))
    try {
      await page.goto(demoUrl())
      await page.locator('.shuttle-upload').waitFor()
      const { names, shas, sizes, disk } = await startSix(page, 'r')
      const headsBefore = new Map([...shas.keys()].map((n) => [n, headsFor(n).length]))
      const choosers: unknown[] = []
      page.on('filechooser', (c) => choosers.push(c))

      await page.reload()
      // Ghost rows come back with the server's offset; nothing else asks the user for anything.
      const ghostRows = page.locator('.shuttle-upload__restored-row[data-restored="ghost"]')
      await until('two ghost rows', async () => (await ghostRows.count()) === 2)
      expect(await page.locator('.shuttle-upload__restored-row[data-restored="access"]').count()).toBe(0)
      for (const n of names.ghosts)
        await expect
          .poll(() => ghostRows.filter({ hasText: n }).textContent())
          .toMatch(/(\d+ KiB|1\.\d MiB) of 2\.0 MiB on the server/)
      for (const n of [...names.handles, ...names.copies]) await row(page, n).waitFor()
      // One HEAD per upload on mount (with the demo's token), none answered 401 for lack of one.
      for (const n of shas.keys())
        expect(headsFor(n).length - (headsBefore.get(n) ?? 0), n).toBeLessThanOrEqual(1)
      const heads = proxy.requests.filter((q) => q.method === 'HEAD')
      expect(heads.every((q) => q.token !== undefined && q.status === 200)).toBe(true)

      // ONE pick of both ghosts (<input>, as Firefox and Safari users pick).
      await page
        .locator('input[type="file"]')
        .setInputFiles(disk.filter((f) => names.ghosts.some((n) => f.path.endsWith(n))).map((f) => f.path))
      await ghostRows.first().waitFor({ state: 'detached' })
      await expectAllIntact(page, shas, sizes)
      expect(choosers).toHaveLength(0)
      expect(await page.evaluate(() => (window as unknown as { pickerCalls: number }).pickerCalls)).toBe(0)
      // Finished: the keeper let go of everything (OPFS copies deleted).
      await until('the keeper is empty', async () => (await kept(page)).length === 0)
    } finally {
      await ctx.close()
    }
  })

  it('browser restart (same profile): one permission click per handle file, copies continue, one pick for the ghosts', async () => {
    const profile = join(tmp, 'profile-restart')
    const first = await openProfile(profile)
    let state: Awaited<ReturnType<typeof startSix>>
    try {
      await first.page.goto(demoUrl())
      await first.page.locator('.shuttle-upload').waitFor()
      state = await startSix(first.page, 's')
    } finally {
      await first.ctx.close()
    }
    const { names, shas, sizes, disk } = state
    const { ctx, page } = await openProfile(profile, true)
    try {
      const choosers: unknown[] = []
      page.on('filechooser', (c) => choosers.push(c))
      await page.goto(demoUrl())
      const access = page.locator('.shuttle-upload__restored-row[data-restored="access"]')
      const ghosts = page.locator('.shuttle-upload__restored-row[data-restored="ghost"]')
      await until(
        'two access rows and two ghost rows',
        async () => (await access.count()) === 2 && (await ghosts.count()) === 2,
      )
      // Copies continue with no action at all.
      for (const n of names.copies) await row(page, n).waitFor()
      for (const n of names.handles) expect(await row(page, n).count()).toBe(0)

      await mkdir(SHOTS, { recursive: true })
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 900 })
          await page.screenshot({ path: join(SHOTS, `demo-restored-${scheme}-${width}.png`), fullPage: true })
        }
      }
      await page.emulateMedia({ colorScheme: 'light' })
      await page.setViewportSize({ width: 1280, height: 900 })

      // One click per handle file: the permission request runs inside the click's activation.
      for (const n of names.handles) {
        await access.filter({ hasText: n }).getByRole('button', { name: 'Resume (allow access)' }).click()
        await row(page, n).waitFor()
      }
      expect(
        await page.evaluate(() => (window as unknown as { permissionRequests: number }).permissionRequests),
      ).toBe(2)
      expect(await access.count()).toBe(0)
      await page
        .locator('input[type="file"]')
        .setInputFiles(disk.filter((f) => names.ghosts.some((n) => f.path.endsWith(n))).map((f) => f.path))
      await ghosts.first().waitFor({ state: 'detached' })
      await expectAllIntact(page, shas, sizes)
      // No file chooser and no picker for the handle files: their handles came back from IndexedDB.
      expect(choosers).toHaveLength(0)
      expect(await page.evaluate(() => (window as unknown as { pickerCalls: number }).pickerCalls)).toBe(0)
    } finally {
      await ctx.close()
    }
  })

  // Nothing stands in here: a native drop of files from the disk (CDP's drag events carry real
  // paths, so getAsFileSystemHandle returns real handles), Chromium's own permission state after
  // the reload, and the dragged file dropped again. What headless Chromium cannot do is answer
  // its permission bubble (requestPermission waits for it; CDP's Browser.setPermission has no
  // file-system descriptor), so the one-click path is the stand-in test above.
  it('a native drop from disk keeps real handles; after a reload Chromium asks again, and dropping the files again resumes them', async () => {
    const { ctx, page } = await openProfile(join(tmp, 'profile-drop'))
    try {
      await page.goto(demoUrl())
      await page.locator('.shuttle-upload').waitFor()
      const files = await Promise.all(['d1.bin', 'd2.bin'].map((n) => makeFile(tmp, n, BIG)))
      const cdp = await ctx.newCDPSession(page)
      const drop = async () => {
        const box = await page.locator('.shuttle-dragger').boundingBox()
        if (!box) throw new Error('no drop zone')
        const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 }
        const data = { items: [], files: files.map((f) => f.path), dragOperationsMask: 1 }
        for (const type of ['dragEnter', 'dragOver', 'drop'] as const)
          await cdp.send('Input.dispatchDragEvent', { type, ...at, data })
      }
      await drop()
      await until('both dropped files mid-upload', () =>
        files.every((f) => receivedFor(f.path.split('/').pop() as string) >= 2 * CHUNK),
      )
      await until('the keeper holds both handles', async () => (await kept(page)).length === 2)
      expect(await kept(page)).toEqual(['d1.bin:handle', 'd2.bin:handle'])

      await page.reload()
      // Chromium's own answer after a reload: read permission must be asked again.
      const access = page.locator('.shuttle-upload__restored-row[data-restored="access"]')
      await until('two access rows', async () => (await access.count()) === 2)
      for (const f of files)
        await expect
          .poll(() => access.filter({ hasText: f.path.split('/').pop() as string }).textContent())
          .toMatch(/(\d+ KiB|1\.\d MiB) of 2\.0 MiB on the server/)

      await drop()
      await access.first().waitFor({ state: 'detached' })
      const shas = new Map(files.map((f) => [f.path.split('/').pop() as string, f.sha]))
      const sizes = new Map(files.map((f) => [f.path.split('/').pop() as string, f.size]))
      await expectAllIntact(page, shas, sizes)
    } finally {
      await ctx.close()
    }
  })
})
