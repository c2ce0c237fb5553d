import { describe, expect, it } from 'vitest'
import { contentDisposition, downloadHeaders, safeContentType } from './content-disposition.js'

describe('contentDisposition', () => {
  it('quotes a plain name and adds the UTF-8 form', () => {
    expect(contentDisposition('report.pdf')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    )
  })

  it('strips quotes, backslashes and CR/LF so the header cannot be split or escaped', () => {
    const value = contentDisposition('a"b\\c\r\nSet-Cookie: x=1.txt')
    expect(value).not.toMatch(/[\r\n\\]/)
    expect(value).toBe(
      `attachment; filename="abcSet-Cookie: x=1.txt"; filename*=UTF-8''abcSet-Cookie%3A%20x%3D1.txt`,
    )
  })

  it('replaces non-ASCII in the quoted form and percent-encodes the UTF-8 form', () => {
    expect(contentDisposition("résumé (1)'s.pdf")).toBe(
      `attachment; filename="r_sum_ (1)'s.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29%27s.pdf`,
    )
  })

  it('drops path separators and falls back to a bare attachment', () => {
    expect(contentDisposition('../../etc/passwd')).toContain('filename=".._.._etc_passwd"')
    expect(contentDisposition(undefined)).toBe('attachment')
    expect(contentDisposition('\r\n\0')).toBe('attachment')
  })
})

describe('safeContentType', () => {
  it.each([
    [{ filetype: 'image/png' }, 'image/png'],
    [{ type: 'Text/Plain' }, 'text/plain'],
    [{ contentType: 'application/vnd.api+json' }, 'application/vnd.api+json'],
    [{ filetype: 'text/html; charset=utf-8' }, 'application/octet-stream'],
    [{ filetype: 'text/html\r\nX-Evil: 1' }, 'application/octet-stream'],
    [{ filetype: 'nonsense' }, 'application/octet-stream'],
    [{}, 'application/octet-stream'],
  ])('%j → %s', (metadata, expected) => {
    expect(safeContentType(metadata)).toBe(expected)
  })
})

describe('download headers', () => {
  it('strips every bidirectional control from names', () => {
    const name = 'a\u202eb\u202ac\u202bd\u202ce\u202df\u2066g\u2067h\u2068i\u2069j\u200ek\u200fl\u061cm.png'
    expect(contentDisposition(name)).toBe(
      `attachment; filename="abcdefghijklm.png"; filename*=UTF-8''abcdefghijklm.png`,
    )
    expect(contentDisposition('\u202egnp.exe')).toContain('filename="gnp.exe"')
  })

  it.each([
    ['image/png', 'image/png', 'inline'],
    ['video/mp4', 'video/mp4', 'inline'],
    ['text/plain', 'text/plain', 'inline'],
    ['text/html', 'application/octet-stream', 'attachment'],
    ['image/svg+xml', 'application/octet-stream', 'attachment'],
    ['application/pdf', 'application/octet-stream', 'attachment'],
    ['application/xhtml+xml', 'application/octet-stream', 'attachment'],
  ])('%s is served as %s, %s, sandboxed and nosniff', (declared, type, disposition) => {
    const h = downloadHeaders({ filetype: declared, filename: 'x' })
    expect(h['Content-Type']).toBe(type)
    expect(h['Content-Disposition']).toBe(`${disposition}; filename="x"; filename*=UTF-8''x`)
    expect(h['Content-Security-Policy']).toBe('sandbox')
    expect(h['X-Content-Type-Options']).toBe('nosniff')
  })
})
