// OCI image-spec and Docker schema2 structures as they appear on the wire (their JSON field names), media types, and
// validators that turn untrusted JSON (load, pull) into these types or throw InvalidParameter saying what is wrong.
import { InvalidParameter } from '../errdefs/index.js';
import { type Digest, isDigest } from '../lib/digest.js';

// ---- media types ----

export const MediaType = {
  // OCI image-spec v1
  OciDescriptor: 'application/vnd.oci.descriptor.v1+json',
  OciLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  // Docker image manifest v2, schema 2
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerPluginConfig: 'application/vnd.docker.plugin.v1+json',
  // Schema 1 is only recognised, to refuse it clearly.
  DockerSchema1Manifest: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1SignedManifest: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;
export type MediaType = (typeof MediaType)[keyof typeof MediaType];

export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.OciManifest, MediaType.DockerManifest];
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.OciIndex, MediaType.DockerManifestList];
export const CONFIG_MEDIA_TYPES: readonly string[] = [MediaType.OciConfig, MediaType.DockerConfig];
export const LAYER_MEDIA_TYPES: readonly string[] = [
  MediaType.OciLayer,
  MediaType.OciLayerGzip,
  MediaType.OciLayerZstd,
  MediaType.OciLayerNondistributable,
  MediaType.OciLayerNondistributableGzip,
  MediaType.OciLayerNondistributableZstd,
  MediaType.DockerLayerGzip,
  MediaType.DockerForeignLayerGzip,
];

export const isManifestMediaType = (m: string | undefined): boolean =>
  m !== undefined && MANIFEST_MEDIA_TYPES.includes(m);
export const isIndexMediaType = (m: string | undefined): boolean => m !== undefined && INDEX_MEDIA_TYPES.includes(m);
export const isLayerMediaType = (m: string | undefined): boolean => m !== undefined && LAYER_MEDIA_TYPES.includes(m);

/** Well-known annotation keys (OCI) and the one containerd and `docker save` put on index entries. */
export const Annotation = {
  RefName: 'org.opencontainers.image.ref.name',
  Created: 'org.opencontainers.image.created',
  BaseName: 'org.opencontainers.image.base.name',
  BaseDigest: 'org.opencontainers.image.base.digest',
  ContainerdImageName: 'io.containerd.image.name',
} as const;

// ---- OCI image-spec structures ----

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  features?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** Only meaningful on index entries. */
  platform?: Platform;
  artifactType?: string;
  /** Base64 of the content itself (embedded small blobs). */
  data?: string;
}

/** An OCI image manifest, or a Docker schema2 manifest (the same shape, with a mandatory Docker mediaType). */
export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An OCI image index, or a Docker manifest list. */
export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type DockerManifest = Manifest & { mediaType: typeof MediaType.DockerManifest };
export type DockerManifestList = Index & { mediaType: typeof MediaType.DockerManifestList };

/** Durations are nanoseconds, as in Docker's JSON. */
export interface HealthConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/**
 * The execution parameters in an image config (`config`). The OCI fields plus the Docker extensions images carry
 * (Healthcheck, OnBuild, Shell) and the container-only fields Docker also writes there (Hostname, Tty…).
 */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  /** Windows-only meaning; kept for round trips. */
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  // Written by Docker into `config`/`container_config`, not used to run the image.
  Hostname?: string;
  Domainname?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Image?: string;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  StopTimeout?: number;
}

export interface RootFS {
  type: 'layers';
  diff_ids: Digest[];
}

export interface History {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/**
 * An image config (`application/vnd.oci.image.config.v1+json` / Docker's `container.image.v1+json`). Its sha256 is
 * the image ID. `architecture` and `os` are REQUIRED by OCI, but Docker accepts configs without them (it then assumes
 * the host's OS), so the parser does too.
 */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ContainerConfig;
  rootfs: RootFS;
  history?: History[];
  // Docker's additions (legacy v1 fields it still writes).
  id?: string;
  parent?: string;
  comment?: string;
  container?: string;
  container_config?: ContainerConfig;
  docker_version?: string;
  size?: number;
}

// ---- validation ----

type Json = Record<string, unknown>;
type Check = (v: unknown, where: string) => void;

const fail = (what: string, where: string, message: string): never => {
  throw new InvalidParameter(`invalid ${what}: ${where} ${message}`);
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// Parsers may normalise what they return, so an already-parsed input is copied rather than changed in place.
function decode(input: string | Uint8Array | unknown, what: string): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return structuredClone(input);
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidParameter(`invalid ${what}: ${(e as Error).message}`, { cause: e });
  }
}

