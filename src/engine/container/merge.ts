// Merges a create request's Config with its image's config, as moby's daemon/create.go `merge` does: the request
// wins field by field; Env merges by variable name; an Entrypoint in the request drops the image's Cmd.
import type { ContainerConfig } from '../../api/index.js';
import type { ContainerConfig as ImageContainerConfig } from '../../image/types.js';

const list = (v: string[] | string | null | undefined): string[] | undefined =>
  v === null || v === undefined ? undefined : typeof v === 'string' ? [v] : v;

/** The request's variables first, then the image's that the request does not set (moby's order). */
function mergeEnv(image: readonly string[], user: readonly string[]): string[] {
  const keys = new Set(user.map((kv) => kv.split('=', 1)[0]));
  return [...user, ...image.filter((kv) => !keys.has(kv.split('=', 1)[0]))];
}

export function mergeConfig(user: ContainerConfig, image: ImageContainerConfig | undefined): ContainerConfig {
  const img = image ?? {};
  const out: ContainerConfig = { ...user };
  out.Env = mergeEnv(img.Env ?? [], user.Env ?? []);
  let entrypoint = list(user.Entrypoint);
  let cmd = list(user.Cmd);
  if (entrypoint === undefined || entrypoint.length === 0) {
    // Only a missing Entrypoint inherits the image's; an explicit [] keeps none.
    if (entrypoint === undefined) entrypoint = img.Entrypoint ?? undefined;
    if (cmd === undefined || cmd.length === 0) cmd = img.Cmd ?? undefined;
  }
  // `--entrypoint ""` arrives as [""]: no entrypoint at all.
  if (entrypoint && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = undefined;
  out.Entrypoint = entrypoint ?? null;
  out.Cmd = cmd ?? null;
  if (!user.WorkingDir) out.WorkingDir = img.WorkingDir ?? '';
  if (!user.User) out.User = img.User ?? '';
  const labels = { ...(img.Labels ?? {}), ...(user.Labels ?? {}) };
  out.Labels = labels;
  if (!user.ExposedPorts || Object.keys(user.ExposedPorts).length === 0)
    out.ExposedPorts = img.ExposedPorts ?? undefined;
  else out.ExposedPorts = { ...(img.ExposedPorts ?? {}), ...user.ExposedPorts };
  out.Volumes = { ...(img.Volumes ?? {}), ...(user.Volumes ?? {}) };
  if (Object.keys(out.Volumes).length === 0) out.Volumes = null;
  if (!user.StopSignal && img.StopSignal) out.StopSignal = img.StopSignal;
  if (img.Healthcheck) {
    // Field by field: what the request leaves empty or zero comes from the image.
    const hc = { ...(user.Healthcheck ?? img.Healthcheck) };
    if (!hc.Test?.length) hc.Test = img.Healthcheck.Test;
    for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
      if (!hc[k] && img.Healthcheck[k]) hc[k] = img.Healthcheck[k];
    }
    out.Healthcheck = hc;
  }
  if (!user.OnBuild?.length && img.OnBuild) out.OnBuild = img.OnBuild;
  if (!user.Shell?.length && img.Shell) out.Shell = img.Shell;
  return out;
}

/** The process to run: Entrypoint + Cmd, split into path and args as Docker records them. */
export function commandOf(cfg: ContainerConfig): { path: string; args: string[] } | undefined {
  const argv = [...(list(cfg.Entrypoint) ?? []), ...(list(cfg.Cmd) ?? [])];
  const [path, ...args] = argv;
  if (path === undefined) return undefined;
  return { path, args };
}
