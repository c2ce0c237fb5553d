import { connect } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { waitUntil } from '../../packages/core/test/helpers/files.js'
import { isRunning, startFixtureRun } from './fixtures/run-fixture.js'

// A vitest run exits on SIGINT/SIGTERM without its globalSetup teardowns, so the services the run
// started must be stopped by the guard. Each case interrupts a real run differently and checks
// that its redis-server and the guard are gone and the port is closed.

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

const cases: [string, (pid: number) => void][] = [
  ['Ctrl-C (SIGINT to the whole process group)', (pid) => process.kill(-pid, 'SIGINT')],
  ['SIGTERM to the vitest process', (pid) => process.kill(pid, 'SIGTERM')],
  ['SIGKILL of the vitest process', (pid) => process.kill(pid, 'SIGKILL')],
]

describe('services started by a test run are stopped when the run is interrupted', () => {
  it.each(cases)('%s', async (_name, interrupt) => {
    const run = await startFixtureRun()
    onTestFinished(() => {
      // A failed check must not leave the fixture run hanging.
      if (run.child.exitCode === null && run.child.signalCode === null)
        process.kill(-(run.child.pid as number), 'SIGKILL')
    })
    const { guard, redis, redisUrl } = run.started
    expect(isRunning(guard)).toBe(true)
    expect(isRunning(redis)).toBe(true)
    expect(await refused(redisUrl)).toBe(false)

    interrupt(run.child.pid as number)
    const exit = await run.exited
    expect(exit.code !== 0 || exit.signal !== null).toBe(true)
    await waitUntil(
      () => !isRunning(redis) && !isRunning(guard),
      15_000,
      'redis-server and the guard to exit',
    )
    expect(await refused(redisUrl)).toBe(true)
  })
})
