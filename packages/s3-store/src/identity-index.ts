import { isValidUploadId } from '@shuttle/server'
import type { Bucket } from './bucket.js'

const HEX_RE = /^[0-9a-f]{64}$/

/**
 * Which uploads hold which content identity: `<prefix>identity/<hex>/<id>`, one empty object per
 * upload, so a lookup is one ListObjectsV2 of the identity's prefix. An entry is only a hint:
 * readers check the upload's own info (finished, verified, same identity, owner) before trusting
 * it, so an entry a crash left behind is harmless and is deleted when found stale.
 */
export class IdentityIndex {
  readonly #bucket: Bucket
  readonly #root: string

  constructor(bucket: Bucket, prefix: string) {
    this.#bucket = bucket
    this.#root = `${prefix}identity/`
  }

  add(identity: string, id: string): Promise<void> {
    return this.#bucket.put(this.#key(identity, id), new Uint8Array(0))
  }

  remove(identity: string, id: string): Promise<void> {
    return this.#bucket.delete(this.#key(identity, id))
  }

  /** Upload ids listed under the identity (possibly stale). */
  async ids(identity: string): Promise<string[]> {
    const dir = this.#dir(identity)
    const ids: string[] = []
    for await (const o of this.#bucket.list(dir)) {
      const id = o.key.slice(dir.length)
      if (isValidUploadId(id)) ids.push(id)
    }
    return ids
  }

  #dir(identity: string): string {
    if (!HEX_RE.test(identity)) throw new Error(`Not a sha256-4m identity: ${identity.slice(0, 80)}`)
    return `${this.#root}${identity}/`
  }

  #key(identity: string, id: string): string {
    if (!isValidUploadId(id)) throw new Error(`Not an upload id: ${id.slice(0, 80)}`)
    return `${this.#dir(identity)}${id}`
  }
}
