// Element Plus's upload docs examples, rewritten by us in the same spirit. Each template is written
// for <el-upload>; the Shuttle column gets the same text with only the tag changed (swapTag).
import { ElMessage, ElMessageBox, genFileId } from 'element-plus'
import { ref } from 'vue'

export type Side = 'el' | 'shuttle'
export interface Ctx {
  side: Side
  /** Form action of this side (a real server that records each request). */
  action: string
  /** Records what a user would see or a hook received, for the test to compare. */
  log(entry: string): void
}
export interface Example {
  id: string
  title: string
  template: string
  setup(ctx: Ctx): Record<string, unknown>
}

type Listed = { name: string; url?: string; uid?: number }
type Uploader = {
  clearFiles(): void
  handleStart(f: File): void
  submit(): void
  handleRemove(f: Listed): void
}

export const EXAMPLES: Example[] = [
  {
    id: 'basic',
    title: 'Basic: multiple, limit 3, on-exceed, before-remove',
    template: `<el-upload v-model:file-list="fileList" class="upload-demo" :action="action" multiple :limit="3"
        :on-preview="handlePreview" :on-remove="handleRemove" :before-remove="beforeRemove" :on-exceed="handleExceed">
      <el-button type="primary">Click to upload</el-button>
      <template #tip><div class="el-upload__tip">jpg/png files under 500 KB</div></template>
    </el-upload>`,
    setup: ({ action, log }) => {
      const fileList = ref<Listed[]>([
        { name: 'kitten.jpeg', url: '/kitten.jpeg' },
        { name: 'puppy.jpeg', url: '/puppy.jpeg' },
      ])
      return {
        action,
        fileList,
        handlePreview: (f: Listed) => log(`preview ${f.name}`),
        handleRemove: (f: Listed, list: Listed[]) => log(`remove ${f.name} left ${list.length}`),
        beforeRemove: (f: Listed) =>
          ElMessageBox.confirm(`Stop the transfer of ${f.name}?`).then(
            () => true,
            () => false,
          ),
        handleExceed: (files: File[], list: Listed[]) => {
          const msg = `The limit is 3: you picked ${files.length} files, ${files.length + list.length} in all`
          log(`exceed: ${msg}`)
          ElMessage.warning(msg)
        },
      }
    },
  },
  {
    id: 'avatar',
    title: 'Avatar: show-file-list off, before-upload checks, on-success shows it',
    template: `<el-upload class="avatar-uploader" :action="action" :show-file-list="false"
        :on-success="handleAvatarSuccess" :before-upload="beforeAvatarUpload">
      <img v-if="imageUrl" :src="imageUrl" class="avatar" />
      <el-icon v-else class="avatar-uploader-icon"><Plus /></el-icon>
    </el-upload>`,
    setup: ({ action, log }) => {
      const imageUrl = ref('')
      return {
        action,
        imageUrl,
        handleAvatarSuccess: (res: unknown, f: { raw: File; name: string }) => {
          log(`success ${f.name} ${JSON.stringify(res)}`)
          imageUrl.value = URL.createObjectURL(f.raw)
        },
        beforeAvatarUpload: (raw: File) => {
          if (raw.type !== 'image/jpeg') {
            log(`refused ${raw.name}: not jpeg`)
            ElMessage.error('Avatar picture must be JPG format!')
            return false
          }
          if (raw.size / 1024 / 1024 > 2) {
            ElMessage.error('Avatar picture size can not exceed 2MB!')
            return false
          }
          return true
        },
      }
    },
  },
  {
    id: 'drag',
    title: 'Drag to upload',
    template: `<el-upload class="upload-demo" drag :action="action" multiple :on-success="onSuccess">
      <el-icon class="el-icon--upload"><UploadFilled /></el-icon>
      <div class="el-upload__text">Drop file here or <em>click to upload</em></div>
      <template #tip><div class="el-upload__tip">jpg/png files under 500 KB</div></template>
    </el-upload>`,
    setup: ({ action, log }) => ({ action, onSuccess: (_r: unknown, f: Listed) => log(`success ${f.name}`) }),
  },
  {
    id: 'limit-cover',
    title: 'Cover the previous file (limit 1, on-exceed replaces it)',
    template: `<el-upload ref="upload" class="upload-demo" :action="action" :limit="1" :on-exceed="handleExceed"
        :auto-upload="false" :on-success="onSuccess">
      <template #trigger><el-button type="primary">select file</el-button></template>
      <el-button class="ml-3 submit" type="success" @click="submitUpload">upload to server</el-button>
      <template #tip><div class="el-upload__tip text-red">limit 1 file, a new file covers the old one</div></template>
    </el-upload>`,
    setup: ({ action, log }) => {
      const upload = ref<Uploader>()
      return {
        action,
        upload,
        handleExceed: (files: File[]) => {
          upload.value?.clearFiles()
          const file = files[0] as File & { uid: number }
          file.uid = genFileId()
          upload.value?.handleStart(file)
          log(`covered by ${file.name}`)
        },
        submitUpload: () => upload.value?.submit(),
        onSuccess: (_r: unknown, f: Listed) => log(`success ${f.name}`),
      }
    },
  },
  {
    id: 'manual',
    title: 'Manual upload (auto-upload off, submit())',
    template: `<el-upload ref="uploadRef" class="upload-demo" :action="action" :auto-upload="false" multiple :on-success="onSuccess">
      <template #trigger><el-button type="primary">select file</el-button></template>
      <el-button class="ml-3 submit" type="success" @click="submitUpload">upload to server</el-button>
      <template #tip><div class="el-upload__tip">jpg/png files under 500 KB</div></template>
    </el-upload>`,
    setup: ({ action, log }) => {
      const uploadRef = ref<Uploader>()
      return {
        action,
        uploadRef,
        submitUpload: () => uploadRef.value?.submit(),
        onSuccess: (_r: unknown, f: Listed) => log(`success ${f.name}`),
      }
    },
  },
  {
    id: 'picture-card',
    title: 'Picture card with a preview dialog',
    template: `<div><el-upload v-model:file-list="fileList" :action="action" list-type="picture-card"
        :on-preview="handlePictureCardPreview" :on-remove="handleRemove">
      <el-icon><Plus /></el-icon>
    </el-upload>
    <el-dialog v-model="dialogVisible" :title="'Preview ' + side"><img style="width:100%" :src="dialogImageUrl" alt="Preview Image" /></el-dialog></div>`,
    setup: ({ action, log, side }) => {
      const dialogVisible = ref(false)
      const dialogImageUrl = ref('')
      return {
        action,
        side,
        fileList: ref<Listed[]>([]),
        dialogVisible,
        dialogImageUrl,
        handlePictureCardPreview: (f: Listed) => {
          log(`preview ${f.name}`)
          dialogImageUrl.value = f.url ?? ''
          dialogVisible.value = true
        },
        handleRemove: (f: Listed, list: Listed[]) => log(`remove ${f.name} left ${list.length}`),
      }
    },
  },
  {
    id: 'thumbnail',
    title: 'Custom thumbnail (file slot)',
    template: `<el-upload ref="up" action="#" list-type="picture-card" :auto-upload="false">
      <el-icon><Plus /></el-icon>
      <template #file="{ file }">
        <div>
          <img class="el-upload-list__item-thumbnail" :src="file.url" alt="" />
          <span class="el-upload-list__item-actions">
            <span class="el-upload-list__item-preview" @click="handlePreview(file)"><el-icon><ZoomIn /></el-icon></span>
            <span class="el-upload-list__item-delete" @click="handleRemove(file)"><el-icon><Delete /></el-icon></span>
          </span>
        </div>
      </template>
    </el-upload>`,
    setup: ({ log }) => {
      const up = ref<Uploader>()
      return {
        up,
        handlePreview: (f: Listed) =>
          log(`preview ${f.name} ${f.url?.startsWith('blob:') ? 'blob-url' : f.url}`),
        handleRemove: (f: Listed) => {
          log(`remove ${f.name}`)
          up.value?.handleRemove(f)
        },
      }
    },
  },
]
