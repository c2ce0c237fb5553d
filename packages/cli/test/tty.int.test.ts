import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MiB, makeTempDir, removeDir, writeRandomFile } from '../../core/test/helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from '../../core/test/helpers/recording-proxy.js'
import { startServer, type TestServer } from '../../core/test/helpers/servers.js'
import { assertBuilt, BIN } from './helpers.js'

let server: TestServer
let proxy: RecordingProxy
let work: string

beforeAll(async () => {
  assertBuilt()
  if (!existsSync('/usr/bin/script'))
    throw new Error('`script` (util-linux) is needed: apt-get install bsdutils')
  server = await startServer('shuttle')
  // Slow enough that the bars are drawn for a few seconds.
  proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: 6 * MiB })
  work = await makeTempDir('cli-tty')
})
afterAll(async () => {
  await proxy?.close()
  await server?.close()
  await removeDir(work)
})

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

describe('shuttle upload on a terminal', () => {
  it('draws one bar per active file and a total bar with speed and ETA', async () => {
    const src = path.join(work, 'src')
    await mkdir(src)
    for (let i = 1; i <= 3; i++) await writeRandomFile(src, `video-${i}.mp4`, 12 * MiB)
    const cmd = [process.execPath, BIN, 'upload', src, '--endpoint', proxy.endpoint, '-p', '2', '-c', '4MiB']
      .concat(['--state-dir', path.join(work, 'state')])
      .map(shellQuote)
      .join(' ')
    // `script` gives the CLI a real pseudo-terminal, so it takes its TTY path.
    const child = spawn('/usr/bin/script', ['-qfec', `stty cols 110 rows 20; ${cmd}`, '/dev/null'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'xterm-256color' },
    })
    let screen = ''
    child.stdout.on('data', (c) => {
      screen += c
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const [code] = await once(child, 'exit')
    clearTimeout(timer)
    expect(code).toBe(0)
    const plain = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    expect(plain).toMatch(/video-1\.mp4\s+[█░]+\s+\d+%/)
    expect(plain).toMatch(
      /total\s+[█░]+\s+\d+% \| [\d.]+ (B|KiB|MiB) \/ 36\.0 MiB \| [\d.]+ (KiB|MiB)\/s \| ETA \d+:\d\d/,
    )
    expect(plain).toMatch(/✔ video-3\.mp4 → http:\/\/127\.0\.0\.1:\d+\/files\/\S+/)
    expect(plain).toMatch(/Uploaded 3 of 3 file\(s\); sent 36\.0 MiB/)
    // The total is known from the start (the CLI stat'ed every file), never a growing guess.
    const totals = plain.split(/\r?\n/).filter((l) => /^\s*total\s/.test(l))
    expect(totals.length).toBeGreaterThan(1)
    for (const line of totals) expect(line).toMatch(/\/ 36\.0 MiB/)
    // The bars are redrawn in place (cursor movement), not printed line after line.
    expect(screen).toMatch(/\x1b\[\d*[AG]/)
  })
})
