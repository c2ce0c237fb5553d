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

/**
 * Text for a polite live region: state changes, and progress in 25% steps only, so a screen
 * reader is told what matters without being flooded by every progress event.
 */
export function useAnnouncer(files: () => readonly UploadFile[], t: Translate): Ref<string> {
  const text = ref('')
  const seen = new Map<number, { phase: string; step: number }>()
  watch(files, (list) => {
    const lines: string[] = []
    for (const f of list) {
      const step = Math.floor(f.percentage / 25)
      const prev = seen.get(f.uid)
      if (prev && prev.phase !== f.phase) {
        lines.push(t('announceStatus', { name: f.name, status: t(statusKey(f.phase)) }))
      } else if (prev && f.phase === 'uploading' && step > prev.step && step < 4) {
        lines.push(t('announceProgress', { name: f.name, percent: step * 25 }))
      }
      seen.set(f.uid, { phase: f.phase, step })
    }
    if (lines.length) text.value = lines.join('. ')
  })
  return text
}
