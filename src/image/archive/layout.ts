// Names and small records shared by save and load: the files of a Docker archive and of an OCI image layout.
import type { Digest } from '../../lib/digest.js';

export const MANIFEST_FILE = 'manifest.json';
export const REPOSITORIES_FILE = 'repositories';
export const OCI_INDEX_FILE = 'index.json';
export const OCI_LAYOUT_FILE = 'oci-layout';
/** Docker writes it with this spacing. */
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion": "1.0.0"}';
export const LEGACY_VERSION = '1.0';

/** One entry of manifest.json (Docker's manifestItem, its field order). */
export interface ManifestItem {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  Parent?: Digest;
  LayerSources?: Record<string, unknown>;
}

export const blobPath = (d: Digest): string => `blobs/${d.replace(':', '/')}`;
