// The builder's backend in the engine: a RUN step is a real container (created, attached, started, waited for),
// a COPY writes into a writable layer of its own, and both become images through the same layer-making code as
// `docker commit`.
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { StdDemuxer } from '../../api/stdcopy.js';
import type { BuildBackend, BuildImage, RunStep, StepMount, WorkLayer } from '../../builder/backend.js';
import { InvalidParameter, isNotFound } from '../../errdefs/index.js';
import type { ImageConfig } from '../../image/types.js';
import type { ImageStore } from '../../image/store/index.js';
import { sha256 } from '../../lib/digest.js';
import type { Digest } from '../../lib/digest.js';
import type { LayerStore } from '../../storage/layer/index.js';
import type { ContainerService } from '../container/service.js';
import type { ContainerStore } from '../container/store.js';
import type { EventBus } from '../events.js';
import { commitLayer } from '../images/commit.js';
import type { DistributionService } from '../images/distribution.js';
import { resolveUser } from '../spec/user.js';
import { containerIdMapping, hostOwner } from '../spec/userns.js';
import type { IdentityMapping } from '../../lib/idmap.js';

export interface BuildBackendDeps {
  images: ImageStore;
  layers: LayerStore;
  containers: ContainerService;
  store: ContainerStore;
  distribution: DistributionService;
  events: EventBus;
  /** Where `RUN --mount=type=cache` directories live. */
  cacheMountDir: string;
  /** --userns-remap's mapping: a RUN step's container commits with its own ids. */
  remap?: IdentityMapping;
  /** The X-Registry-Config auths a pull may use, by registry. */
  registryAuth: (ref: string) => string | undefined;
}

export class EngineBuildBackend implements BuildBackend {
  constructor(private readonly deps: BuildBackendDeps) {}

  async image(
    ref: string,
    opts: { pull: boolean; platform?: string; progress: (msg: object) => void },
  ): Promise<BuildImage> {
    if (!opts.pull) {
      try {
        return this.view(this.deps.images.resolve(ref).id);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    await this.deps.distribution.pull(
      { fromImage: ref, tag: '', platform: opts.platform ?? '', registryAuth: this.deps.registryAuth(ref) },
      (m) => opts.progress(m),
    );
    return this.view(this.deps.images.resolve(ref).id);
  }

  imageById(id: string): BuildImage | undefined {
    return this.deps.images.has(id) ? this.view(id as Digest) : undefined;
  }

  private view(id: Digest): BuildImage {
    return { id, config: this.deps.images.get(id).config };
  }

  async run(step: RunStep): Promise<{ containerId: string; exitCode: number }> {
    if (!step.image) throw new InvalidParameter('a RUN step needs an image with a shell (FROM scratch has none)');
    const { containers } = this.deps;
    const { Id: id } = await containers.create(undefined, {
      ...step.config,
      Image: step.image.id,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      HostConfig: {
        NetworkMode: step.networkMode,
        Mounts: step.mounts.map(toMount),
      },
    } as never);
    try {
      const output = outputSink(step.output);
      const attached = containers.lifecycle.attach(id, output, {
        stdin: false,
        stdout: true,
        stderr: true,
        tty: false,
        stdinOnce: false,
        detachKeys: Buffer.alloc(0),
      });
      const { result } = await containers.wait(id, 'next-exit', step.signal);
      await containers.start(id);
      const abort = () => void containers.kill(id, 'KILL').catch(() => {});
      step.signal.addEventListener('abort', abort, { once: true });
      const exit = await result.finally(() => step.signal.removeEventListener('abort', abort));
      await attached;
      return { containerId: id, exitCode: exit.StatusCode };
    } catch (e) {
      await this.discard(id);
      throw e;
    }
  }

  async workLayer(image: BuildImage | undefined): Promise<WorkLayer> {
    const id = `build-${randomBytes(16).toString('hex')}`;
    const parent = image ? this.deps.images.get(image.id).chainIds.at(-1) : undefined;
    await this.deps.layers.createRW(id, parent);
    try {
      return { id, root: await this.deps.layers.mount(id) };
    } catch (e) {
      await this.deps.layers.removeRW(id);
      throw e;
    }
  }

  async commit(opts: {
    from: string;
    parent: BuildImage | undefined;
    config: ImageConfig;
    exclude: readonly string[];
    epoch?: number;
  }): Promise<BuildImage> {
    const parentRec = opts.parent ? this.deps.images.get(opts.parent.id) : undefined;
    const step = this.deps.store.find(opts.from);
    const idMapping = step ? containerIdMapping(step.hostConfig, this.deps.remap) : undefined;
    const id = await commitLayer(
      { images: this.deps.images, layers: this.deps.layers },
      {
        rwLayer: opts.from,
        parent: parentRec,
        config: opts.config,
        exclude: opts.exclude,
        ...(opts.epoch === undefined ? {} : { epoch: opts.epoch }),
        ...(idMapping ? { idMapping } : {}),
      },
    );
    return this.view(id);
  }

  async put(config: ImageConfig, parent: BuildImage | undefined): Promise<BuildImage> {
    const id = await this.deps.images.put(JSON.stringify(config), parent ? { parent: parent.id as Digest } : {});
    return this.view(id);
  }

  async discard(id: string): Promise<void> {
    if (this.deps.store.find(id)) {
      await this.deps.containers.remove(id, { force: true, volumes: true, link: false });
      return;
    }
    await this.deps.layers.unmount(id).catch(() => {});
    await this.deps.layers.removeRW(id);
  }

  async resolveOwner(root: string, spec: string): Promise<{ uid: number; gid: number }> {
    const u = await resolveUser(root, spec);
    return { uid: u.uid, gid: u.gid };
  }

  async cacheDir(id: string, opts: { mode: number; uid: number; gid: number }): Promise<string> {
    const dir = join(this.deps.cacheMountDir, sha256(id).slice(7, 39));
    try {
      await stat(dir);
    } catch {
      await mkdir(dir, { recursive: true });
      const owner = this.hostIds(opts);
      await chown(dir, owner.uid, owner.gid);
      await chmod(dir, opts.mode);
    }
    return dir;
  }

  hostIds(owner: { uid: number; gid: number }): { uid: number; gid: number } {
    return hostOwner(this.deps.remap, owner);
  }

  async tag(imageId: string, ref: string): Promise<void> {
    const named = await this.deps.images.tag(imageId, ref);
    this.deps.events.publish('image', 'tag', imageId, { name: String(named) });
  }
}

function toMount(m: StepMount) {
  return m.type === 'bind'
    ? { Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readonly }
    : { Type: 'tmpfs', Target: m.target, ...(m.size ? { TmpfsOptions: { SizeBytes: m.size } } : {}) };
}

/** A stream the attach writes framed output into; each frame's payload goes to `output`. */
function outputSink(output: (chunk: Buffer) => void): Duplex {
  const demux = new StdDemuxer((_stream, payload) => output(payload));
  return new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      try {
        demux.push(chunk);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    final(done) {
      this.push(null);
      done();
    },
  });
}
