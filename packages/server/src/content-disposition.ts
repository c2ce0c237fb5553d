// Builds download headers from client-supplied metadata, which is untrusted.

const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i

/**
 * Types a browser may show in place: they run no script in the page's origin. Images but SVG
 * (SVG is a document that runs scripts), audio, video and plain text (with nosniff it stays text).
 * Not PDF: browser viewers run its JavaScript, and the sandbox below keeps Chromium's viewer from
 * showing it anyway. Everything else is downloaded as application/octet-stream.
 */
export const INLINE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'audio/aac',
  'audio/flac',
  'audio/mp4',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'text/plain',
])

// Bidirectional controls (LRE…RLO, LRI…PDI, LRM/RLM, ALM) make "gnp.exe" look like "exe.png".
const BIDI_RE = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g

/** The name without bidirectional control characters. */
export function stripBidi(name: string): string {
  return name.replace(BIDI_RE, '')
}

/** The metadata's MIME type when it is a plain `type/subtype` token, else application/octet-stream. */
export function safeContentType(metadata: Readonly<Record<string, string>>): string {
  const candidate = metadata.filetype ?? metadata.type ?? metadata.contentType
  return candidate !== undefined && MIME_RE.test(candidate)
    ? candidate.toLowerCase()
    : 'application/octet-stream'
}

/**
 * The headers of a download: the declared type and `inline` only for `INLINE_TYPES`, else
 * application/octet-stream and `attachment`; always `Content-Security-Policy: sandbox` (a
 * document that is opened anyway runs in an opaque origin, with no script) and `nosniff`.
 */
export function downloadHeaders(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const type = safeContentType(metadata)
  const inline = INLINE_TYPES.has(type)
  return {
    'Content-Type': inline ? type : 'application/octet-stream',
    'Content-Disposition': contentDisposition(
      metadata.filename ?? metadata.name,
      inline ? 'inline' : 'attachment',
    ),
    'Content-Security-Policy': 'sandbox',
    'X-Content-Type-Options': 'nosniff',
  }
}

/**
 * `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (RFC 6266). Quotes,
 * backslashes, control characters (CR/LF included) and bidirectional controls are dropped, so the
 * value can neither break out of the quoted string, split the header, nor disguise an extension.
 */
export function contentDisposition(
  filename: string | undefined,
  disposition: 'attachment' | 'inline' = 'attachment',
): string {
  const cleaned = stripBidi(filename ?? '')
    .replace(/[\x00-\x1f\x7f"\\]/g, '')
    .replace(/[/]/g, '_')
    .trim()
    .slice(0, 255)
  if (cleaned === '') return disposition
  const ascii = cleaned.replace(/[^\x20-\x7e]/g, '_')
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(cleaned)}`
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
