/** Props of <ShuttleDragger>, usable alone as a drop zone. */
export interface DraggerProps {
  /** Same rule as the picker: `.png`, `image/*`, `application/pdf`. */
  accept?: string
  disabled?: boolean
  /** Walk dropped folders (default true). */
  folders?: boolean
  /** Keep each dropped file's File System Access handle (see <ShuttleUpload restore>). */
  handles?: boolean
}

export interface DraggerEmits {
  /** Accepted files of one drop, folders flattened. */
  file: [files: File[]]
  /** Files the accept rule turned away. */
  reject: [files: File[]]
}
