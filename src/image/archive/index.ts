// Image archives: `docker save` (a tar that is both a Docker archive and an OCI image layout), `docker load` (Docker
// archives old and new, OCI layouts, plain or gzip) and `docker import` (a rootfs tar as a one-layer image).
//
// The layout save writes (every blob once, however many images share it):
//   blobs/sha256/<diffID hex>        each layer, uncompressed (OCI blob)
//   <v1 ID hex>/VERSION, json        legacy per-layer metadata (pre-1.10 loaders), v1 IDs as moby's CreateID
//   <v1 ID hex>/layer.tar            symlink → ../blobs/sha256/<diffID hex>
//   blobs/sha256/<image ID hex>      the config; `<image ID hex>.json` is a symlink to it
//   blobs/sha256/<manifest hex>      an OCI image manifest per image (uncompressed layers)
//   index.json                       one descriptor per tag (io.containerd.image.name, ref.name), or one untagged
//   manifest.json                    [{Config: "<id>.json", RepoTags, Layers: ["<v1 id>/layer.tar"...], Parent?}]
//   oci-layout, repositories         {"imageLayoutVersion": "1.0.0"}; {"repo":{"tag":"<top v1 ID hex>"}}
export { applyChanges, parseDuration } from './changes.js';
export { type ImportDeps, type ImportOptions, importImage } from './import.js';
export { FileLayerAccess, type LayerAccess } from './layers.js';
export { type LoadDeps, type LoadResult, loadImages } from './load.js';
export { type SaveDeps, saveImages, selectImages } from './save.js';
export { createV1Id, v1Layers } from './v1.js';
