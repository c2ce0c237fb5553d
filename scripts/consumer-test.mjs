#!/usr/bin/env node
// The consumer test: do the packages work outside this monorepo, as npm would install them?
//  1. `npm pack` every public workspace (from the root package.json's `workspaces`);
//  2. two fresh apps in a temp dir outside the repository, each installing every tarball plus its
//     own third-party dependencies from the npm registry (nothing else from the network):
//     - a Vite + Vue + TypeScript app using <ShuttleUpload>: vue-tsc type-check, vite build, served
//       by the packed CLI (`shuttle serve --static dist`), a file uploaded through it in Chromium;
//     - a Node/Express + TypeScript app mounting @shuttle/server and uploading to itself with
//       @shuttle/core: tsc type-check and build, then run;
//  3. every upload is checked by the sha256 of the bytes the server stored.
// Usage: node scripts/consumer-test.mjs [--keep]   (run after `npm run build`; exit 1 on failure)
import { execFileSync, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { pack, publicPackages, root } from './lib/workspaces.mjs'

// Third-party versions: the ones the workspace itself is tested with (so npm's cache serves them).
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages
const v = (name) => {
  const version = lock[`node_modules/${name}`]?.version
  if (!version) throw new Error(`${name} is not in package-lock.json`)
  return version
}

const keep = process.argv.includes('--keep')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'shuttle-consumer-'))
const started = Date.now()
const step = (what) =>
  console.log(`[consumer ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${what}`)
const children = new Set()

function sh(cwd, cmd, args) {
  try {
    execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}${err.stderr ?? ''}`)
  }
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

/** Writes a package.json with every tarball and the given registry dependencies, then installs. */
function makeApp(name, template, deps, devDeps, tarballs) {
  const dir = path.join(tmp, name)
  cpSync(path.join(root, 'scripts/consumer', template), dir, { recursive: true })
  const local = Object.fromEntries(tarballs.map((t) => [t.name, `file:${path.relative(dir, t.tarball)}`]))
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name, private: true, type: 'module', dependencies: { ...local, ...deps }, devDependencies: devDeps }, null, 2)}\n`,
  )
  step(`${name}: npm install (${tarballs.length} tarballs + registry)`)
  sh(dir, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'])
  return dir
}

