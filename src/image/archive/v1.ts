// Docker's legacy (v1) layer metadata, written into saved archives so pre-1.10 loaders can read them: each layer gets
// a directory named by its v1 ID holding `json` (a V1Image), `VERSION` and `layer.tar`. The IDs are computed as
// moby's image/v1 CreateID does: sha256 of the V1Image JSON (without `id`) re-marshalled as a map (keys sorted) with
// `layer_id` (the chain ID) and `parent` (the parent's v1 ID, `sha256:` included) added. Reproducing the bytes means
// reproducing Go's marshalling of V1Image and container.Config, field by field.
import { type Digest, sha256 } from '../../lib/digest.js';
import type { ImageConfig } from '../types.js';
import { goField, goJson, goTime, sortedMap } from './gojson.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const bool = (v: unknown): boolean => v === true;
/** A Go []string / strslice.StrSlice: null when absent, a string becomes a one-element slice. */
const slice = (v: unknown): string[] | null =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : null;
const set = (v: unknown): Record<string, Record<string, never>> | null =>
  isObject(v) ? sortedMap(Object.fromEntries(Object.keys(v).map((k) => [k, {}]))) : null;
const strMap = (v: unknown): Record<string, string> | null =>
  isObject(v) ? sortedMap(Object.fromEntries(Object.entries(v).map(([k, s]) => [k, str(s)]))) : null;
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);

function healthcheck(v: unknown): Json | undefined {
  if (!isObject(v)) return undefined;
  const out: Json = {};
  const test = slice(goField(v, 'Test'));
  if (test && test.length > 0) out.Test = test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries']) {
    const n = int(goField(v, k));
    if (n !== 0) out[k] = n;
  }
  return out;
}

/** container.Config as Docker 28's Go marshals it (unknown fields dropped; `omitempty` where moby has it). */
export function goContainerConfig(input: unknown): Json {
  const c = isObject(input) ? input : {};
  const f = (name: string) => goField(c, name);
  const out: Json = {
    Hostname: str(f('Hostname')),
    Domainname: str(f('Domainname')),
    User: str(f('User')),
    AttachStdin: bool(f('AttachStdin')),
    AttachStdout: bool(f('AttachStdout')),
    AttachStderr: bool(f('AttachStderr')),
  };
  const ports = set(f('ExposedPorts'));
  if (ports && Object.keys(ports).length > 0) out.ExposedPorts = ports;
  out.Tty = bool(f('Tty'));
  out.OpenStdin = bool(f('OpenStdin'));
  out.StdinOnce = bool(f('StdinOnce'));
  out.Env = slice(f('Env'));
  out.Cmd = slice(f('Cmd'));
  const health = healthcheck(f('Healthcheck'));
  if (health) out.Healthcheck = health;
  if (bool(f('ArgsEscaped'))) out.ArgsEscaped = true;
  out.Image = str(f('Image'));
  out.Volumes = set(f('Volumes'));
  out.WorkingDir = str(f('WorkingDir'));
  out.Entrypoint = slice(f('Entrypoint'));
  if (bool(f('NetworkDisabled'))) out.NetworkDisabled = true;
  if (str(f('MacAddress'))) out.MacAddress = str(f('MacAddress'));
  // Docker 28 and earlier write OnBuild always (it gained omitempty in 29); berth writes what Docker 28 writes.
  out.OnBuild = slice(f('OnBuild'));
  out.Labels = strMap(f('Labels'));
  if (str(f('StopSignal'))) out.StopSignal = str(f('StopSignal'));
  const stopTimeout = f('StopTimeout');
  if (typeof stopTimeout === 'number') out.StopTimeout = Math.trunc(stopTimeout);
  const shell = slice(f('Shell'));
  if (shell && shell.length > 0) out.Shell = shell;
  return out;
}

/** The V1Image fields, in Go's declaration order; `undefined` means omitted. */
export interface V1Image {
  id?: string;
  parent?: string;
  comment?: string;
  created: string | null;
  container?: string;
  container_config: Json;
  docker_version?: string;
  author?: string;
  config?: Json;
  architecture?: string;
  variant?: string;
  os?: string;
  Size?: number;
}

const EPOCH = '1970-01-01T00:00:00Z';

/** The V1Image part of an image config, as Go decodes it (`parent` belongs to the outer Image, so it is not here). */
export function v1ImageOf(config: ImageConfig): V1Image {
  const c = config as unknown as Json;
  const f = (name: string) => goField(c, name);
  const created = f('created');
  const v: V1Image = {
    created: typeof created === 'string' ? goTime(created) : null,
    container_config: goContainerConfig(f('container_config')),
  };
  for (const k of ['comment', 'container', 'docker_version', 'author'] as const) if (str(f(k))) v[k] = str(f(k));
  if (isObject(f('config'))) v.config = goContainerConfig(f('config'));
  for (const k of ['architecture', 'variant', 'os'] as const) if (str(f(k))) v[k] = str(f(k));
  const size = int(f('Size'));
  if (size !== 0) v.Size = size;
  return v;
}

/** Marshals a V1Image in struct order, omitting undefined fields (JSON.stringify keeps insertion order). */
export function marshalV1(v: V1Image): string {
  const ordered: Json = {};
  const keys: (keyof V1Image)[] = [
    'id',
    'parent',
    'comment',
    'created',
    'container',
    'container_config',
    'docker_version',
    'author',
    'config',
    'architecture',
    'variant',
    'os',
    'Size',
  ];
  for (const k of keys) if (v[k] !== undefined) ordered[k] = v[k];
  return goJson(ordered);
}

/** moby's v1.CreateID. */
export function createV1Id(v: V1Image, layerId: Digest, parent?: Digest): Digest {
  const m = JSON.parse(marshalV1({ ...v, id: undefined })) as Json;
  m.layer_id = layerId;
  if (parent !== undefined) m.parent = parent;
  return sha256(goJson(sortedMap(m)));
}

export interface V1Layer {
  /** The v1 ID (`sha256:…`); its hex names the layer's directory. */
  id: Digest;
  chainId: Digest;
  diffId: Digest;
  /** The `json` file. */
  json: string;
}

/**
 * The legacy layers of an image, bottom first, as docker save computes them: every layer but the top gets an empty
 * V1Image created at the epoch; the top one carries the image's own V1Image.
 */
export function v1Layers(config: ImageConfig, chainIds: readonly Digest[]): V1Layer[] {
  const out: V1Layer[] = [];
  const diffIds = config.rootfs.diff_ids;
  let parent: Digest | undefined;
  diffIds.forEach((diffId, i) => {
    const chainId = chainIds[i]!;
    const base: V1Image =
      i === diffIds.length - 1 ? v1ImageOf(config) : { created: EPOCH, container_config: goContainerConfig(undefined) };
    const id = createV1Id(base, chainId, parent);
    const file: V1Image = { ...base, id: id.slice('sha256:'.length) };
    if (parent !== undefined) file.parent = parent.slice('sha256:'.length);
    if (config.os) file.os = config.os;
    out.push({ id, chainId, diffId, json: marshalV1(file) });
    parent = id;
  });
  return out;
}
