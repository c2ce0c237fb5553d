import net from 'node:net'

/**
 * PATCH `body` from `offset` over a raw socket in 64 KiB writes, so that two such requests
 * overlap in time. Raw, because a server that refuses mid-body answers and closes while the
 * client still writes: the status line is read from the bytes that arrived, whatever the socket
 * reports afterwards (EPIPE, ECONNRESET).
 */
export function rawPatch(
  url: string,
  offset: number,
  body: Buffer,
): Promise<{ status: number; offset: number | undefined }> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname)
    let answer = ''
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 20 s')), 20_000)
    const settle = () => {
      clearTimeout(timer)
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)
      if (!status) return reject(new Error(`PATCH ${url} from ${offset}: no answer (${answer.slice(0, 80)})`))
      const o = /\r\nupload-offset: (\d+)/i.exec(answer)
      resolve({ status: Number(status[1]), offset: o ? Number(o[1]) : undefined })
    }
    socket.setEncoding('latin1')
    socket.on('data', (text: string) => {
      answer += text
      if (answer.includes('\r\n\r\n')) socket.destroy()
    })
    socket.on('error', () => {}) // the status line, if any, is in `answer`
    socket.on('close', settle)
    socket.write(
      `PATCH ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nTus-Resumable: 1.0.0\r\n` +
        `Upload-Offset: ${offset}\r\nContent-Type: application/offset+octet-stream\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    )
    let at = 0
    const pump = () => {
      if (socket.destroyed || at >= body.length) return
      const next = Math.min(at + 64 * 1024, body.length)
      const more = socket.write(body.subarray(at, next))
      at = next
      if (more) setImmediate(pump)
      else socket.once('drain', pump)
    }
    pump()
  })
}

/**
 * A PATCH announcing `length` bytes whose body the test sends piece by piece (`send`), so it can
 * stall mid-body as a slow client does. `answer` is the status line the server sends, if any.
 */
export function openPatch(url: string, offset: number, length: number) {
  const { hostname, port, pathname } = new URL(url)
  const socket = net.connect(Number(port), hostname)
  let text = ''
  socket.setEncoding('latin1')
  socket.on('error', () => {}) // the status line, if any, is in `text`
  const answer = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => socket.destroy(), 20_000)
    socket.on('data', (t: string) => {
      text += t
      if (text.includes('\r\n\r\n')) socket.destroy()
    })
    socket.on('close', () => {
      clearTimeout(timer)
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)
      if (status) resolve(Number(status[1]))
      else reject(new Error(`PATCH ${url}: no answer (${text.slice(0, 80)})`))
    })
  })
  answer.catch(() => {})
  socket.write(
    `PATCH ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nTus-Resumable: 1.0.0\r\n` +
      `Upload-Offset: ${offset}\r\nContent-Type: application/offset+octet-stream\r\n` +
      `Content-Length: ${length}\r\nConnection: close\r\n\r\n`,
  )
  return {
    send: (bytes: Buffer, written?: () => void) => socket.write(bytes, () => written?.()),
    answer,
    close: () => socket.destroy(),
  }
}
