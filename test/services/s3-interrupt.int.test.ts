import { describe, expect, it, onTestFinished } from 'vitest'
import { waitUntil } from '../../packages/core/test/helpers/files.js'
import { isRunning, startFixtureRun } from './fixtures/run-fixture.js'

// Ceph's daemons leave the process tree of the run that started them (they daemonize), so only
// the guard can stop them after a Ctrl-C: this interrupts a real run that started a private RGW.
describe('a Ceph RGW started by a test run is stopped when the run is interrupted', () => {
  it('Ctrl-C (SIGINT to the whole process group) leaves no mon, osd or radosgw behind', async () => {
    const run = await startFixtureRun({ FIXTURE_RGW: '1' })
    onTestFinished(() => {
      if (run.child.exitCode === null && run.child.signalCode === null)
        process.kill(-(run.child.pid as number), 'SIGKILL')
    })
    const { rgw, rgwEndpoint, redis, guard } = run.started
    expect(rgw).toHaveLength(3)
    for (const pid of [...rgw, redis, guard]) expect(isRunning(pid)).toBe(true)
    expect((await fetch(rgwEndpoint as string)).status).toBe(200)

    process.kill(-(run.child.pid as number), 'SIGINT')
    await run.exited
    await waitUntil(
      () => ![...rgw, redis, guard].some(isRunning),
      60_000,
      'RGW, redis-server and the guard to exit',
    )
    await expect(fetch(rgwEndpoint as string)).rejects.toThrow()
  })
})
