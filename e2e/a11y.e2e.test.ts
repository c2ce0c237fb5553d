import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { MiB, makeFile } from './helpers/files.js'
import { waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { type ScriptedTus, startScriptedTus } from './helpers/scripted-tus.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// axe-core (pinned in e2e/package.json) on the demo in each state a user meets: empty, uploading,
// paused, failed, done (and done in dark colours). No serious or critical violation is allowed.
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

interface Violation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[] }>
}

let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let front: ScriptedTus
let browser: Browser

async function scan(page: Page, state: string): Promise<void> {
  await page.addScriptTag({ path: AXE })
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: Violation[] }> } })
      .axe
    return (await axe.run(document)).violations
  })
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${state}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
  expect(bad, bad.join('\n')).toEqual([])
}

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-a11y-'))
  server = await startServer(join(tmp, 'uploads'))
  proxy = await startProxy(server.origin, 2 * MiB)
  front = await startScriptedTus(proxy.origin)
  front.scripts.set('denied.bin', { status: 403, body: 'Quota exceeded for this account' })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await front?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('axe-core on the demo (Chromium)', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme}: empty, uploading, paused, failed, done have no serious or critical violation`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme })
      const endpoint = encodeURIComponent(`${front.origin}/files/`)
      await page.goto(`${server.origin}/?chunk=${512 * 1024}&retries=0&endpoint=${endpoint}`)
      await page.locator('.shuttle-upload').waitFor()
      await scan(page, 'empty')

      const big = await makeFile(tmp, `big-${scheme}.bin`, 24 * MiB)
      await page.locator('input[type="file"]').setInputFiles([big.path])
      await waitForPhase(page, `big-${scheme}.bin`, 'uploading')
      await scan(page, 'uploading')

      await page.getByRole('button', { name: `Pause big-${scheme}.bin` }).click()
      await waitForPhase(page, `big-${scheme}.bin`, 'paused')
      await scan(page, 'paused')

      const denied = await makeFile(tmp, 'denied.bin', 1024)
      await page.locator('input[type="file"]').setInputFiles([denied.path])
      await waitForPhase(page, 'denied.bin', 'failed')
      await page.locator('.shuttle-file-list__tech summary').first().click()
      await scan(page, 'failed')

      await page.getByRole('button', { name: `Resume big-${scheme}.bin` }).click()
      await waitForPhase(page, `big-${scheme}.bin`, 'completed', 60_000)
      await scan(page, 'done')
      await page.close()
    })
  }
})
