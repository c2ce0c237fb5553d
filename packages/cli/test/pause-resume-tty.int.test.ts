import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MiB, removeDir, waitUntil, writeRandomFile } from '../../core/test/helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from '../../core/test/helpers/recording-proxy.js'
import { startServer, storedSha256, type TestServer } from '../../core/test/helpers/servers.js'
import { assertBuilt } from './helpers.js'
import { startTmuxShell, type TmuxShell } from './tmux.js'

// A person at a terminal: run `shuttle upload`, press Ctrl-C at about half while a file's creation
// POST is on the wire, then run the command the CLI printed, exactly as printed. Checked: every
// file arrives byte-identical, the server holds one upload per file (the one created a moment
// before Ctrl-C included), no line loses a character, and the total never goes back.

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const FILES = [
  ['a-rather-long-video-name-from-the-camera-2026-06-01.mp4', 40 * MiB],
  ['b-会议记录-第三季度-视频.mp4', 16 * MiB],
  ['c-poster.jpg', 24 * MiB],
] as const
const THIRD = FILES[2][0]
// Bytes per second through the proxy, per request: slow enough to press Ctrl-C mid-POST. The
// third file starts when the second ends, at about half of the 80 MiB (the client counts a few MiB
// more: what sits in socket buffers).
const RATE = 4 * MiB

let server: TestServer
let proxy: RecordingProxy
const shells: TmuxShell[] = []
const dirs: string[] = []

beforeAll(async () => {
  assertBuilt()
  if (!existsSync('/usr/bin/tmux')) throw new Error('tmux is needed: apt-get install tmux')
  server = await startServer('shuttle')
  proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: RATE })
})
afterAll(async () => {
  for (const s of shells) await s.close()
  await proxy?.close()
  await server?.close()
  for (const d of dirs) await removeDir(d)
})

const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '')

describe.each([
  { columns: 80, launcher: 'shuttle' },
  { columns: 110, launcher: 'npx shuttle' },
])('shuttle upload on a $columns-column terminal ($launcher)', ({ columns, launcher }) => {
  it('Ctrl-C at ~50 % mid-creation, then the printed command: every file once, byte-identical', async () => {
    // Inside the repository, so `npx shuttle` finds the workspace's bin without the network.
    await mkdir(path.join(repo, '.tmp'), { recursive: true })
    const work = await mkdtemp(path.join(repo, '.tmp', `tty-${columns}-`))
    dirs.push(work)
    await mkdir(path.join(work, 'media'))
    const hashes: string[] = []
    for (const [name, size] of FILES)
      hashes.push((await writeRandomFile(path.join(work, 'media'), name, size)).sha256)
    const uploadsBefore = new Set((await server.storedUploads()).map((u) => u.id))
    const postsBefore = proxy.log.filter((e) => e.method === 'POST').length
    proxy.setRate(RATE)

    const shell = await startTmuxShell({
      columns,
      rows: 30,
      cwd: work,
      rawLog: path.join(work, 'terminal.raw'),
      env: {
        TERM: 'xterm-256color',
        LANG: 'C.UTF-8',
        PATH: [path.dirname(process.execPath), path.join(repo, 'node_modules/.bin'), process.env.PATH].join(
          ':',
        ),
      },
    })
    shells.push(shell)
    // --no-verify: verified, a file over 4 MiB goes in one checksummed PATCH (its sha256 in a
    // trailer) and its creation POST carries no body; this test pauses mid-way through such a body.
    const command = `${launcher} upload media --endpoint ${proxy.endpoint} -p 2 --state-dir state --no-verify`
    const firstRun = shell.run(command, 90_000)

    // Ctrl-C once the third file's creation POST (4 MiB of body) has carried 1 MiB.
    await waitUntil(
      () =>
        proxy.log.some(
          (e) => e.method === 'POST' && e.filename === THIRD && e.end === null && e.bytes >= MiB,
        ),
      60_000,
      `the creation POST of ${THIRD} to be on the wire`,
    )
    const beforeCtrlC = await shell.screen()
    await shell.interrupt()
    const inFlight = proxy.log.find((e) => e.method === 'POST' && e.filename === THIRD)!
    expect(await firstRun).toBe(130)
    // The creation was let finish: the server's answer (and so the URL) reached the client.
    expect(inFlight).toMatchObject({ aborted: false, status: 201, bytes: 4 * MiB })

    const afterPause = await shell.joined()
    const hint = afterPause.findIndex((l) => l.startsWith('Run the same command again to resume:'))
    expect(hint).toBeGreaterThan(0)
    const printed = afterPause[hint + 1]!.trim()
    expect(printed).toBe(command)

    proxy.setRate(4 * RATE)
    expect(await shell.run(printed, 90_000)).toBe(0)

    // One upload and one creation per file, each holding exactly the file's bytes.
    const stored = (await server.storedUploads()).filter((u) => !uploadsBefore.has(u.id))
    expect(stored).toHaveLength(FILES.length)
    expect(proxy.log.filter((e) => e.method === 'POST').length - postsBefore).toBe(FILES.length)
    const storedHashes = await Promise.all(stored.map((u) => storedSha256('shuttle', server.dir, u.id)))
    expect(storedHashes.sort()).toEqual([...hashes].sort())

    // Every URL printed is whole: it names a complete upload on the server.
    const lines = await shell.joined()
    const urls = lines.flatMap((l) => [...l.matchAll(/→ (http\S+)/g)].map((m) => m[1]!))
    expect(urls.length).toBeGreaterThanOrEqual(FILES.length)
    for (const url of urls) {
      const res = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
      expect(res.status, url).toBe(200)
      expect(res.headers.get('upload-offset'), url).toBe(res.headers.get('upload-length'))
    }
    // No row is wider than the terminal (tmux would have wrapped it), and each file is named,
    // shortened in the middle when the terminal is narrow.
    const rows = await shell.screen()
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(columns)
    // Whole when it fits, else cut in the middle with an ellipsis.
    const longName = /^✔ a-rather-(long-video-name-from-the-camera-2026-06-01|\S*…\S*)\.mp4 → http/
    expect(lines.some((l) => longName.test(l))).toBe(true)

    // The total never goes back within a run, and Ctrl-C came at about half of it.
    const raw = strip(await shell.raw())
    const [first = '', second = ''] = raw.split('Run the same command again')
    const totals = (s: string) => [...s.matchAll(/ total\s+[█░]+\s+(\d+)%/g)].map((m) => Number(m[1]))
    for (const run of [first, second]) {
      const t = totals(run)
      expect(t.length).toBeGreaterThan(1)
      for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThanOrEqual(t[i - 1]!)
    }
    const atCtrlC = totals(first).at(-1)!
    expect(atCtrlC).toBeGreaterThanOrEqual(35)
    expect(atCtrlC).toBeLessThanOrEqual(75)
    // "Pausing…" starts on a clean row: the bars were erased first.
    expect(lines.some((l) => l.startsWith('Pausing… (Ctrl-C again to exit at once)'))).toBe(true)

    if (process.env.SHUTTLE_TTY_CAPTURES) {
      await mkdir(process.env.SHUTTLE_TTY_CAPTURES, { recursive: true })
      await writeFile(
        path.join(process.env.SHUTTLE_TTY_CAPTURES, `tty-${columns}.txt`),
        `${beforeCtrlC.join('\n')}\n--- after Ctrl-C and the rerun ---\n${rows.join('\n')}\n`,
      )
    }
  })
})
