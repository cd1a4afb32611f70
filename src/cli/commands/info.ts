// berth info: the client's settings and the daemon's system information, in docker's layout or through -f.
import type { ParsedFlags } from '../args/index.js';
import { parseTemplate } from '../template/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { CLIENT_VERSION } from './client-version.js';
import { errorText } from './errors.js';
import { bytesSize } from './humanize.js';

type Info = Record<string, unknown>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** prettyPrintServerInfo, for the fields a daemon fills. */
export function serverInfoText(info: Info): string {
  let s = '';
  const line = (...parts: unknown[]) => {
    s += `${parts.map(str).join(' ')}\n`;
  };
  const nonEmpty = (label: string, v: unknown) => {
    if (str(v) !== '') line(label, v);
  };
  line(' Containers:', info.Containers ?? 0);
  line('  Running:', info.ContainersRunning ?? 0);
  line('  Paused:', info.ContainersPaused ?? 0);
  line('  Stopped:', info.ContainersStopped ?? 0);
  line(' Images:', info.Images ?? 0);
  nonEmpty(' Server Version:', info.ServerVersion);
  nonEmpty(' Storage Driver:', info.Driver);
  for (const pair of (info.DriverStatus as string[][] | null) ?? []) s += `  ${pair[0]}: ${pair[1]}\n`;
  for (const pair of (info.SystemStatus as string[][] | null) ?? []) s += ` ${pair[0]}: ${pair[1]}\n`;
  nonEmpty(' Logging Driver:', info.LoggingDriver);
  nonEmpty(' Cgroup Driver:', info.CgroupDriver);
  nonEmpty(' Cgroup Version:', info.CgroupVersion);
  const plugins = (info.Plugins ?? {}) as Record<string, unknown>;
  line(' Plugins:');
  line('  Volume:', list(plugins.Volume).join(' '));
  line('  Network:', list(plugins.Network).join(' '));
  if (list(plugins.Authorization).length > 0) line('  Authorization:', list(plugins.Authorization).join(' '));
  line('  Log:', list(plugins.Log).join(' '));
  line(' Swarm:', (info.Swarm as { LocalNodeState?: string } | undefined)?.LocalNodeState ?? 'inactive');
  const runtimes = Object.keys((info.Runtimes as object | null) ?? {});
  if (runtimes.length > 0) {
    line(' Runtimes:', runtimes.join(' '));
    line(' Default Runtime:', info.DefaultRuntime);
  }
  if (info.OSType === 'linux') {
    line(' Init Binary:', info.InitBinary);
    for (const [name, key] of [
      ['containerd', 'ContainerdCommit'],
      ['runc', 'RuncCommit'],
      ['init', 'InitCommit'],
    ] as const) {
      s += ` ${name} version: ${str((info[key] as { ID?: string } | undefined)?.ID)}\n`;
    }
    const opts = list(info.SecurityOptions);
    if (opts.length > 0) {
      line(' Security Options:');
      for (const o of opts) {
        const kv = Object.fromEntries(o.split(',').map((p) => p.split('=') as [string, string]));
        line(`  ${kv.name ?? o}`);
        if (kv.profile) line('   Profile:', kv.profile);
      }
    }
  }
  nonEmpty(' Kernel Version:', info.KernelVersion);
  nonEmpty(' Operating System:', info.OperatingSystem);
  nonEmpty(' OSType:', info.OSType);
  nonEmpty(' Architecture:', info.Architecture);
  line(' CPUs:', info.NCPU ?? 0);
  line(' Total Memory:', bytesSize(Number(info.MemTotal ?? 0)));
  nonEmpty(' Name:', info.Name);
  nonEmpty(' ID:', info.ID);
  line(' Docker Root Dir:', info.DockerRootDir);
  line(' Debug Mode:', info.Debug === true);
  if (info.Debug === true) {
    line('  File Descriptors:', info.NFd ?? 0);
    line('  Goroutines:', info.NGoroutines ?? 0);
    line('  System Time:', info.SystemTime);
    line('  EventsListeners:', info.NEventsListener ?? 0);
  }
  nonEmpty(' HTTP Proxy:', info.HttpProxy);
  nonEmpty(' HTTPS Proxy:', info.HttpsProxy);
  nonEmpty(' No Proxy:', info.NoProxy);
  const labels = list(info.Labels);
  if (labels.length > 0) {
    line(' Labels:');
    for (const l of labels) line(`  ${l}`);
  }
  line(' Experimental:', info.ExperimentalBuild === true);
  const reg = (info.RegistryConfig ?? {}) as {
    InsecureRegistryCIDRs?: string[];
    IndexConfigs?: Record<string, { Name: string; Secure: boolean }>;
    Mirrors?: string[];
  };
  const insecure = Object.values(reg.IndexConfigs ?? {}).filter((c) => !c.Secure);
  if ((reg.InsecureRegistryCIDRs ?? []).length > 0 || Object.keys(reg.IndexConfigs ?? {}).length > 0) {
    line(' Insecure Registries:');
    for (const c of insecure) line(`  ${c.Name}`);
    for (const cidr of reg.InsecureRegistryCIDRs ?? []) line(`  ${cidr}`);
  }
  if ((reg.Mirrors ?? []).length > 0) {
    line(' Registry Mirrors:');
    for (const m of reg.Mirrors ?? []) line(`  ${m}`);
  }
  line(' Live Restore Enabled:', info.LiveRestoreEnabled === true);
  return `${s}\n`;
}

export default async function info(cli: Cli, flags: ParsedFlags): Promise<number> {
  const format = flags.string('format');
  const clientInfo = { Debug: false, Version: CLIENT_VERSION, Context: 'default', Plugins: [], Warnings: null };
  let server: Info | undefined;
  let serverError: unknown;
  try {
    server = await cli.client().info();
  } catch (e) {
    serverError = e;
  }
  if (format !== '') {
    let tmpl: ReturnType<typeof parseTemplate>;
    try {
      tmpl = parseTemplate(format === 'json' ? '{{json .}}' : format, 'info');
    } catch (e) {
      throw new StatusError(64, `template parsing error: ${(e as Error).message}`);
    }
    if (serverError !== undefined) throw serverError;
    cli.out(`${tmpl.execute({ ...server, ClientInfo: clientInfo })}\n`);
    return 0;
  }
  cli.out(`Client:\n Version:    ${CLIENT_VERSION}\n Context:    default\n Debug Mode: false\n\nServer:\n`);
  if (serverError !== undefined) {
    throw new StatusError(1, `ERROR: ${errorText(serverError)}\nerrors pretty printing info`);
  }
  cli.out(serverInfoText(server!));
  for (const w of list(server!.Warnings)) cli.err(`${w}\n`);
  return 0;
}
