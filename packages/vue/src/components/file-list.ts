import type { LocaleMessages, LocaleOption } from '../locale/index.js'
import type { ListType, UploadFile } from '../types.js'

/** Props of <ShuttleFileList>, usable alone (e.g. over `useUploader().files` via `toUploadFile`). */
export interface FileListProps {
  files: UploadFile[]
  listType?: ListType
  disabled?: boolean
  /** Show pause / resume / retry / cancel buttons (default true). */
  controls?: boolean
  /** The `crossorigin` attribute of thumbnails (el-upload's prop). */
  crossorigin?: '' | 'anonymous' | 'use-credentials'
  locale?: LocaleOption
  messages?: Partial<LocaleMessages>
}

export interface FileListEmits {
  remove: [file: UploadFile]
  preview: [file: UploadFile]
  pause: [file: UploadFile]
  resume: [file: UploadFile]
  retry: [file: UploadFile]
  cancel: [file: UploadFile]
}
