import type { DataStore, Logger, UploadInfo } from '../types.js'
import { isFinished } from '../upload-state.js'

export interface Usage {
  /** Uploads the subject keeps stored (finished or not). */
  readonly files: number
  /** Their declared lengths in bytes (what they hold once finished). */
  readonly bytes: number
  /** Unfinished ones. */
  readonly unfinished: number
}

interface Tracked {
  readonly key: string
  bytes: number
  finished: boolean
}

const ZERO: Usage = { files: 0, bytes: 0, unfinished: 0 }

/** The key quotas count under for a token subject (uploads record it as their owner). */
export const subjectKey = (sub: string): string => `sub:${sub}`

/**
 * What each subject keeps stored, for quotas: uploads created through this process, plus, once,
 * every upload with an owner the store lists (so a restart does not reset stored-bytes and file
 * counts of token subjects). Finishing, termination and expiry are fed in from the server's events.
 * Per process: instances sharing a store do not see each other's creations.
 */
export class UsageTracker {
  readonly #uploads = new Map<string, Tracked>()
  readonly #totals = new Map<string, { files: number; bytes: number; unfinished: number }>()
  #scan: Promise<void> | undefined
  readonly #store: DataStore
  readonly #logger: Logger
  readonly #scanOwners: boolean
  readonly #keepFinished: boolean

  /**
   * `scanOwners`: count what the store lists with an owner (tokens on) on the first `ready()`.
   * `keepFinished`: keep counting finished uploads (for stored-file and stored-byte limits);
   * without it a finished upload is forgotten, so memory stays bounded by the unfinished ones.
   */
  constructor(store: DataStore, logger: Logger, options: { scanOwners: boolean; keepFinished: boolean }) {
    this.#store = store
    this.#logger = logger
    this.#scanOwners = options.scanOwners
    this.#keepFinished = options.keepFinished
  }

  /** Resolves once the store's owned uploads are counted (the first call walks the store once). */
  ready(): Promise<void> {
    this.#scan ??= this.#scanStore()
    return this.#scan
  }

  usage(key: string): Usage {
    return this.#totals.get(key) ?? ZERO
  }

  add(id: string, key: string, bytes: number, finished: boolean): void {
    if (this.#uploads.has(id) || (finished && !this.#keepFinished)) return
    this.#uploads.set(id, { key, bytes, finished })
    this.#change(key, 1, bytes, finished ? 0 : 1)
  }

  finished(id: string): void {
    const t = this.#uploads.get(id)
    if (!t || t.finished) return
    if (!this.#keepFinished) {
      this.removed(id)
      return
    }
    t.finished = true
    this.#change(t.key, 0, 0, -1)
  }

  resized(id: string, bytes: number): void {
    const t = this.#uploads.get(id)
    if (!t) return
    this.#change(t.key, 0, bytes - t.bytes, 0)
    t.bytes = bytes
  }

  removed(id: string): void {
    const t = this.#uploads.get(id)
    if (!t) return
    this.#uploads.delete(id)
    this.#change(t.key, -1, -t.bytes, t.finished ? 0 : -1)
  }

  #change(key: string, files: number, bytes: number, unfinished: number): void {
    const now = this.#totals.get(key) ?? { files: 0, bytes: 0, unfinished: 0 }
    now.files += files
    now.bytes += bytes
    now.unfinished += unfinished
    if (now.files <= 0) this.#totals.delete(key)
    else this.#totals.set(key, now)
  }

  async #scanStore(): Promise<void> {
    if (!this.#scanOwners || !this.#store.list) return
    try {
      for await (const upload of this.#store.list()) this.#addListed(upload)
    } catch (err) {
      // Quotas then count from this process's creations only; uploads keep working.
      this.#logger.error('Could not list the store to count stored uploads per subject', err)
    }
  }

  #addListed(upload: UploadInfo): void {
    if (upload.owner === undefined) return
    this.add(upload.id, subjectKey(upload.owner), upload.size ?? upload.offset, isFinished(upload))
  }
}
