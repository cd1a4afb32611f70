// One build stage: starts from its FROM image and dispatches each instruction in turn, as the legacy builder does.
// Metadata instructions change the config (an image with an empty_layer history entry); RUN, COPY and ADD make a
// layer. Every step first asks the cache.
import { posix } from 'node:path';
import { InvalidParameter } from '../../errdefs/index.js';
import type { ContainerConfig, HealthConfig, ImageConfig } from '../../image/types.js';
import type { BuildImage } from '../backend.js';
import {
  expandInstruction,
  expandWords,
  type Instruction,
  parseArg,
  parseDockerfile,
  parseEnvPairs,
  parseHealthcheck,
} from '../dockerfile/index.js';
import { envMap, PROXY_ARGS, setEnv } from './args.js';
import { cacheKey } from './cache.js';
import { copyStep } from './copy.js';
import { goHealthcheck, metadataCreatedBy, nopCreatedBy, runCreatedBy } from './history.js';
import { resolveRunMounts } from './run-mounts.js';
import type { StageContext } from './stage-context.js';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** A build failure with the exit status the docker CLI should end with (a RUN's own code). */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export class StageBuilder {
  private image: BuildImage | undefined;
  private config: ImageConfig;
  /** The ARGs declared in this stage: name → value (undefined: declared without value or build arg). */
  private readonly args = new Map<string, string | undefined>();
  private cmdSet = false;

  constructor(
    private readonly ctx: StageContext,
    base: BuildImage | undefined,
    /** The values of ARGs declared before the first FROM (a stage may redeclare them without a value to use them). */
    private readonly globalArgs: ReadonlyMap<string, string | undefined>,
    platform: { os: string; architecture: string; variant?: string },
  ) {
    this.image = base;
    const inherited = base ? structuredClone(base.config) : undefined;
    const config: ContainerConfig = { ...(inherited?.config ?? {}) };
    if (!envMap(config.Env).has('PATH')) config.Env = [...(config.Env ?? []), DEFAULT_PATH];
    // A child never inherits ONBUILD triggers: they run here, once (executeTriggers).
    config.OnBuild = null;
    this.config = {
      architecture: inherited?.architecture ?? platform.architecture,
      os: inherited?.os ?? platform.os,
      ...(inherited?.variant ? { variant: inherited.variant } : platform.variant ? { variant: platform.variant } : {}),
      config,
      rootfs: inherited?.rootfs ?? { type: 'layers', diff_ids: [] },
      history: inherited?.history ?? [],
    };
  }

  /** The stage's image so far (undefined while it is still scratch with no step). */
  get result(): BuildImage | undefined {
    return this.image;
  }

  /** The ONBUILD triggers of the FROM image, run as the first steps (Docker prints them under FROM). */
  async executeTriggers(base: BuildImage | undefined): Promise<void> {
    const triggers = base?.config.config?.OnBuild ?? [];
    if (triggers.length === 0) return;
    this.ctx.out.line(`# Executing ${triggers.length} build trigger${triggers.length === 1 ? '' : 's'}`);
    for (const t of triggers) {
      const ins = parseDockerfile(`FROM scratch\n${t}\n`).stages[0]?.instructions[0];
      if (!ins) continue;
      await this.dispatch(ins);
    }
    // The triggers' effects are part of this image; the child does not carry them on (cleared in the constructor).
    if (this.image === base) await this.commitMetadata('ONBUILD triggers', () => {}, true);
  }

  private get containerConfig(): ContainerConfig {
    this.config.config ??= {};
    return this.config.config;
  }

  private get shell(): string[] {
    return this.containerConfig.Shell ?? DEFAULT_SHELL;
  }

  /** What `$VAR` means here: the image's environment, then the ARGs in scope (ENV wins, as Docker). */
  private expansionEnv(): Map<string, string> {
    const env = new Map<string, string>();
    for (const [k, v] of this.args) if (v !== undefined) env.set(k, v);
    for (const [k, v] of envMap(this.containerConfig.Env)) env.set(k, v);
    return env;
  }

  async dispatch(raw: Instruction): Promise<void> {
    const ins = NOT_EXPANDED.has(raw.keyword) ? raw : expandInstruction(raw, this.expansionEnv(), this.ctx.escape);
    const c = () => this.containerConfig;
    switch (ins.keyword) {
      case 'ENV': {
        const pairs = parseEnvPairs(ins);
        return this.commitMetadata(`ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, () => {
          for (const [k, v] of pairs) c().Env = setEnv(c().Env, k, v);
        });
      }
      case 'LABEL': {
        const pairs = parseEnvPairs(ins);
        return this.commitMetadata(`LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, () => {
          c().Labels = { ...(c().Labels ?? {}), ...Object.fromEntries(pairs) };
        });
      }
      case 'MAINTAINER':
        return this.commitMetadata(`MAINTAINER ${ins.args.join(' ')}`, () => {
          this.config.author = ins.args.join(' ');
        });
      case 'EXPOSE': {
        const specs = ins.args.flatMap((a) => a.split(/\s+/)).filter(Boolean);
        const ports = exposedPorts(specs);
        // moby's comment: the specs as written, sorted.
        return this.commitMetadata(`EXPOSE ${[...specs].sort().join(' ')}`, () => {
          const all = { ...(c().ExposedPorts ?? {}) };
          for (const p of ports) all[p] = {};
          c().ExposedPorts = all;
        });
      }
      case 'CMD': {
        const cmd = this.commandOf(ins);
        this.cmdSet = true;
        return this.commitMetadata(`CMD ${goQuoted(cmd)}`, () => {
          c().Cmd = cmd;
        });
      }
      case 'ENTRYPOINT': {
        const ep = this.commandOf(ins);
        return this.commitMetadata(`ENTRYPOINT ${goQuoted(ep)}`, () => {
          c().Entrypoint = ep;
          // An ENTRYPOINT resets a CMD inherited from the base image (not one set in this stage).
          if (!this.cmdSet) c().Cmd = null;
        });
      }
      case 'VOLUME': {
        const vols = ins.json ? ins.args : ins.args.flatMap((a) => expandWords(a, new Map(), this.ctx.escape));
        if (vols.length === 0 || vols.some((v) => v.trim() === '')) {
          throw new InvalidParameter('VOLUME specified can not be an empty string');
        }
        return this.commitMetadata(`VOLUME ${goList(vols)}`, () => {
          const all = { ...(c().Volumes ?? {}) };
          for (const v of vols) all[v] = {};
          c().Volumes = all;
        });
      }
      case 'USER':
        return this.commitMetadata(`USER ${ins.args[0] ?? ''}`, () => {
          c().User = ins.args[0] ?? '';
        });
      case 'WORKDIR': {
        const dir = posix.resolve(c().WorkingDir || '/', ins.args[0] ?? '');
        // moby's WORKDIR comment has one space after #(nop), unlike the other metadata instructions.
        return this.commitMetadata(
          `WORKDIR ${dir}`,
          () => {
            c().WorkingDir = dir;
          },
          false,
          true,
        );
      }
      case 'STOPSIGNAL':
        return this.commitMetadata(`STOPSIGNAL ${ins.args[0] ?? ''}`, () => {
          c().StopSignal = ins.args[0] ?? '';
        });
      case 'SHELL':
        return this.commitMetadata(`SHELL ${goList(ins.args)}`, () => {
          c().Shell = [...ins.args];
        });
      case 'ONBUILD': {
        const trigger = ins.trigger ?? ins.original.replace(/^\s*ONBUILD\s+/i, '');
        return this.commitMetadata(`ONBUILD ${trigger}`, () => {
          c().OnBuild = [...(c().OnBuild ?? []), trigger];
        });
      }
      case 'HEALTHCHECK': {
        const hc = parseHealthcheck(ins);
        const health: HealthConfig = { Test: hc.test };
        if (hc.interval !== undefined) health.Interval = hc.interval;
        if (hc.timeout !== undefined) health.Timeout = hc.timeout;
        if (hc.startPeriod !== undefined) health.StartPeriod = hc.startPeriod;
        if (hc.retries !== undefined) health.Retries = hc.retries;
        return this.commitMetadata(`HEALTHCHECK ${goHealthcheck(health)}`, () => {
          c().Healthcheck = health;
        });
      }
      case 'ARG':
        return this.declareArgs(ins);
      case 'RUN':
        return this.run(ins);
      case 'COPY':
      case 'ADD':
        return this.copy(ins);
      default:
        throw new InvalidParameter(`unknown instruction: ${ins.keyword}`);
    }
  }

  /** CMD/ENTRYPOINT/RUN: the exec form as written, the shell form through SHELL. */
  private commandOf(ins: Instruction): string[] {
    if (ins.json) return [...ins.args];
    return [...this.shell, ins.shellForm ?? ins.args.join(' ')];
  }

  private declareArgs(ins: Instruction): Promise<void> {
    const declared = parseArg(ins);
    const shown: string[] = [];
    for (const { name, default: dflt } of declared) {
      const given = this.ctx.buildArgs.get(name);
      const fromGlobal = this.globalArgs.get(name);
      const value = given ?? dflt ?? fromGlobal;
      if (this.ctx.buildArgs.has(name)) this.ctx.usedArgs.add(name);
      this.args.set(name, value);
      shown.push(dflt === undefined ? name : `${name}=${dflt}`);
    }
    return this.commitMetadata(`ARG ${shown.join(' ')}`, () => {});
  }

  /** The build args a RUN sees: declared ones with a value (and proxies given with --build-arg, kept out of history). */
  private runArgs(): { env: [string, string][]; shown: [string, string][] } {
    const env: [string, string][] = [];
    const shown: [string, string][] = [];
    const imageEnv = envMap(this.containerConfig.Env);
    for (const [k, v] of [...this.args].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (v === undefined || imageEnv.has(k)) continue;
      env.push([k, v]);
      shown.push([k, v]);
    }
    for (const [k, v] of this.ctx.buildArgs) {
      if (PROXY_ARGS.has(k) && !this.args.has(k) && v !== undefined) {
        env.push([k, v]);
        this.ctx.usedArgs.add(k);
      }
    }
    return { env, shown };
  }

  private async run(ins: Instruction): Promise<void> {
    const cmd = ins.json ? [...ins.args] : [...this.shell, runScript(ins)];
    const { env, shown } = this.runArgs();
    const createdBy = runCreatedBy(cmd, shown);
    const mounts = await resolveRunMounts(ins, this.ctx, this.expansionEnv());
    const key = cacheKey([this.image?.id ?? 'scratch', 'RUN', createdBy, mounts.key, this.ctx.networkMode]);
    if (await this.fromCache(key, createdBy, true)) {
      await mounts.release();
      return;
    }
    const { backend, out } = this.ctx;
    const config: ContainerConfig = {
      ...this.containerConfig,
      Cmd: cmd,
      Entrypoint: null,
      Env: [...(this.containerConfig.Env ?? []), ...env.map(([k, v]) => `${k}=${v}`)],
      Healthcheck: undefined,
      OnBuild: null,
    };
    let containerId: string | undefined;
    try {
      const result = await backend.run({
        image: this.image,
        config,
        mounts: mounts.mounts,
        networkMode: this.ctx.networkMode,
        output: (chunk) => out.raw(chunk),
        signal: this.ctx.signal,
      });
      containerId = result.containerId;
      if (result.exitCode !== 0) {
        throw new BuildError(
          `The command '${cmd.join(' ')}' returned a non-zero code: ${result.exitCode}`,
          result.exitCode,
        );
      }
      await this.commitLayer(
        containerId,
        createdBy,
        key,
        mounts.mounts.map((m) => m.target),
      );
    } finally {
      if (containerId) await backend.discard(containerId);
      await mounts.release();
    }
  }

  private async copy(ins: Instruction): Promise<void> {
    const { backend } = this.ctx;
    const step = await copyStep(ins, this.ctx, this.containerConfig.WorkingDir || '/');
    try {
      // moby's comment, the missing space after --chown included.
      const chown = ins.flags.chown?.[0];
      const comment = `${ins.keyword} ${chown ? `--chown=${chown}` : ''}${step.summary} in ${step.dest} `;
      const createdBy = nopCreatedBy(this.shell, comment);
      const key = cacheKey([this.image?.id ?? 'scratch', ins.keyword, createdBy, step.flagsKey]);
      if (await this.fromCache(key, createdBy, true)) return;
      const layer = await backend.workLayer(this.image);
      try {
        await step.writeInto(layer.root);
        await this.commitLayer(layer.id, createdBy, key, []);
      } finally {
        await backend.discard(layer.id);
      }
    } finally {
      await step.release();
    }
  }

  private created(): string {
    return this.ctx.epoch === undefined ? new Date().toISOString() : new Date(this.ctx.epoch * 1000).toISOString();
  }

  /** A metadata step: the cache, or a new image with `change` applied and an empty_layer history entry. */
  private async commitMetadata(comment: string, change: () => void, silent = false, oneSpace = false): Promise<void> {
    const createdBy = oneSpace ? nopCreatedBy(this.shell, comment) : metadataCreatedBy(this.shell, comment);
    const key = cacheKey([this.image?.id ?? 'scratch', 'meta', createdBy]);
    change();
    if (await this.fromCache(key, createdBy, false, silent)) return;
    const config = this.nextConfig({ created_by: createdBy, empty_layer: true });
    const image = await this.ctx.backend.put(config, this.image);
    this.advance(image, key, silent);
  }

  private async commitLayer(from: string, createdBy: string, key: string, exclude: string[]): Promise<void> {
    const config = this.nextConfig({ created_by: createdBy });
    const image = await this.ctx.backend.commit({
      from,
      parent: this.image,
      config,
      exclude,
      ...(this.ctx.epoch === undefined ? {} : { epoch: this.ctx.epoch }),
    });
    this.advance(image, key, false);
  }

  private nextConfig(entry: { created_by: string; empty_layer?: boolean }): ImageConfig {
    const created = this.created();
    const config = structuredClone(this.config);
    config.created = created;
    config.history = [...(config.history ?? []), { created, ...entry }];
    for (const k of Object.keys(config.config ?? {}) as (keyof ContainerConfig)[]) {
      if (config.config?.[k] === undefined) delete config.config?.[k];
    }
    return config;
  }

  private advance(image: BuildImage, key: string, silent: boolean): void {
    this.image = image;
    this.config = structuredClone(image.config);
    this.ctx.cache.set(key, image.id);
    if (!silent) this.ctx.out.image(image.id);
  }

  /** A cache hit (unless --no-cache): the step's image from an earlier build, or from a --cache-from image. */
  private async fromCache(key: string, createdBy: string, layer: boolean, silent = false): Promise<boolean> {
    if (this.ctx.noCache) return false;
    const id = this.ctx.cache.get(key);
    const hit =
      (id === undefined ? undefined : this.ctx.backend.imageById(id)) ?? (await this.fromCacheImages(createdBy, layer));
    if (!hit) return false;
    if (!silent) this.ctx.out.line(' ---> Using cache');
    this.image = hit;
    this.config = structuredClone(hit.config);
    if (id !== hit.id) this.ctx.cache.set(key, hit.id);
    if (!silent) this.ctx.out.image(hit.id);
    return true;
  }

  /**
   * moby's cache-from rule: an image whose history starts with this one's and whose next entry was made by the same
   * instruction stands in for the step; its layer at that point is reused under this build's own config.
   */
  private async fromCacheImages(createdBy: string, layer: boolean): Promise<BuildImage | undefined> {
    const mine = this.config.history ?? [];
    const myDiffs = this.config.rootfs.diff_ids;
    for (const candidate of this.ctx.cacheFrom) {
      const theirs = candidate.config.history ?? [];
      const diffs = candidate.config.rootfs.diff_ids;
      const next = theirs[mine.length];
      if (!next || next.created_by !== createdBy || Boolean(next.empty_layer) === layer) continue;
      const samePrefix =
        mine.every((h, i) => theirs[i]?.created_by === h.created_by && !theirs[i]?.empty_layer === !h.empty_layer) &&
        myDiffs.every((d, i) => diffs[i] === d);
      if (!samePrefix) continue;
      const diff = diffs[myDiffs.length];
      if (layer && !diff) continue;
      const config = this.nextConfig({ created_by: createdBy, ...(layer ? {} : { empty_layer: true }) });
      if (layer && diff) config.rootfs = { type: 'layers', diff_ids: [...myDiffs, diff] };
      return this.ctx.backend.put(config, this.image);
    }
    return undefined;
  }

  /** `--label`: the target's labels, added as one last metadata step. */
  async addLabels(labels: Readonly<Record<string, string>>): Promise<void> {
    const pairs = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    await this.commitMetadata(`LABEL ${pairs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`, () => {
      this.containerConfig.Labels = { ...(this.containerConfig.Labels ?? {}), ...labels };
    });
  }
}

