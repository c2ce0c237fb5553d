#!/usr/bin/env node
// `npm start`: the demo page and a tus endpoint on 127.0.0.1:1080, upload tokens required (the
// demo-only token endpoint of `shuttle serve --demo-tokens` hands them out). Builds only what is
// out of date (tsc -b is incremental; the two Vite builds run only when an input is newer than their output),
// quietly, so the first line printed is the server's URL; build logs appear only if a build fails.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { root } from './lib/workspaces.mjs'

const at = (...p) => path.join(root, ...p)

/** Newest mtime under the given files/folders (dist and node_modules skipped). */
function newest(paths) {
  let max = 0
  const visit = (p) => {
    if (!existsSync(p)) return
    const s = statSync(p)
    if (!s.isDirectory()) {
      max = Math.max(max, s.mtimeMs)
      return
    }
    for (const name of readdirSync(p))
      if (name !== 'node_modules' && name !== 'dist') visit(path.join(p, name))
  }
  for (const p of paths) visit(p)
  return max
}
const builtAt = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0)

function run(what, cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' })
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout}${r.stderr}\nnpm start: ${what} failed (exit ${r.status})\n`)
    process.exit(1)
  }
}

const started = Date.now()
run('tsc -b', process.execPath, [at('node_modules/typescript/bin/tsc'), '-b'])
const vite = [
  {
    name: '@shuttle/vue',
    inputs: [
      at('packages/vue/src'),
      at('packages/vue/vite.config.ts'),
      at('packages/vue/package.json'),
      at('packages/core/dist'),
    ],
    output: at('packages/vue/dist/index.js'),
  },
  {
    name: '@shuttle/demo',
    inputs: [
      at('apps/demo/src'),
      at('apps/demo/index.html'),
      at('apps/demo/engine.html'),
      at('apps/demo/vite.config.ts'),
      at('packages/vue/dist'),
    ],
    output: at('apps/demo/dist/index.html'),
  },
]
for (const v of vite) {
  // The demo's input includes the vue build, so a rebuilt vue rebuilds the demo.
  const inputs = v.name === '@shuttle/demo' ? newest(v.inputs.slice(0, -1)) : newest(v.inputs)
  const depOut = v.name === '@shuttle/demo' ? builtAt(vite[0].output) : 0
  if (Math.max(inputs, depOut) > builtAt(v.output)) {
    process.stderr.write(`Building ${v.name} (its sources changed since the last build)…\n`)
    run(`the build of ${v.name}`, 'npm', ['run', 'build', '--silent', '-w', v.name])
  }
}
if (Date.now() - started > 5000)
  process.stderr.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)}s\n`)

const child = spawn(
  process.execPath,
  [
    at('packages/cli/bin/shuttle.js'),
    'serve',
    '--dir',
    './uploads',
    '--static',
    at('apps/demo/dist'),
    // The demo shows the real token flow: upload tokens required, handed out by a DEMO-ONLY endpoint.
    '--demo-tokens',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
)
// The terminal's Ctrl-C reaches the server itself (same process group): passing it on as well would
// be its second signal, which exits at once. SIGTERM (kill, CI) is passed on.
process.on('SIGINT', () => {})
process.on('SIGTERM', () => child.kill('SIGTERM'))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)))
