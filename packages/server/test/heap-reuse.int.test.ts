// The server keeps freed request-body memory for reuse (src/heap-reuse.ts): receiving a large body
// does not fault the same heap pages in again after every GC. Measured with this test's server
// process on a 2-vCPU VM: without it 18–83 k minor faults for 512 MiB (up to one per 4 KiB page of
// the body: each GC's freed buffers went back to the kernel), with it 9–10 k in every run.
// Linux only: minor faults are read from /proc/<pid>/stat.
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { streamingRequest } from './helpers/http.js'
import { fileSha256, MiB } from './helpers/pattern.js'
import { makeTempDir, removeTempDir } from './helpers/server.js'
import { createUpload, PATCH_HEADERS } from './helpers/tus-client.js'

const SERVER = fileURLToPath(new URL('./fixtures/tus-server.mjs', import.meta.url))
const SIZE = 512 * MiB
const PAGES = SIZE / 4096

/** Minor page faults of a process so far (field 10 of /proc/<pid>/stat). */
async function minorFaults(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7])
}

/** The fixture server in its own process, its faults apart from this one's; resolves with its port. */
function startServer(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [SERVER, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s
      const m = /listening (\d+)/.exec(out)
      if (m) resolve({ child, port: Number(m[1]) })
    })
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)))
  })
}

let root: string | undefined
let server: ChildProcess | undefined

afterAll(async () => {
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server!.once('exit', r))
    server.kill('SIGKILL')
    await gone
  }
  await removeTempDir(root)
})

describe('request-body memory', () => {
  it.skipIf(process.platform !== 'linux')(
    'a 512 MiB PATCH faults in far fewer pages than the body has (freed buffers are reused)',
    async () => {
      root = await makeTempDir('shuttle-heap-')
      const dir = path.join(root, 'store')
      const started = await startServer(dir)
      server = started.child
      const endpoint = `http://127.0.0.1:${started.port}/files/`
      const { url, id } = await createUpload(endpoint, { length: SIZE })
      const piece = randomBytes(MiB)
      const expected = createHash('sha256')
      function* body() {
        for (let i = 0; i < SIZE / MiB; i++) {
          expected.update(piece)
          yield piece
        }
      }
      const before = await minorFaults(server.pid!)
      const patch = streamingRequest({
        method: 'PATCH',
        url,
        headers: { ...PATCH_HEADERS, 'Upload-Offset': '0', 'Content-Length': String(SIZE) },
        body: body(),
      })
      const result = await patch.result
      const faults = (await minorFaults(server.pid!)) - before
      expect(result.response?.status, result.response?.body ?? result.error?.message).toBe(204)
      const stored = await fileSha256(path.join(dir, id))
      expect(stored.sha256).toBe(expected.digest('hex'))
      // With reuse ~9–10 k (V8's heap, the store's state, one GC cycle of buffers); without, most
      // runs fault in a large share of the body's pages.
      expect(faults, `${faults} minor faults for ${PAGES} pages of body`).toBeLessThan(PAGES / 6)
    },
    120_000,
  )
})
