#!/usr/bin/env node
// Summarises V8 .cpuprofile files: top frames by self time, and self time per source file.
// Usage: node bench/profile-top.mjs <file.cpuprofile>... [--top 15]
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '15' } },
})
const top = Number(values.top)

function shortUrl(url) {
  if (!url) return '(native)'
  const m = url.match(/((?:node_modules|packages|bench)\/.*)$/)
  return m ? m[1] : url.replace(/^file:\/\//, '')
}

for (const file of positionals) {
  const profile = JSON.parse(await readFile(file, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map()
  const dt = profile.timeDeltas
  for (let i = 0; i < profile.samples.length; i++)
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0))
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const frames = new Map()
  const files = new Map()
  for (const [id, us] of self) {
    const { callFrame: f } = byId.get(id)
    const key = `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}:${f.lineNumber + 1}`
    frames.set(key, (frames.get(key) ?? 0) + us)
    const fileKey = f.url ? shortUrl(f.url) : f.functionName
    files.set(fileKey, (files.get(fileKey) ?? 0) + us)
  }
  const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)} %`
  console.log(`\n## ${basename(file)} — ${(total / 1e6).toFixed(2)} s sampled`)
  console.log('Top frames (self time):')
  for (const [k, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(us)}  ${k}`)
  console.log('By file:')
  for (const [k, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${pct(us)}  ${k}`)
}
