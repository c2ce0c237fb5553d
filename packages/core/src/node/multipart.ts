import { randomBytes } from 'node:crypto'
import type { RequestBody } from '../ports.js'

type FormRequestBody = Extract<RequestBody, { kind: 'form' }>

const quote = (s: string) => s.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c))

/** multipart/form-data with a known Content-Length: fields first, then the file streamed. */
export function formBody(body: FormRequestBody): {
  chunks: AsyncIterable<Uint8Array>
  length: number
  contentType: string
} {
  const boundary = `----shuttle${randomBytes(12).toString('hex')}`
  let head = ''
  for (const [name, value] of Object.entries(body.fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="${quote(body.fieldName)}"; filename="${quote(body.filename)}"\r\n` +
    `Content-Type: ${body.contentType}\r\n\r\n`
  const headBytes = Buffer.from(head, 'utf8')
  const tailBytes = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')
  const { source } = body
  const size = source.info.size
  async function* chunks() {
    yield headBytes
    if (source.stream) yield* source.stream(0, size)
    else yield await source.read(0, size)
    yield tailBytes
  }
  return {
    chunks: chunks(),
    length: headBytes.byteLength + size + tailBytes.byteLength,
    contentType: `multipart/form-data; boundary=${boundary}`,
  }
}
