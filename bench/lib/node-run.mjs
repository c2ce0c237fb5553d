// One measured run: a fresh server child and a fresh client child, so peak RSS is per run.

import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256Of } from './files.mjs'
import { spawnChild } from './proc.mjs'

const SERVER = new URL('./server-child.mjs', import.meta.url).pathname
const CLIENT = new URL('./client-child.mjs', import.meta.url).pathname

// BENCH_SERVER_FLAGS / BENCH_CLIENT_FLAGS: extra Node flags for the children (e.g. --trace-gc).
const extraFlags = (name) => (process.env[name] ? process.env[name].split(/\s+/).filter(Boolean) : [])

function profileArgs(profileDir, name) {
  const flags = extraFlags(name.startsWith('server') ? 'BENCH_SERVER_FLAGS' : 'BENCH_CLIENT_FLAGS')
  return profileDir
    ? [...flags, '--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
    : flags
}

export async function startServer(kind, tmpRoot, { profileDir, tag, withStatic = false } = {}) {
  const directory = await mkdtemp(join(tmpRoot, `srv-${kind}-`))
  const child = spawnChild(SERVER, [kind, directory, withStatic ? 'static' : ''], {
    execArgv: profileArgs(profileDir, `server-${kind}-${tag ?? 'run'}`),
  })
  const { port } = await child.next('ready', 30_000)
  return serverHandle(child, port, directory)
}

/**
 * reset / stats / stop over the IPC of a child that serves HTTP on `port` (server-child.mjs,
 * discard-child.mjs). stop() also removes `directory`: deleting the files recycles their
 * page-cache pages for the next run (see limits.mjs).
 */
export function serverHandle(child, port, directory) {
  return {
    pid: child.pid,
    origin: `http://127.0.0.1:${port}`,
    endpoint: `http://127.0.0.1:${port}/files/`,
    async reset() {
      child.send({ type: 'reset' })
      await child.next('reset')
    },
    async stats() {
      child.send({ type: 'stats' })
      return child.next('stats')
    },
    async stop() {
      child.send({ type: 'stop' })
      await Promise.race([child.exited, new Promise((r) => setTimeout(r, 5000))])
      await child.kill()
      if (directory) await rm(directory, { recursive: true, force: true })
    },
  }
}

export function startClient(config, { profileDir, tag } = {}) {
  return spawnChild(CLIENT, [JSON.stringify(config)], {
    execArgv: profileArgs(profileDir, `client-${config.client}-${tag ?? 'run'}`),
  })
}

/**
 * GETs the finished upload from the server and compares the sha256 of its bytes with the file's:
 * a fast run that stored wrong bytes must not count.
 */
export async function verifyStored(url, path) {
  const res = await fetch(url)
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: cannot check the stored bytes`)
  const hash = createHash('sha256')
  for await (const chunk of res.body) hash.update(chunk)
  const got = hash.digest('hex')
  const want = sha256Of(path)
  if (got !== want)
    throw new Error(`the server stored other bytes than the file's (sha256 ${got}, file ${want})`)
}

/**
 * Runs one client workload against a fresh server; returns client and server figures. `verify`:
 * after the measurement, check the stored bytes by hash (costs a GET of the whole file).
 */
export async function measureRun({
  pair,
  tmpRoot,
  config,
  profileDir,
  tag,
  verify = false,
  timeoutMs = 300_000,
}) {
  const server = await startServer(pair.server, tmpRoot, { profileDir, tag })
  try {
    await server.reset()
    const client = startClient(
      { ...config, client: pair.client, endpoint: server.endpoint },
      { profileDir, tag },
    )
    const done = await client.next('done', timeoutMs)
    await client.exited
    const srv = await server.stats()
    if (verify) await verifyStored(done.url, config.path)
    return { client: done, server: srv }
  } finally {
    await server.stop()
  }
}

/**
 * Starts an upload, SIGKILLs the client child once ~`killAt` of the bytes were sent, then runs a
 * new client child with the same checkpoint directory. Bytes re-sent = body bytes the server
 * received minus the file size.
 */
export async function measureResume({ pair, tmpRoot, config, killAt = 0.5, timeoutMs = 300_000 }) {
  const server = await startServer(pair.server, tmpRoot)
  const storeDir = await mkdtemp(join(tmpRoot, 'store-'))
  try {
    await server.reset()
    const base = { ...config, client: pair.client, endpoint: server.endpoint, storeDir }
    const first = startClient({ ...base, tellAt: Math.ceil(killAt * config.size) })
    let killedAt = 0
    await new Promise((resolve, reject) => {
      first.onMessage((msg) => {
        if (msg.type === 'progress' && msg.bytes >= killAt * config.size && !killedAt) {
          killedAt = msg.bytes
          first.kill('SIGKILL').then(resolve)
        }
      })
      first.exited.then(() =>
        killedAt ? resolve() : reject(new Error('the client finished before it could be killed')),
      )
      setTimeout(() => reject(new Error('resume: no progress to 50 %')), timeoutMs).unref()
    })
    const atKill = await server.stats()
    const second = startClient(base)
    const done = await second.next('done', timeoutMs)
    await second.exited
    const srv = await server.stats()
    await verifyStored(done.url, config.path)
    const bodyBytes = srv.bytesIn - srv.headerBytes
    return {
      killedAt,
      serverHadAtKill: atKill.bytesIn - atKill.headerBytes,
      resent: Math.max(0, bodyBytes - config.size),
      client: done,
      server: srv,
    }
  } finally {
    await server.stop()
    await rm(storeDir, { recursive: true, force: true })
  }
}
