// One identity worker: streams each segment it is sent (a Blob of consecutive 4 MiB blocks) into
// ONE reused 4 MiB buffer, hashes every block as it fills with WebCrypto (one-shot per 512 KiB leaf,
// then one over the leaves' digests, as @shuttle/protocol defines a block's digest) and posts each
// 32-byte digest back. Leaves, not whole blocks: digest() of 1 MiB or more cost Chromium 0.9
// CPU-s/GiB, of 512 KiB 0.52. One stream per segment, not one read per block: Chromium's CPU to
// bring a disk-backed File into a worker measured 1.8–2.6 CPU-s/GiB through 4 MiB slices and
// 0.5–1.2 through 16 MiB-and-larger streams (bench/hash-probe.mjs). `digest()` copies its input when
// called, so the buffer is refilled at once while the digests finish; at most one block's are
// pending, so memory stays at about two blocks per worker however big the file. A fresh
// ArrayBuffer per block (`blob.arrayBuffer()`) is only collected when V8 gets round to it: 1 GiB of
// them measured +1 GiB of RSS across two workers.

interface Segment {
  /** Index of the segment's first block. */
  first: number
  blob: Blob
  blockSize: number
  leafSize: number
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Segment>) => void) | null
  postMessage(message: unknown, transfer?: Transferable[]): void
}

let buffer: ArrayBuffer | undefined

/** Calls `onBlock` with each consecutive `blockSize` bytes of `blob` (the last one shorter). */
async function eachBlock(
  blob: Blob,
  blockSize: number,
  onBlock: (bytes: Uint8Array<ArrayBuffer>) => Promise<void>,
): Promise<void> {
  if (!buffer || buffer.byteLength < blockSize) buffer = new ArrayBuffer(blockSize)
  let reader: ReadableStreamBYOBReader
  try {
    reader = blob.stream().getReader({ mode: 'byob' })
  } catch {
    // No byte streams here: a buffer per block.
    for (let at = 0; at < blob.size; at += blockSize)
      await onBlock(new Uint8Array(await blob.slice(at, at + blockSize).arrayBuffer()))
    return
  }
  let buf = buffer
  let fill = 0
  let total = 0
  try {
    for (;;) {
      // Each read detaches the buffer it was given and hands back the same memory, filled.
      const { value, done } = await reader.read(new Uint8Array(buf, fill, blockSize - fill))
      if (value) {
        buf = value.buffer as ArrayBuffer
        fill += value.byteLength
        total += value.byteLength
      }
      if (fill === blockSize || (done && fill > 0)) {
        await onBlock(new Uint8Array(buf, 0, fill))
        fill = 0
      }
      if (done) break
    }
  } finally {
    reader.releaseLock()
    buffer = buf
  }
  if (total !== blob.size) throw new Error(`read ${total} of ${blob.size} bytes`)
}

const sha256 = async (bytes: Uint8Array<ArrayBuffer>) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))

/** The block's digest; every leaf's digest() is called (and its input copied) before this returns. */
function blockDigest(bytes: Uint8Array<ArrayBuffer>, leafSize: number): Promise<ArrayBuffer> {
  const leaves: Promise<Uint8Array>[] = []
  for (let at = 0; at < bytes.length; at += leafSize) leaves.push(sha256(bytes.subarray(at, at + leafSize)))
  return Promise.all(leaves).then((digests) => {
    const all = new Uint8Array(digests.length * 32)
    digests.forEach((d, k) => {
      all.set(d, k * 32)
    })
    return crypto.subtle.digest('SHA-256', all)
  })
}

let queue: Promise<void> = Promise.resolve()

scope.onmessage = (e) => {
  const { first, blob, blockSize, leafSize } = e.data
  queue = queue.then(async () => {
    let i = first
    let pending: Promise<void> = Promise.resolve()
    try {
      await eachBlock(blob, blockSize, async (bytes) => {
        await pending // one block's digests in flight: bounded memory
        const index = i++
        const last = index === first + Math.ceil(blob.size / blockSize) - 1
        // The inputs are copied when digest() is called: the buffer may be refilled at once.
        pending = blockDigest(bytes, leafSize).then((digest) =>
          scope.postMessage({ i: index, digest, last }, [digest]),
        )
        pending.catch(() => {}) // awaited above or below; not unhandled while the next block fills
      })
      await pending
    } catch (err) {
      scope.postMessage({ i, error: err instanceof Error ? err.message : String(err) })
    }
  })
}
