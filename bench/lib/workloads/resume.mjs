// Kill the client child at ~50 %, start it again with the same checkpoint directory.
import { measureResume } from '../node-run.mjs'

export async function runResume({ pairs, tmpRoot, path, size, chunk, log }) {
  const rows = []
  for (const pair of pairs) {
    const config = { workload: 'file', path, size, chunkSize: chunk, parallel: 1 }
    try {
      const r = await measureResume({ pair, tmpRoot, config })
      log(
        `  ${pair.label.padEnd(32)} killed at ${((r.killedAt / size) * 100).toFixed(0)} %, server had ${((r.serverHadAtKill / size) * 100).toFixed(0)} %, re-sent ${r.resent} B`,
      )
      rows.push({
        pair: pair.id,
        pairLabel: pair.label,
        size,
        chunk,
        killedAt: r.killedAt,
        serverHadAtKill: r.serverHadAtKill,
        resent: r.resent,
        requests: r.server.requests,
        resumeMs: r.client.elapsedMs,
      })
    } catch (err) {
      const error = String(err?.message ?? err).split('\n')[0]
      log(`  ${pair.label.padEnd(32)} ERROR ${error}`)
      rows.push({ pair: pair.id, pairLabel: pair.label, size, chunk, error })
    }
  }
  return rows
}
