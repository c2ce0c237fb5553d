import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'

// A README claim is a test: the custom transport the README shows is the file the integration test
// (test/custom-transport.int.test.ts) runs through the engine, character for character.
const root = new URL('../', import.meta.url)

describe('packages/core/README.md', () => {
  it('shows test/examples/content-range-transport.ts verbatim', async () => {
    const readme = await readFile(new URL('README.md', root), 'utf8')
    const example = await readFile(new URL('test/examples/content-range-transport.ts', root), 'utf8')
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
  })
})