/** Instructions whose arguments the shell, not the builder, expands. */
const NOT_EXPANDED = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'ONBUILD', 'HEALTHCHECK', 'MAINTAINER']);

/** A shell-form RUN's script, here-documents included (the shell reads them itself). */
function runScript(ins: Instruction): string {
  const text = ins.shellForm ?? ins.args.join(' ');
  if (ins.heredocs.length === 0) return text;
  // A RUN that is only `<<EOF`: the document is the script (BuildKit's rule).
  const only = ins.heredocs[0];
  if (ins.heredocs.length === 1 && only && /^\s*<<-?["']?\w+["']?\s*$/.test(text)) return only.content;
  return [text, ...ins.heredocs.map((h) => `${h.content.replace(/\n$/, '')}\n${h.name}`)].join('\n');
}

/** EXPOSE's ports as `port/proto` (a range is every port of it), Docker's errors for bad ones. */
function exposedPorts(specs: string[]): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
    if (!m) throw new InvalidParameter(`Invalid containerPort: ${spec.split('/')[0]}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > 65535 || to > 65535 || to < from) throw new InvalidParameter(`Invalid port range: ${spec}`);
    for (let p = from; p <= to; p++) out.push(`${p}/${(m[3] ?? 'tcp').toLowerCase()}`);
  }
  return out;
}

/** Go's %v of a []string, as moby's history comments print VOLUME and SHELL: `[/bin/sh -c]`. */
const goList = (xs: readonly string[]) => `[${xs.join(' ')}]`;

/** Go's %q of a []string, as moby's history comments print CMD and ENTRYPOINT: `["sh" "-c" "x"]`. */
const goQuoted = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
