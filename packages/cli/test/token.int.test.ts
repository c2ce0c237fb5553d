import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { verifyUploadToken } from '@shuttle/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MiB, makeTempDir, removeDir, writeRandomFile } from '../../core/test/helpers/files.js'
import { startRecordingProxy } from '../../core/test/helpers/recording-proxy.js'
import { startTokenServer, TEST_SECRET, type TokenServer } from '../../core/test/helpers/token-server.js'
import { assertBuilt, BIN, killAll, runCli } from './helpers.js'

// `shuttle token` and `shuttle upload --token` against our server with tokens required.
let server: TokenServer
let work: string
let secretFile: string

beforeAll(async () => {
  assertBuilt()
  server = await startTokenServer({ lifetimeSeconds: 60 })
  work = await makeTempDir('cli-token')
  secretFile = path.join(work, 'secret')
  await writeFile(secretFile, `${TEST_SECRET}\n`, { mode: 0o600 })
})
afterEach(killAll)
afterAll(async () => {
  await server?.close()
  await removeDir(work)
})

async function token(...args: string[]): Promise<string> {
  const run = runCli(['token', '--secret-file', secretFile, '--sub', 'test-user', ...args])
  expect(await run.exit, run.stderr()).toBe(0)
  const printed = run.stdout()
  expect(printed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
  return printed.trim()
}

describe('shuttle token', () => {
  it('prints one token the server verifies, with the limits asked for', async () => {
    const t = await token('--expires', '10m', '--max-file-size', '1MiB', '--types', 'image/*,.pdf')
    const verified = await verifyUploadToken(TEST_SECRET, t)
    expect(verified.sub).toBe('test-user')
    expect(verified.limits).toEqual({ maxFileSize: MiB, types: ['image/*', '.pdf'] })
    expect(verified.expiresAt).toBeGreaterThan(Date.now() + 9 * 60_000)
  })

  it('refuses a short secret with exit code 2 and says how to make one', async () => {
    const run = runCli(['token', '--sub', 'a'], { SHUTTLE_AUTH_SECRET: 'too-short' })
    expect(await run.exit).toBe(2)
    expect(run.stderr()).toMatch(/at least 32 bytes.*openssl rand/)
    expect(run.stdout()).toBe('')
  })
})

describe('shuttle upload with a token', () => {
  it('no token or one expiring mid-file: exit 3 saying to get a new one; the rerun with a new token resumes', async () => {
    const SIZE = 8 * MiB
    const file = await writeRandomFile(work, 'tokened.bin', SIZE)
    const stateDir = path.join(work, 'state')
    // Throttled so that a 4-second token expires while the file is still being sent.
    const proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: MiB })
    try {
      const upload = (env: NodeJS.ProcessEnv, ...args: string[]) =>
        runCli(
          [
            'upload',
            file.path,
            '--endpoint',
            proxy.endpoint,
            '--state-dir',
            stateDir,
            '-c',
            '256KiB',
            '-q',
            ...args,
          ],
          env,
        )

      // Without a token: the server's 401 and sentence, exit 3, and what to do.
      const bare = upload({ SHUTTLE_TOKEN: '' })
      expect(await bare.exit).toBe(3)
      expect(bare.stderr()).toMatch(/answered 401 to POST: This server needs an upload token/)
      expect(bare.stderr()).toMatch(/Get a new upload token .* --token NEW/)

      // A token that expires mid-file (after 3–4 s of the ~8 s the file takes): part of the file
      // is on the server, the rest is refused.
      const short = upload({}, '--token', await token('--expires', '4s'))
      expect(await short.exit).toBe(3)
      expect(short.stderr()).toMatch(/401 to PATCH: .*expired/)
      const created = proxy.log.filter((e) => e.method === 'POST' && e.status === 201)
      expect(created).toHaveLength(1)
      const uploadPath = created[0]!.uploadPath!
      const before = proxy.bytesFor(uploadPath)
      expect(before).toBeGreaterThan(0)
      expect(before).toBeLessThan(SIZE)

      // A fresh token from the environment (SHUTTLE_TOKEN): the same upload continues, byte-identical.
      const fresh = await token()
      const ok = upload({ SHUTTLE_TOKEN: fresh }, '--json')
      expect(await ok.exit, ok.stderr()).toBe(0)
      const line = JSON.parse(ok.stdout().trim().split('\n').at(-1)!) as { url: string; sha256: string }
      expect(new URL(line.url).pathname).toBe(uploadPath)
      expect(proxy.log.filter((e) => e.method === 'POST' && e.status === 201)).toHaveLength(1)
      // Only what the server lacked was sent again (at most the chunk refused with the 401).
      expect(proxy.bytesFor(uploadPath)).toBeLessThanOrEqual(SIZE + 256 * 1024)
      expect(line.sha256).toBe(file.sha256)
      expect(await server.storedSha256(line.url)).toBe(file.sha256)
      expect(server.answers.filter((a) => a.token === fresh).map((a) => a.status)).toContain(204)
    } finally {
      await proxy.close()
    }
  })

  it('--token-command: a new token after each expiry, one run of the command per expiry, the file intact', async () => {
    const SIZE = 8 * MiB
    const file = await writeRandomFile(work, 'refreshed.bin', SIZE)
    const proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: 2 * MiB })
    const from = server.answers.length
    const runs = path.join(work, 'token-runs.log')
    // `shuttle token` itself is the command, with 3-second tokens; each run leaves a line behind.
    const command = `echo run >> '${runs}' && '${process.execPath}' '${BIN}' token --secret-file '${secretFile}' --sub test-user --expires 3s`
    try {
      const run = runCli([
        'upload',
        file.path,
        '--endpoint',
        proxy.endpoint,
        '--state-dir',
        path.join(work, 'state-refresh'),
        '-c',
        '256KiB',
        '--json',
        '-q',
        '--token-command',
        command,
      ])
      expect(await run.exit, run.stderr()).toBe(0)
      const line = JSON.parse(run.stdout().trim()) as { url: string; sha256: string }
      expect(await server.storedSha256(line.url)).toBe(file.sha256)
      const uploadPath = new URL(line.url).pathname
      // This run's answers: one creation, then requests to its upload only.
      const mine = server.answers.slice(from)
      expect(mine.filter((a) => a.method === 'POST' && a.status === 201)).toHaveLength(1)
      expect(mine.filter((a) => !['POST', 'OPTIONS'].includes(a.method) && a.path !== uploadPath)).toEqual([])
      const refused = new Set(mine.filter((a) => a.status === 401).map((a) => a.token))
      const used = new Set(mine.filter((a) => a.token !== undefined).map((a) => a.token))
      const commandRuns = (await readFile(runs, 'utf8')).trim().split('\n').length
      console.info(`--token-command: ${commandRuns} runs, ${refused.size} tokens refused, ${used.size} used`)
      // The ~4 s upload outlived at least one 3-second token; each refused token cost one run.
      expect(refused.size).toBeGreaterThanOrEqual(1)
      expect(commandRuns).toBe(refused.size + 1)
      expect(used.size).toBe(commandRuns)
    } finally {
      await proxy.close()
    }
  })

  it('--token-command that fails: exit 3 with its stderr, nothing sent', async () => {
    const file = await writeRandomFile(work, 'never.bin', 1024)
    const from = server.answers.length
    const run = runCli([
      'upload',
      file.path,
      '--endpoint',
      server.endpoint,
      '--state-dir',
      path.join(work, 'state-failing'),
      '--token-command',
      'echo "token service down" >&2; exit 4',
    ])
    expect(await run.exit).toBe(3)
    expect(run.stderr()).toMatch(/--token-command exited with 4: token service down/)
    expect(server.answers.slice(from)).toEqual([])
  })
})
