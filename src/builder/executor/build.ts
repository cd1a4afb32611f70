// A whole build: the Dockerfile parsed, the stages the target needs found, each built once (independent stages at
// the same time, a stage waiting only for those it names), the result labelled and tagged, progress as the
// legacy builder's.
import { InvalidParameter } from '../../errdefs/index.js';
import type { BuildBackend, BuildImage } from '../backend.js';
import type { SourceTree } from '../context/index.js';
import {
  type Dockerfile,
  expandInstruction,
  type Instruction,
  parseArg,
  parseDockerfile,
  parseFrom,
  type Stage,
} from '../dockerfile/index.js';
import { platformArgs } from './args.js';
import type { BuildCache } from './cache.js';
import { BuildOutput, type Emit, shortId } from './output.js';
import type { CacheMountUsers } from './run-mounts.js';
import type { StageContext } from './stage-context.js';
import { StageBuilder } from './stage.js';

export interface BuildRequest {
  dockerfile: string;
  context: SourceTree | undefined;
  tags: string[];
  target?: string;
  buildArgs: ReadonlyMap<string, string | undefined>;
  labels: Readonly<Record<string, string>>;
  noCache: boolean;
  pull: boolean;
  cacheFrom: string[];
  networkMode: string;
  platform?: string;
  secrets: ReadonlyMap<string, Buffer>;
  quiet: boolean;
  /** A private directory for the build's temporary files. */
  tmpDir: string;
  signal: AbortSignal;
}

export interface BuilderDeps {
  backend: BuildBackend;
  cache: BuildCache;
  cacheUsers: CacheMountUsers;
}

/** Parses the Dockerfile and checks what can be checked before any output (errors then are plain HTTP errors). */
export function prepareBuild(req: BuildRequest): { dockerfile: Dockerfile; needed: Stage[]; target: Stage } {
  const dockerfile = parseDockerfile(req.dockerfile);
  const stages = dockerfile.stages;
  if (stages.length === 0) throw new InvalidParameter('the Dockerfile (Dockerfile) cannot be empty');
  let target = stages.at(-1) as Stage;
  if (req.target) {
    const t = stages.find((s) => s.name === req.target?.toLowerCase());
    if (!t) throw new InvalidParameter(`failed to reach build target ${req.target} in Dockerfile`);
    target = t;
  }
  return { dockerfile, needed: neededStages(stages, target), target };
}

