import type { FileRecord } from './file-record.js'

interface Entry {
  rec: FileRecord
  priority: number
  seq: number
}

const before = (a: Entry, b: Entry) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)

/**
 * The queued files, highest priority first, then earliest in the line: a binary heap, so starting
 * the next of 10 000 waiting files costs O(log n), not a scan. Entries are dropped lazily: one whose
 * file left 'queued' or changed priority or place is skipped when it reaches the top.
 */
export function createWaitingLine() {
  const heap: Entry[] = []
  const members = new Set<FileRecord>()
  const swap = (i: number, j: number) => {
    const t = heap[i] as Entry
    heap[i] = heap[j] as Entry
    heap[j] = t
  }
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(heap[i] as Entry, heap[p] as Entry)) return
      swap(i, p)
      i = p
    }
  }
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && before(heap[l] as Entry, heap[m] as Entry)) m = l
      if (r < heap.length && before(heap[r] as Entry, heap[m] as Entry)) m = r
      if (m === i) return
      swap(i, m)
      i = m
    }
  }
  const pop = () => {
    const last = heap.pop()
    if (heap.length > 0 && last) {
      heap[0] = last
      down(0)
    }
  }
  const file = (rec: FileRecord) => {
    heap.push({ rec, priority: rec.priority, seq: rec.seq })
    up(heap.length - 1)
  }
  return {
    get size() {
      return members.size
    },
    add(rec: FileRecord) {
      members.add(rec)
      file(rec)
    },
    delete(rec: FileRecord) {
      members.delete(rec)
    },
    /** A waiting file's priority or place changed: file it again (its old entry goes stale). */
    update(rec: FileRecord) {
      if (members.has(rec)) file(rec)
    },
    /** The file to start next, left in the line (starting it moves it out of 'queued'). */
    peek(): FileRecord | undefined {
      for (;;) {
        const top = heap[0]
        if (!top) return undefined
        const { rec } = top
        if (
          members.has(rec) &&
          rec.state.status === 'queued' &&
          top.priority === rec.priority &&
          top.seq === rec.seq
        )
          return rec
        pop()
      }
    },
  }
}

export type WaitingLine = ReturnType<typeof createWaitingLine>

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
  line?: WaitingLine,
): number {
  let seq = base
  for (const id of order) {
    const rec = records.get(id)
    if (rec && (rec.state.status === 'queued' || rec.state.status === 'idle')) {
      rec.seq = ++seq
      line?.update(rec)
    }
  }
  return seq
}
