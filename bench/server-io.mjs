#!/usr/bin/env node
// Where a Node upload server's CPU goes: one 1 GiB PATCH body (sent by a child with http.request
// from 1 MiB file reads) received by a bare node:http server that
//   discard  reads and drops it (HTTP parsing, socket reads, body buffers),
//   stream   writes it through fs.WriteStream with 256 KiB batches (the thread pool, as Shuttle does),
//   sync     writes it with fs.writeSync on the main thread (no thread-pool handoff), piece by piece,
//   batched  gathers 256 KiB of pieces per fs.writevSync on the main thread (as the file store does).
// Server CPU-s/GiB per mode, 3 interleaved rounds; the first round writes into cold page-cache
// memory (see bench/README.md), so read the later ones. Usage: node bench/server-io.mjs [MiB] [rounds]
import { fork } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
  writevSync,
} from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { join } from 'node:path'

const [arg, role, url] = process.argv.slice(2)

if (role === 'client') {
  const req = http.request(
    url,
    { method: 'PATCH', headers: { 'content-length': statSync(arg).size } },
    (res) => {
      res.resume()
      res.on('end', () => process.exit(0))
    },
  )
  createReadStream(arg, { highWaterMark: 1 << 20 }).pipe(req)
} else {
  const dir = mkdtempSync(join(os.tmpdir(), 'shuttle-server-io-'))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const size = Number(arg ?? 1024) * 2 ** 20
  const source = join(dir, 'source.bin')
  const block = randomFillSync(Buffer.alloc(2 ** 20))
  const fd = openSync(source, 'w')
  for (let at = 0; at < size; at += block.length) writeSync(fd, block)
  closeSync(fd)
  const target = join(dir, 'target.bin')
  const receive = {
    discard: (req, done) => req.on('data', () => {}).on('end', done),
    stream: (req, done) => {
      const ws = createWriteStream(target, { highWaterMark: 256 * 1024 })
      req.on('data', (c) => ws.write(c) || req.pause())
      ws.on('drain', () => req.resume())
      req.on('end', () => ws.end(done))
    },
    batched: (req, done) => {
      const out = openSync(target, 'w')
      let at = 0
      let pieces = []
      let gathered = 0
      const flush = () => {
        for (let n = 0; n < gathered; )
          n += writevSync(out, n === 0 ? pieces : [Buffer.concat(pieces).subarray(n)], at + n)
        at += gathered
        pieces = []
        gathered = 0
      }
      req.on('data', (c) => {
        pieces.push(c)
        gathered += c.length
        if (gathered >= 256 * 1024) flush()
      })
      req.on('end', () => {
        flush()
        closeSync(out)
        done()
      })
    },
    sync: (req, done) => {
      const out = openSync(target, 'w')
      let at = 0
      req.on('data', (c) => {
        writeSync(out, c, 0, c.length, at)
        at += c.length
      })
      req.on('end', () => {
        closeSync(out)
        done()
      })
    },
  }
  console.log(`| round | mode | MiB/s | server CPU-s/GiB (user + system) |\n|---|---|---|---|`)
  for (let round = 1; round <= Number(process.argv[3] ?? 3); round++) {
    for (const [mode, fn] of Object.entries(receive)) {
      const server = http.createServer((req, res) => {
        const base = process.cpuUsage()
        const t0 = performance.now()
        fn(req, () => {
          const c = process.cpuUsage(base)
          const gib = size / 2 ** 30
          const mibs = size / 2 ** 20 / ((performance.now() - t0) / 1000)
          console.log(
            `| ${round} | ${mode} | ${mibs.toFixed(0)} | ${((c.user + c.system) / 1e6 / gib).toFixed(2)} (${(c.user / 1e6 / gib).toFixed(2)} + ${(c.system / 1e6 / gib).toFixed(2)}) |`,
          )
          rmSync(target, { force: true }) // recycle the pages for the next mode
          res.writeHead(204).end()
        })
      })
      await new Promise((r) => server.listen(0, '127.0.0.1', r))
      const child = fork(new URL(import.meta.url).pathname, [
        source,
        'client',
        `http://127.0.0.1:${server.address().port}/`,
      ])
      await new Promise((r) => child.on('exit', r))
      server.close()
    }
  }
}