function validator(what: string) {
  const check = {
    what,
    string: (v: unknown, where: string) => {
      if (typeof v !== 'string') fail(what, where, 'must be a string');
    },
    bool: (v: unknown, where: string) => {
      if (typeof v !== 'boolean') fail(what, where, 'must be a boolean');
    },
    int: (v: unknown, where: string) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(what, where, 'must be an integer');
    },
    size: (v: unknown, where: string) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
        fail(what, where, 'must be a non-negative integer');
    },
    digest: (v: unknown, where: string) => {
      if (!isDigest(v)) fail(what, where, `must be a digest (algorithm:hex), got ${JSON.stringify(v)}`);
    },
    strings: (v: unknown, where: string) => {
      if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(what, where, 'must be an array of strings');
    },
    stringMap: (v: unknown, where: string) => {
      if (!isObject(v) || Object.values(v).some((s) => typeof s !== 'string')) {
        fail(what, where, 'must be an object of strings');
      }
    },
    set: (v: unknown, where: string) => {
      if (!isObject(v) || Object.values(v).some((s) => !isObject(s))) fail(what, where, 'must be an object of {}');
    },
    object: (v: unknown, where: string): Json => {
      if (!isObject(v)) fail(what, where, 'must be an object');
      return v as Json;
    },
    /** Checks the fields that are present; `nullable` ones may also be null. */
    fields: (obj: Json, prefix: string, spec: Record<string, Check>, nullable: readonly string[] = []) => {
      for (const [key, fn] of Object.entries(spec)) {
        const v = obj[key];
        if (v === undefined || (v === null && nullable.includes(key))) continue;
        fn(v, prefix + key);
      }
    },
  };
  return check;
}

// Docker's strslice accepts `"Cmd": "sh"` as well as `["sh"]`.
function normaliseStrSlice(obj: Json, key: string): void {
  if (typeof obj[key] === 'string') obj[key] = [obj[key]];
}

function checkPlatform(v: ReturnType<typeof validator>, p: unknown, where: string): void {
  const o = v.object(p, where);
  v.fields(o, `${where}.`, {
    architecture: v.string,
    os: v.string,
    'os.version': v.string,
    'os.features': v.strings,
    variant: v.string,
    features: v.strings,
  });
  if (o.architecture === undefined) fail(v.what, `${where}.architecture`, 'is required');
  if (o.os === undefined) fail(v.what, `${where}.os`, 'is required');
}

