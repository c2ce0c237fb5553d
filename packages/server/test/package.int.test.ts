import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

// What a file-store-only app installs: the packed tarballs of @shuttle/server and its one
// dependency, outside the workspace. Packs the built dist (`tsc -b` first; npm test does).
const run = promisify(execFile)
const packages = fileURLToPath(new URL('../../', import.meta.url))
let dir: string | undefined
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('@shuttle/server as a consumer installs it', () => {
  it('brings no AWS SDK, and serves an upload from the installed package', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-consumer-'))
    for (const name of ['protocol', 'server']) {
      await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: path.join(packages, name) })
    }
    const tarballs = (await readdir(dir)).filter((n) => n.endsWith('.tgz'))
    expect(tarballs).toHaveLength(2)
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    await run('npm', ['install', '--no-audit', '--no-fund', '--offline', ...tarballs.map((t) => `./${t}`)], {
      cwd: dir,
    })

    const ls = await run('npm', ['ls', '--all', '--parseable'], { cwd: dir })
    const installed = ls.stdout.split('\n').filter(Boolean)
    expect(installed.some((p) => p.includes(`${path.sep}@aws-sdk${path.sep}`))).toBe(false)
    expect(installed.some((p) => p.endsWith(path.join('@shuttle', 'server')))).toBe(true)
    const awsSdk = await run('npm', ['ls', '@aws-sdk/client-s3'], { cwd: dir }).catch(
      (err: { stdout: string }) => err,
    )
    expect(awsSdk.stdout).not.toMatch(/client-s3@/)

    // The installed package works: create an upload, send its bytes, read them back.
    const script = `
      import http from 'node:http'
      import { createTusServer } from '@shuttle/server'
      const tus = createTusServer({ directory: './uploads' })
      const server = http.createServer(tus.handle).listen(0, '127.0.0.1', async () => {
        const base = 'http://127.0.0.1:' + server.address().port + '/files/'
        const h = { 'Tus-Resumable': '1.0.0' }
        const created = await fetch(base, { method: 'POST', headers: { ...h, 'Upload-Length': '5' } })
        const url = created.headers.get('location')
        await fetch(url, { method: 'PATCH', headers: { ...h, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, body: 'hello' })
        console.log(await (await fetch(url)).text())
        server.close(); await tus.close()
      })`
    await writeFile(path.join(dir, 'try.mjs'), script)
    const out = await run(process.execPath, ['try.mjs'], { cwd: dir })
    expect(out.stdout.trim()).toBe('hello')
  })
})
