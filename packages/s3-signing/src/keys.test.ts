import { describe, expect, it } from 'vitest'
import { isGeneratedKey, isSubjectKey, newObjectKey, subjectPrefix } from './keys.js'

describe('subject prefixes', () => {
  it('percent-encode the subject: no slash, no dot segments, distinct subjects stay distinct', () => {
    expect(subjectPrefix('up/', 'alice')).toBe('up/alice/')
    expect(subjectPrefix('', '..')).toBe('%2E%2E/')
    expect(subjectPrefix('', 'a/b')).not.toBe(subjectPrefix('', 'a_b'))
    expect(subjectPrefix('', 'a/b')).toBe('a%2Fb/')
  })

  it('recognise keys made for some subject, and only those', () => {
    const key = newObjectKey(subjectPrefix('up/', 'alice'), 'x.bin')
    expect(isSubjectKey('up/', key)).toBe(true)
    expect(isGeneratedKey('up/', key)).toBe(false)
    expect(isSubjectKey('up/', key.replace('alice/', ''))).toBe(false)
    expect(isSubjectKey('up/', `up/alice/../${key.slice(9)}`)).toBe(false)
    expect(isSubjectKey('up/', 'up//0123456789abcdef0123456789abcdef/x')).toBe(false)
  })
})