/** Runs the build; resolves with the image ID (the stream has said so), or throws after the stream reported the error. */
export async function runBuild(req: BuildRequest, deps: BuilderDeps, emit: Emit): Promise<string> {
  const { dockerfile, needed, target } = prepareBuild(req);
  const out = new BuildOutput(emit, req.quiet);
  const usedArgs = new Set<string>();
  const globals = globalArgs(dockerfile, req.buildArgs, usedArgs);
  const fromEnv = new Map<string, string>([...platformArgs(req.platform)]);
  for (const [k, v] of globals) if (v !== undefined) fromEnv.set(k, v);
  const [os = 'linux', architecture = 'amd64', variant] = (fromEnv.get('TARGETPLATFORM') ?? '').split('/');
  const platform = { os, architecture, ...(variant ? { variant } : {}) };
  const epochArg = req.buildArgs.get('SOURCE_DATE_EPOCH');
  if (epochArg !== undefined) usedArgs.add('SOURCE_DATE_EPOCH');
  const epoch = epochArg === undefined || epochArg === '' ? undefined : Number(epochArg);
  if (epoch !== undefined && (!Number.isInteger(epoch) || epoch < 0)) {
    throw new InvalidParameter(`invalid SOURCE_DATE_EPOCH: ${epochArg}`);
  }

  const results = new Map<number, Promise<BuildImage | undefined>>();
  const stageByRef = (ref: string): Stage | undefined =>
    dockerfile.stages.find((s) => s.name === ref.toLowerCase()) ??
    (/^\d+$/.test(ref) ? dockerfile.stages[Number(ref)] : undefined);
  const cacheFrom: BuildImage[] = [];
  for (const ref of req.cacheFrom) {
    const img =
      deps.backend.imageById(ref) ??
      (await deps.backend.image(ref, { pull: false, progress: () => {} }).catch(() => undefined));
    if (img) cacheFrom.push(img);
  }

  const ctx: StageContext = {
    backend: deps.backend,
    cache: deps.cache,
    cacheUsers: deps.cacheUsers,
    out,
    noCache: req.noCache,
    networkMode: req.networkMode,
    epoch,
    buildArgs: req.buildArgs,
    usedArgs,
    escape: dockerfile.directives.escape,
    cacheFrom,
    context: req.context,
    secrets: req.secrets,
    tmpDir: req.tmpDir,
    signal: req.signal,
    openTree: async (from) => {
      const stage = stageByRef(from);
      const image = stage
        ? await stageResult(stage)
        : await deps.backend.image(from, { pull: false, progress: (m) => out.progress(m) });
      const layer = await deps.backend.workLayer(image);
      return { tree: { root: layer.root }, release: () => deps.backend.discard(layer.id) };
    },
  };

  let step = 0;
  const numbers = new Map<Instruction, number>();
  for (const s of needed) for (const ins of [s.from, ...s.instructions]) numbers.set(ins, ++step);
  const total = step;

  const stageResult = (stage: Stage): Promise<BuildImage | undefined> => {
    let p = results.get(stage.index);
    if (!p) {
      p = buildStage(stage);
      results.set(stage.index, p);
    }
    return p;
  };

  const buildStage = async (stage: Stage): Promise<BuildImage | undefined> => {
    out.step(numbers.get(stage.from) ?? 0, total, stage.from.original);
    const from = parseFrom(expandInstruction(stage.from, fromEnv, ctx.escape));
    let base: BuildImage | undefined;
    const earlier = dockerfile.stages.find((s) => s.index < stage.index && s.name === from.image.toLowerCase());
    if (earlier) base = await stageResult(earlier);
    else if (from.image.toLowerCase() !== 'scratch') {
      base = await deps.backend.image(from.image, {
        pull: req.pull,
        ...(from.platform || req.platform ? { platform: from.platform || req.platform } : {}),
        progress: (m) => out.progress(m),
      });
    }
    if (base) out.image(base.id);
    else out.line(' ---> ');
    const builder = new StageBuilder(ctx, base, globals, platform);
    await builder.executeTriggers(base);
    for (const ins of stage.instructions) {
      if (req.signal.aborted) throw new InvalidParameter('the build was cancelled');
      out.step(numbers.get(ins) ?? 0, total, ins.original);
      await builder.dispatch(ins);
    }
    if (stage === target && Object.keys(req.labels).length > 0) await builder.addLabels(req.labels);
    return builder.result;
  };

  try {
    // Every needed stage starts now; each waits only for the stages it names.
    const all = needed.map((s) => stageResult(s));
    await Promise.all(all);
    const image = await stageResult(target);
    if (!image) throw new InvalidParameter('the build made no image (FROM scratch and nothing else)');
    const unused = [...req.buildArgs.keys()].filter((k) => !usedArgs.has(k) && !isPredefined(k)).sort();
    if (unused.length > 0) out.line(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`);
    out.aux(image.id);
    out.line(`Successfully built ${shortId(image.id)}`);
    for (const tag of req.tags) {
      await deps.backend.tag(image.id, tag);
      out.line(`Successfully tagged ${tag}`);
    }
    if (req.quiet) emit({ stream: `${image.id}\n` });
    return image.id;
  } finally {
    // Stages still running (another failed) settle before the build's files go.
    await Promise.allSettled(results.values());
    await deps.cache.flush();
  }
}

const isPredefined = (k: string) => /^(HTTPS?|FTP|NO|ALL)_PROXY$/i.test(k) || k === 'SOURCE_DATE_EPOCH';

/** The ARGs before the first FROM, with --build-arg values over their defaults. */
function globalArgs(
  df: Dockerfile,
  buildArgs: ReadonlyMap<string, string | undefined>,
  used: Set<string>,
): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const ins of df.metaArgs) {
    const env = new Map<string, string>();
    for (const [k, v] of out) if (v !== undefined) env.set(k, v);
    for (const a of parseArg(expandInstruction(ins, env, df.directives.escape))) {
      if (buildArgs.has(a.name)) used.add(a.name);
      out.set(a.name, buildArgs.get(a.name) ?? a.default);
    }
  }
  return out;
}

/** The target and every stage it depends on (FROM, COPY --from, RUN --mount from=), in file order. */
function neededStages(stages: readonly Stage[], target: Stage): Stage[] {
  const byRef = (ref: string, before: number) =>
    stages.find((s) => s.index < before && (s.name === ref.toLowerCase() || String(s.index) === ref));
  const needed = new Set<Stage>();
  const visit = (s: Stage) => {
    if (needed.has(s)) return;
    needed.add(s);
    const refs = [s.from.args[0] ?? ''];
    for (const ins of s.instructions) {
      refs.push(...(ins.flags.from ?? []));
      for (const m of ins.flags.mount ?? []) {
        const from = /(?:^|,)from=([^,]+)/.exec(m)?.[1];
        if (from) refs.push(from);
      }
    }
    for (const r of refs) {
      const dep = byRef(r, s.index);
      if (dep) visit(dep);
    }
  };
  visit(target);
  return [...needed].sort((a, b) => a.index - b.index);
}
