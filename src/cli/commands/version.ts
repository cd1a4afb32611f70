// berth version: the client's and the daemon's versions, in docker's layout or through -f.
import type { ParsedFlags } from '../args/index.js';
import { API_VERSION } from '../../api/index.js';
import type { VersionComponent, VersionResponse } from '../../api/system.js';
import { parseTemplate, TabWriter } from '../template/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';
import { CLIENT_VERSION } from './client-version.js';

const TEMPLATE = `{{with .Client -}}
Client:{{with .Platform}}{{if ne .Name ""}} {{.Name}}{{end}}{{end}}
 Version:\t{{.Version}}
 API version:\t{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Go version:\t{{.GoVersion}}
 Git commit:\t{{.GitCommit}}
 Built:\t{{.BuildTime}}
 OS/Arch:\t{{.Os}}/{{.Arch}}
 Context:\t{{.Context}}
{{- end}}

{{- if .ServerOK}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:\t{{.Version}}
  API version:\t{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:\t{{index .Details "GoVersion"}}
  Git commit:\t{{index .Details "GitCommit"}}
  Built:\t{{index .Details "BuildTime"}}
  OS/Arch:\t{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:\t{{index .Details "Experimental"}}
  {{- else }}
  Version:\t{{$component.Version}}
  {{- $detailsOrder := getDetailsOrder $component}}
  {{- range $key := $detailsOrder}}
  {{$key}}:\t{{index $component.Details $key}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}`;

/** Go's names for Node's architectures. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386' };
export const goArch = (arch: string = process.arch): string => GO_ARCH[arch] ?? arch;

/** An object whose `go` name reads `json` (Go field APIVersion is JSON ApiVersion) without showing up in JSON. */
function alias<T extends object>(o: T, go: string, json: string): T {
  Object.defineProperty(o, go, { get: () => (o as Record<string, unknown>)[json], enumerable: false });
  return o;
}

export default async function version(cli: Cli, flags: ParsedFlags): Promise<number> {
  const format = flags.string('format');
  const client = cli.client();
  let serverError: unknown;
  let negotiated = API_VERSION;
  let server: VersionResponse | null = null;
  try {
    negotiated = await client.apiVersion();
    server = await client.version();
    // Go's types.Version leaves these out when empty (omitempty), whatever the daemon sent.
    const loose = server as unknown as Record<string, unknown>;
    for (const k of ['KernelVersion', 'Experimental', 'BuildTime']) if (!loose[k]) delete loose[k];
    alias(server, 'APIVersion', 'ApiVersion');
  } catch (e) {
    serverError = e;
  }
  const data = {
    Client: alias(
      {
        Version: CLIENT_VERSION,
        ApiVersion: negotiated,
        DefaultAPIVersion: API_VERSION,
        GitCommit: 'berth',
        GoVersion: `node${process.versions.node}`,
        Os: process.platform,
        Arch: goArch(),
        BuildTime: '',
        Context: 'default',
      },
      'APIVersion',
      'ApiVersion',
    ),
    Server: server,
  };
  Object.defineProperty(data, 'ServerOK', { value: server !== null, enumerable: false });
  const funcs = {
    getDetailsOrder: (c: VersionComponent) => Object.keys(c.Details ?? {}).sort(),
  };
  let tmpl: ReturnType<typeof parseTemplate>;
  try {
    tmpl = parseTemplate(format === '' ? TEMPLATE : format === 'json' ? '{{json .}}' : format, 'version', funcs);
  } catch (e) {
    throw new StatusError(64, `template parsing error: ${(e as Error).message}`);
  }
  let text = tmpl.execute(data);
  if (format === '') {
    const w = new TabWriter(20, 1, 1, ' ', 0);
    w.write(`${text}\n`);
    text = w.flush();
  } else {
    text += '\n';
  }
  cli.out(text);
  if (serverError !== undefined) throw new StatusError(1, errorText(serverError));
  return 0;
}
