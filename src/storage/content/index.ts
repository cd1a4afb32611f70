// The content store: blobs (layers, manifests, configs) named by their sha256 digest.
export { type BlobInfo, type BlobSource, ContentStore, type ExpectedContent } from './store.js';
