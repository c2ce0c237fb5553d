// One identity worker: hashes each Blob slice it is sent with WebCrypto (one-shot per 4 MiB block)
// and posts the 32-byte digest back. Tasks run one after the other (the next one's read overlaps
// this one's digest) through ONE reused buffer: `digest()` copies its input when called, so the
// buffer is free again at once, and memory stays at a block or two per worker however big the
// file. A fresh ArrayBuffer per block (`blob.arrayBuffer()`) is only collected when V8 gets round
// to it: 1 GiB of them measured +1 GiB of RSS across two workers.

interface Task {
  i: number
  blob: Blob
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Task>) => void) | null
  postMessage(message: unknown, transfer?: Transferable[]): void
}

let buffer: ArrayBuffer | undefined

/** The slice's bytes in the reused buffer (a BYOB reader fills it in place). */
async function read(blob: Blob): Promise<Uint8Array<ArrayBuffer>> {
  const size = blob.size
  if (!buffer || buffer.byteLength < size) buffer = new ArrayBuffer(Math.max(size, 4 * 1024 * 1024))
  let reader: ReadableStreamBYOBReader
  try {
    reader = blob.stream().getReader({ mode: 'byob' })
  } catch {
    return new Uint8Array(await blob.arrayBuffer()) // no byte streams here: a buffer per block
  }
  let at = 0
  let buf = buffer
  try {
    while (at < size) {
      // Each read detaches the buffer it was given and hands back the same memory, filled.
      const { value, done } = await reader.read(new Uint8Array(buf, at, size - at))
      if (done || !value) break
      buf = value.buffer as ArrayBuffer
      at += value.byteLength
    }
  } finally {
    reader.releaseLock()
  }
  buffer = buf
  if (at !== size) throw new Error(`read ${at} of ${size} bytes`)
  return new Uint8Array(buf, 0, size)
}

let queue: Promise<void> = Promise.resolve()

scope.onmessage = (e) => {
  const { i, blob } = e.data
  queue = queue.then(async () => {
    try {
      const pending = crypto.subtle.digest('SHA-256', await read(blob))
      // The input was copied when digest() was called: the next task may refill the buffer now.
      pending.then(
        (digest) => scope.postMessage({ i, digest }, [digest]),
        (err: unknown) => scope.postMessage({ i, error: err instanceof Error ? err.message : String(err) }),
      )
    } catch (err) {
      scope.postMessage({ i, error: err instanceof Error ? err.message : String(err) })
    }
  })
}
