import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { waitUntil } from '../packages/core/test/helpers/files.js'

// The README's quick start, as a user runs it: `npm start` serves the demo page and a tus endpoint,
// and stopping npm stops the server too (a process manager or CI sends SIGTERM to npm, not to
// its grandchild).

const root = path.resolve(import.meta.dirname, '..')
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

it('npm start serves the demo and a tus endpoint (with demo tokens) that stores bytes, and SIGTERM to npm stops the server', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-start-'))
  const npm = spawn('npm', ['start', '--', '--port', '0', '--dir', dir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  npm.stdout.on('data', (d: Buffer) => {
    out += d
  })
  npm.stderr.on('data', (d: Buffer) => {
    out += d
  })
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)))
  cleanups.push(async () => {
    if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })

  await waitUntil(
    () => /Shuttle is serving (http:\/\/\S+)\//.test(out),
    60_000,
    `the URL on npm start's output:\n${out}`,
  )
  const base = (/Shuttle is serving (http:\/\/\S+)\//.exec(out) as RegExpExecArray)[1] as string
  // Nothing printed before the URL but npm's own header: the URL is the first thing a person sees.
  expect(out.split('\n').filter((l) => l.trim() && !l.startsWith('>'))[0]).toMatch(/^Shuttle is serving/)

  const page = await fetch(`${base}/`)
  expect(page.status).toBe(200)
  expect(await page.text()).toMatch(/<title>Shuttle/)

  // The demo's endpoint requires upload tokens; the page (and this test) asks the demo token endpoint.
  const bytes = randomBytes(3 * 1024 * 1024 + 17)
  const create = (headers: Record<string, string>) =>
    fetch(`${base}/files/`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length), ...headers },
    })
  expect((await create({})).status).toBe(401)
  const { token } = (await (await fetch(`${base}/demo-token`, { method: 'POST' })).json()) as {
    token: string
  }
  const auth = { Authorization: `Bearer ${token}` }
  const created = await create(auth)
  expect(created.status).toBe(201)
  const url = created.headers.get('location') as string
  const patched = await fetch(url, {
    method: 'PATCH',
    headers: {
      ...auth,
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
    },
    body: bytes,
  })
  expect(patched.status).toBe(204)
  const stored = Buffer.from(await (await fetch(url, { headers: auth })).arrayBuffer())
  expect(createHash('sha256').update(stored).digest('hex')).toBe(
    createHash('sha256').update(bytes).digest('hex'),
  )

  const port = Number(new URL(base).port)
  npm.kill('SIGTERM')
  await exited
  // The server is the grandchild of npm: it must have gone with it, not be left holding the port.
  const deadline = Date.now() + 10_000
  while (await listening(port)) {
    if (Date.now() > deadline) throw new Error(`port ${port} still open 10 s after npm exited on SIGTERM`)
    await new Promise((r) => setTimeout(r, 50))
  }
}, 120_000)
