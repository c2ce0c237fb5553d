import type { FileRecord } from './file-record.js'

/** The next file to start: highest priority, then earliest in the waiting line. */
export function pickNext(records: Iterable<FileRecord>): FileRecord | undefined {
  let best: FileRecord | undefined
  for (const rec of records) {
    if (rec.state.status !== 'queued') continue
    if (!best || rec.priority > best.priority || (rec.priority === best.priority && rec.seq < best.seq))
      best = rec
  }
  return best
}

/** Moves `id` to `index` (clamped) in `order`; returns the new order. */
export function moveInOrder(order: readonly string[], id: string, index: number): string[] {
  const rest = order.filter((x) => x !== id)
  const at = Math.max(0, Math.min(rest.length, Math.trunc(index)))
  rest.splice(at, 0, id)
  return rest
}

/** After a move, the waiting line follows list order: renumber waiting files in list order. */
export function renumberWaiting(
  order: readonly string[],
  records: ReadonlyMap<string, FileRecord>,
  base: number,
): number {
  let seq = base
  for (const id of order) {
    const rec = records.get(id)
    if (rec && (rec.state.status === 'queued' || rec.state.status === 'idle')) rec.seq = ++seq
  }
  return seq
}
