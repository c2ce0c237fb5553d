import { randomBytes, randomInt } from 'node:crypto'
import { type ByteRange, CHALLENGE_MAX_BYTES, type Challenge } from '@shuttle/protocol'

/** How long a client has to answer a challenge. */
export const CHALLENGE_LIFETIME_MS = 60_000
const RANGES = 16
const RANGE_BYTES = 32 * 1024
/** Open challenges kept at most (oldest dropped first): bounded memory under a flood of creations. */
const MAX_OPEN = 10_000

export interface OpenChallenge extends Challenge {
  /** The finished upload whose bytes the client claims to hold. */
  readonly sourceId: string
  readonly expiresAt: number
}

/**
 * Challenges issued to new uploads that declared an identity the server holds, kept in this
 * process's memory only (a restart forgets them: the client then just uploads). Each is taken by
 * the first proof that arrives, right or wrong: one proof per challenge.
 */
export class Challenges {
  readonly #open = new Map<string, OpenChallenge>()

  /** A fresh challenge for upload `id` over a `size`-byte file: random nonce, random ranges. */
  issue(id: string, sourceId: string, size: number, now = Date.now()): OpenChallenge {
    const challenge = {
      nonce: randomBytes(32),
      ranges: pickRanges(size),
      sourceId,
      expiresAt: now + CHALLENGE_LIFETIME_MS,
    }
    if (this.#open.size >= MAX_OPEN) this.#open.delete(this.#open.keys().next().value as string)
    this.#open.set(id, challenge)
    return challenge
  }

  /** The open challenge of `id`, removed (spent); undefined when none or expired. */
  take(id: string, now = Date.now()): OpenChallenge | undefined {
    const challenge = this.#open.get(id)
    this.#open.delete(id)
    return challenge && challenge.expiresAt > now ? challenge : undefined
  }

  forget(id: string): void {
    this.#open.delete(id)
  }
}

/**
 * The whole file when it is at most CHALLENGE_MAX_BYTES; otherwise RANGES ranges of RANGE_BYTES at
 * random positions (sorted, so the server and client read forward), 512 KiB in all. The last byte
 * of the file is always asked for among them, so a file cut short cannot pass.
 */
export function pickRanges(size: number): ByteRange[] {
  if (size <= CHALLENGE_MAX_BYTES) return [{ start: 0, end: size - 1 }]
  const starts: number[] = [size - RANGE_BYTES]
  for (let i = 1; i < RANGES; i++) starts.push(randomInt(0, size - RANGE_BYTES + 1))
  starts.sort((a, b) => a - b)
  return starts.map((start) => ({ start, end: start + RANGE_BYTES - 1 }))
}