async function vueApp(tarballs) {
  const dir = makeApp(
    'vue-app',
    'vue-app',
    { vue: v('vue') },
    {
      vite: v('vite'),
      '@vitejs/plugin-vue': v('@vitejs/plugin-vue'),
      typescript: v('typescript'),
      'vue-tsc': v('vue-tsc'),
      '@types/node': v('@types/node'),
    },
    tarballs,
  )
  step('vue-app: vue-tsc (type-check)')
  sh(dir, 'npx', ['--no-install', 'vue-tsc', '-b'])
  step('vue-app: vite build')
  sh(dir, 'npx', ['--no-install', 'vite', 'build'])

  const uploads = path.join(dir, 'uploads')
  const server = spawn(
    process.execPath,
    [
      'node_modules/@shuttle/cli/bin/shuttle.js',
      'serve',
      '--port',
      '0',
      '--dir',
      uploads,
      '--static',
      'dist',
      '--quiet',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  children.add(server)
  const origin = await new Promise((resolve, reject) => {
    let out = ''
    server.stdout.on('data', (c) => {
      out += c
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)
      if (m) resolve(m[1])
    })
    server.on('exit', (code) => reject(new Error(`shuttle serve exited (${code}):\n${out}`)))
  })
  step(`vue-app: served by the packed CLI at ${origin}; uploading in Chromium`)
  const file = path.join(tmp, 'from-the-browser.bin')
  const bytes = randomBytes(3 * 1024 * 1024 + 17)
  writeFileSync(file, bytes)
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  try {
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${origin}/`)
    await page.locator('input[type=file]').setInputFiles(file)
    await page.locator('#uploaded', { hasText: 'from-the-browser.bin' }).waitFor({ timeout: 60_000 })
    const line = await page.locator('#uploaded').innerText()
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
    const id = /files\/(\S+)/.exec(line)?.[1]
    const stored = readdirSync(uploads).filter((f) => !f.includes('.'))
    if (stored.length !== 1) throw new Error(`expected one upload on the server, found ${stored.length}`)
    const got = sha256(readFileSync(path.join(uploads, stored[0])))
    if (got !== sha256(bytes)) throw new Error(`vue-app: stored sha256 ${got} != ${sha256(bytes)}`)
    step(
      `vue-app: OK (${line.trim()}; stored bytes match, sha256 ${got.slice(0, 16)}…${id ? '' : ', no URL shown'})`,
    )
    // The content identity from the packed @shuttle/core's Web Worker, as the app's Vite build emitted it.
    const workers = []
    page.on('worker', (w) => workers.push(w.url()))
    const size = 9 * 1024 * 1024 + 5
    const made = Uint8Array.from({ length: size }, (_, i) => (i * 31) & 0xff)
    // sha256-4m: SHA-256 over each 4 MiB block's digest, the SHA-256 over its 512 KiB leaves' SHA-256s.
    const sha = (b) => createHash('sha256').update(b).digest()
    const overParts = (b, n, digest) => {
      const parts = []
      for (let at = 0; at < b.length; at += n) parts.push(digest(b.subarray(at, at + n)))
      return sha(Buffer.concat(parts))
    }
    const expected = overParts(made, 4 * 1024 * 1024, (block) => overParts(block, 512 * 1024, sha))
    const identity = await page.evaluate((n) => window.identityOf(n), size)
    if (identity !== expected.toString('hex'))
      throw new Error(`vue-app: identity ${identity} is not sha256-4m of the bytes`)
    if (!workers.some((u) => u.includes('identity-worker')))
      throw new Error(`vue-app: no identity worker ran (${workers})`)
    step(
      `vue-app: OK (sha256-4m from ${workers.length} Web Workers of the packed core: ${identity.slice(0, 16)}…)`,
    )
  } finally {
    await browser.close()
    server.kill('SIGTERM')
  }
}

async function expressApp(tarballs) {
  const dir = makeApp(
    'express-app',
    'express-app',
    { express: v('express') },
    { typescript: v('typescript'), '@types/express': v('@types/express'), '@types/node': v('@types/node') },
    tarballs,
  )
  step('express-app: tsc --noEmit (type-check), then tsc (build)')
  sh(dir, 'npx', ['--no-install', 'tsc', '--noEmit'])
  sh(dir, 'npx', ['--no-install', 'tsc'])
  const file = path.join(tmp, 'from-node.bin')
  writeFileSync(file, randomBytes(5 * 1024 * 1024 + 3))
  mkdirSync(path.join(dir, 'uploads'))
  step('express-app: run (Express + @shuttle/server, upload with @shuttle/core)')
  const out = execFileSync(process.execPath, ['dist/main.js', file, path.join(dir, 'uploads')], {
    cwd: dir,
    encoding: 'utf8',
  })
  const result = JSON.parse(out.trim().split('\n').at(-1))
  if (result.source !== result.stored) throw new Error(`express-app: stored bytes differ: ${out}`)
  step(`express-app: OK (${result.url}; sha256 ${result.stored.slice(0, 16)}… matches)`)
}

let failed = false
try {
  const tarDir = path.join(tmp, 'tarballs')
  mkdirSync(tarDir)
  const tarballs = publicPackages().map((p) => ({ name: p.name, tarball: pack(p.dir, tarDir) }))
  step(`packed ${tarballs.map((t) => path.basename(t.tarball)).join(', ')}`)
  await expressApp(tarballs)
  await vueApp(tarballs)
  step('all consumer apps passed')
} catch (err) {
  failed = true
  console.error(err instanceof Error ? err.message : err)
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  if (keep || failed) console.log(`[consumer] apps kept in ${tmp}`)
  if (!keep && !failed) rmSync(tmp, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
