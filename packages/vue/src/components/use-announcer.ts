import { type Ref, ref, watch } from 'vue'
import type { Translate } from '../locale/index.js'
import type { UploadFile } from '../types.js'

const STATUS_KEYS = {
  idle: 'statusIdle',
  queued: 'statusQueued',
  preparing: 'statusPreparing',
  uploading: 'statusUploading',
  paused: 'statusPaused',
  retrying: 'statusRetrying',
  completed: 'statusCompleted',
  failed: 'statusFailed',
  canceled: 'statusCanceled',
} as const

export const statusKey = (phase: UploadFile['phase']) => STATUS_KEYS[phase]

/** The status shown for one file: 'retrying' says what it waits for (the network, the server's limit). */
export function fileStatusKey(f: Pick<UploadFile, 'phase' | 'waitingFor' | 'alreadyUploaded' | 'hashing'>) {
  if (f.phase === 'preparing' && f.hashing) return 'statusHashing'
  if (f.phase === 'completed' && f.alreadyUploaded) return 'statusAlreadyUploaded'
  if (f.phase === 'retrying' && f.waitingFor === 'network') return 'statusWaitingNetwork'
  if (f.phase === 'retrying' && f.waitingFor === 'rate-limit') return 'statusRateLimited'
  return statusKey(f.phase)
}

/**
 * Text for a polite live region: state changes, and progress in 25% steps only, so a screen
 * reader is told what matters without being flooded by every progress event.
 */
export function useAnnouncer(files: () => readonly UploadFile[], t: Translate): Ref<string> {
  const text = ref('')
  const seen = new Map<number, { entry: UploadFile; phase: string; step: number }>()
  let last: readonly UploadFile[] = []
  watch(files, (list) => {
    const lines: string[] = []
    for (let i = 0; i < list.length; i++) {
      const f = list[i] as UploadFile
      // Entries are replaced, never changed in place: one that is the same object as before (at
      // the same place or not) has nothing new to say. With 10 000 files a change touches a few.
      if (last[i] === f) continue
      const prev = seen.get(f.uid)
      if (prev?.entry === f) continue
      const step = Math.floor(f.percentage / 25)
      const phase = fileStatusKey(f)
      if (prev && prev.phase !== phase) {
        lines.push(t('announceStatus', { name: f.name, status: t(phase) }))
      } else if (prev && f.phase === 'uploading' && step > prev.step && step < 4) {
        lines.push(t('announceProgress', { name: f.name, percent: step * 25 }))
      }
      seen.set(f.uid, { entry: f, phase, step })
    }
    // Files that left the list are forgotten (their entries hold their File objects).
    if (seen.size > list.length) {
      const kept = new Set(list.map((f) => f.uid))
      for (const uid of seen.keys()) if (!kept.has(uid)) seen.delete(uid)
    }
    last = list
    if (lines.length) text.value = lines.join('. ')
  })
  return text
}
