// Base64 <-> UTF-8 without Buffer, so the same code runs in browsers and Node.

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export function isBase64(value: string): boolean {
  return BASE64_RE.test(value)
}

export function encodeBase64Utf8(value: string): string {
  return encodeBase64(new TextEncoder().encode(value))
}

/** Encodes raw bytes (checksum digests) as standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/** Decodes strict base64 to bytes; returns undefined when it is not valid base64. */
export function decodeBase64(value: string): Uint8Array | undefined {
  if (!isBase64(value)) return undefined
  const binary = atob(value)
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

export function decodeBase64Utf8(value: string): string | undefined {
  const bytes = decodeBase64(value)
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes)
}
