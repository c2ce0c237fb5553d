import './styles.css'

export { filterAccepted, matchesAccept } from './accept.js'
export { ajaxUpload, UploadAjaxError } from './components/ajax.js'
export type { DraggerEmits, DraggerProps } from './components/dragger.js'
export type { FileListEmits, FileListProps } from './components/file-list.js'
export { genUid as genFileId } from './components/list-state.js'
export { default as ShuttleDragger } from './components/shuttle-dragger.vue'
export { default as ShuttleFileList } from './components/shuttle-file-list.vue'
export { default as ShuttleProgress } from './components/shuttle-progress.vue'
export { default as ShuttleUpload } from './components/shuttle-upload.vue'
export type { UploadEmits, UploadHooks, UploadInstance, UploadProps } from './components/upload.js'
export type * from './engine.js'
export { describeError, type ErrorText, peopleMessage } from './error-text.js'
export { filesFromDataTransfer } from './folder.js'
export { formatBytes, formatEta, formatSpeed } from './format.js'
export * from './locale/index.js'
export { Shuttle } from './plugin.js'
export { toUploadFile } from './snapshot.js'
export * from './types.js'
export {
  computeTotals,
  type UploadTotals,
  type UseUploaderOptions,
  type UseUploaderReturn,
  useUploader,
} from './use-uploader.js'
