/**
 * Storage: S3 transfers for the platform's data paths (`s3://bucket/key`). Node-only
 * (file streams); the SDK core loads it lazily with `await import('./storage/index.js')`
 * so users who never touch storage never load it.
 * @module
 */
export type { S3Access, S3AccessProvider } from './access.js';
export { staticS3Access } from './access.js';
export { createS3Client } from './client.js';
export { createDirectory } from './create-directory.js';
export { deleteObjects } from './delete.js';
export { type DownloadOptions, download } from './download.js';
export { downloadFile } from './download-file.js';
export type { IntegrityCheck, StorageErrorFields, StorageFailure } from './errors.js';
export { IntegrityError, StorageError, UnsafePathError } from './errors.js';
export type {
  FileAction,
  FileTransferred,
  LeftOut,
  TransferDirection,
  TransferEvent,
  TransferProgress,
  TransferSummary,
  Verification,
} from './events.js';
export { isSummary } from './events.js';
export { listObjects, type ObjectInfo } from './list.js';
export type { ListOptions, StorageOptions, TransferOptions } from './options.js';
export { addressPresence, bucketPresence, localFileProblem, type Presence } from './preflight.js';
export { quietS3Client, SILENT_S3_LOGGER } from './quietS3Client.js';
export { type UploadOptions, upload } from './upload.js';
