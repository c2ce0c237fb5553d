// A fresh Express app that mounts @shuttle/server and uploads a file to itself with @shuttle/core
// (Node entry), as a user of the published packages would. Prints one JSON line and exits 0 when
// the stored bytes have the file's sha256.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { createUploader } from '@shuttle/core'
import { isUploadError } from '@shuttle/protocol'
import { createTusServer } from '@shuttle/server'
import express from 'express'

const [file, directory] = process.argv.slice(2)
if (!file || !directory) throw new Error('usage: node dist/main.js <file> <upload dir>')

const tus = createTusServer({ path: '/files/', directory })
const app = express()
app.get('/health', (_req, res) => {
  res.json({ ok: true })
})
app.use('/files', (req, res, next) => tus.handle(req, res, next))
const server = app.listen(0, '127.0.0.1')
await new Promise<void>((resolve) => server.once('listening', () => resolve()))
const { port } = server.address() as AddressInfo
const endpoint = `http://127.0.0.1:${port}/files/`

const uploader = createUploader({ endpoint, chunkSize: 1024 * 1024 })
const [id] = uploader.add({ path: file, name: path.basename(file) })
const url = await new Promise<string>((resolve, reject) => {
  uploader.on('completed', (e) => resolve(e.url))
  uploader.on('failed', (e) =>
    reject(isUploadError(e.error) ? new Error(`${e.error.code}: ${e.error.message}`) : e.error),
  )
})
await uploader.destroy()
server.close()

const sha256 = (p: string) =>
  new Promise<string>((resolve, reject) => {
    const h = createHash('sha256')
    createReadStream(p)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject)
  })
const storedPath = path.join(directory, new URL(url).pathname.split('/').pop() ?? '')
const result = { id, url, source: await sha256(file), stored: await sha256(storedPath) }
console.log(JSON.stringify(result))
process.exitCode = result.source === result.stored ? 0 : 1