function checkContainerConfig(v: ReturnType<typeof validator>, c: unknown, where: string): void {
  const o = v.object(c, where);
  for (const key of ['Cmd', 'Entrypoint', 'Shell']) normaliseStrSlice(o, key);
  v.fields(
    o,
    `${where}.`,
    {
      User: v.string,
      ExposedPorts: v.set,
      Env: v.strings,
      Entrypoint: v.strings,
      Cmd: v.strings,
      Volumes: v.set,
      WorkingDir: v.string,
      Labels: v.stringMap,
      StopSignal: v.string,
      ArgsEscaped: v.bool,
      OnBuild: v.strings,
      Shell: v.strings,
      Hostname: v.string,
      Domainname: v.string,
      Image: v.string,
      Tty: v.bool,
      OpenStdin: v.bool,
      StopTimeout: v.int,
      Healthcheck: (h, w) => {
        const ho = v.object(h, w);
        v.fields(
          ho,
          `${w}.`,
          {
            Test: v.strings,
            Interval: v.int,
            Timeout: v.int,
            StartPeriod: v.int,
            StartInterval: v.int,
            Retries: v.int,
          },
          ['Test'],
        );
      },
    },
    ['ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'Labels', 'OnBuild', 'Shell'],
  );
}

/**
 * Validates an image config (bytes, text or already-parsed JSON) and returns it typed. Checks what Docker checks
 * (rootfs present; no more non-empty history entries than layers) and the type of every known field, so later code
 * can trust it. A string `Cmd`/`Entrypoint`/`Shell` is turned into a one-element array, as Docker reads it.
 * Throws InvalidParameter naming the offending field.
 */
export function parseImageConfig(input: string | Uint8Array | unknown): ImageConfig {
  const what = 'image config';
  const v = validator(what);
  const json = decode(input, what);
  if (!isObject(json)) throw new InvalidParameter(`invalid ${what}: must be a JSON object`);
  // Docker's own message for the one field it insists on.
  if (json.rootfs === undefined || json.rootfs === null)
    throw new InvalidParameter('invalid image JSON, no RootFS key');
  const rootfs = v.object(json.rootfs, 'rootfs');
  if (rootfs.type !== 'layers') fail(what, 'rootfs.type', `must be "layers", got ${JSON.stringify(rootfs.type)}`);
  if (rootfs.diff_ids === undefined || rootfs.diff_ids === null) rootfs.diff_ids = [];
  if (!Array.isArray(rootfs.diff_ids)) fail(what, 'rootfs.diff_ids', 'must be an array');
  for (const [i, d] of (rootfs.diff_ids as unknown[]).entries()) v.digest(d, `rootfs.diff_ids[${i}]`);

  v.fields(json, '', {
    created: v.string,
    author: v.string,
    architecture: v.string,
    os: v.string,
    'os.version': v.string,
    'os.features': v.strings,
    variant: v.string,
    id: v.string,
    parent: v.string,
    comment: v.string,
    container: v.string,
    docker_version: v.string,
    size: v.int,
    config: (c, w) => checkContainerConfig(v, c, w),
    container_config: (c, w) => checkContainerConfig(v, c, w),
    history: (h, w) => {
      if (!Array.isArray(h)) fail(what, w, 'must be an array');
      (h as unknown[]).forEach((entry, i) => {
        const e = v.object(entry, `${w}[${i}]`);
        v.fields(e, `${w}[${i}].`, {
          created: v.string,
          created_by: v.string,
          author: v.string,
          comment: v.string,
          empty_layer: v.bool,
        });
      });
    },
  });
  if (typeof json.created === 'string' && Number.isNaN(Date.parse(json.created))) {
    fail(what, 'created', `is not an RFC 3339 time: ${JSON.stringify(json.created)}`);
  }
  if (json.config === null) delete json.config;
  if (json.container_config === null) delete json.container_config;
  if (json.history === null) delete json.history;

  const history = (json.history as History[] | undefined) ?? [];
  const nonEmpty = history.filter((h) => !h.empty_layer).length;
  if (nonEmpty > (rootfs.diff_ids as unknown[]).length) {
    throw new InvalidParameter('too many non-empty layers in History section');
  }
  return json as unknown as ImageConfig;
}

function checkDescriptor(v: ReturnType<typeof validator>, d: unknown, where: string, what: string): void {
  const o = v.object(d, where);
  if (o.mediaType === undefined) fail(what, `${where}.mediaType`, 'is required');
  if (o.digest === undefined) fail(what, `${where}.digest`, 'is required');
  if (o.size === undefined) fail(what, `${where}.size`, 'is required');
  v.fields(o, `${where}.`, {
    mediaType: v.string,
    digest: v.digest,
    size: v.size,
    urls: v.strings,
    annotations: v.stringMap,
    artifactType: v.string,
    data: v.string,
    platform: (p, w) => checkPlatform(v, p, w),
  });
}

function checkSchemaVersion(json: Json, what: string): void {
  if (json.schemaVersion !== 2) {
    if (json.schemaVersion === 1) throw new InvalidParameter(`invalid ${what}: schema 1 manifests are not supported`);
    fail(what, 'schemaVersion', `must be 2, got ${JSON.stringify(json.schemaVersion)}`);
  }
}

/** Validates an image manifest (OCI or Docker schema2) and returns it typed. Throws InvalidParameter. */
export function parseManifest(input: string | Uint8Array | unknown): Manifest {
  const what = 'manifest';
  const v = validator(what);
  const json = decode(input, what);
  if (!isObject(json)) throw new InvalidParameter(`invalid ${what}: must be a JSON object`);
  checkSchemaVersion(json, what);
  if (json.mediaType !== undefined && !isManifestMediaType(json.mediaType as string)) {
    fail(what, 'mediaType', `is not an image manifest: ${JSON.stringify(json.mediaType)}`);
  }
  if (json.config === undefined) fail(what, 'config', 'is required');
  checkDescriptor(v, json.config, 'config', what);
  if (!Array.isArray(json.layers)) fail(what, 'layers', 'must be an array');
  for (const [i, l] of (json.layers as unknown[]).entries()) checkDescriptor(v, l, `layers[${i}]`, what);
  v.fields(json, '', {
    artifactType: v.string,
    annotations: v.stringMap,
    subject: (s, w) => checkDescriptor(v, s, w, what),
  });
  return json as unknown as Manifest;
}

/** Validates an image index (OCI) or manifest list (Docker) and returns it typed. Throws InvalidParameter. */
export function parseIndex(input: string | Uint8Array | unknown): Index {
  const what = 'index';
  const v = validator(what);
  const json = decode(input, what);
  if (!isObject(json)) throw new InvalidParameter(`invalid ${what}: must be a JSON object`);
  checkSchemaVersion(json, what);
  if (json.mediaType !== undefined && !isIndexMediaType(json.mediaType as string)) {
    fail(what, 'mediaType', `is not an image index: ${JSON.stringify(json.mediaType)}`);
  }
  if (!Array.isArray(json.manifests)) fail(what, 'manifests', 'must be an array');
  for (const [i, m] of (json.manifests as unknown[]).entries()) checkDescriptor(v, m, `manifests[${i}]`, what);
  v.fields(json, '', {
    artifactType: v.string,
    annotations: v.stringMap,
    subject: (s, w) => checkDescriptor(v, s, w, what),
  });
  return json as unknown as Index;
}
