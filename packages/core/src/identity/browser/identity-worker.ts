// One identity worker: hashes each Blob slice it is sent with WebCrypto (one-shot per 4 MiB block)
// and posts the 32-byte digest back. The page keeps at most two blocks in flight per worker.

interface Task {
  i: number
  blob: Blob
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Task>) => void) | null
  postMessage(message: unknown, transfer?: Transferable[]): void
}

scope.onmessage = async (e) => {
  const { i, blob } = e.data
  try {
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())
    scope.postMessage({ i, digest }, [digest])
  } catch (err) {
    scope.postMessage({ i, error: err instanceof Error ? err.message : String(err) })
  }
}
