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
  const seen = new Map<number, { phase: string; step: number }>()
  const phaseOf = (f: UploadFile) => fileStatusKey(f)
  watch(files, (list) => {
    const lines: string[] = []
    for (const f of list) {
      const step = Math.floor(f.percentage / 25)
      const prev = seen.get(f.uid)
      if (prev && prev.phase !== phaseOf(f)) {
        lines.push(t('announceStatus', { name: f.name, status: t(fileStatusKey(f)) }))
      } else if (prev && f.phase === 'uploading' && step > prev.step && step < 4) {
        lines.push(t('announceProgress', { name: f.name, percent: step * 25 }))
      }
      seen.set(f.uid, { phase: phaseOf(f), step })
    }
    if (lines.length) text.value = lines.join('. ')
  })
  return text
}
