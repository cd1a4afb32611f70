// The table of docker commands berth's CLI understands: for each, its usage line, description, aliases, positional
// argument rule and flag set (docker v28's), so a command implementation only looks its entry up and parses.
import type { FlagSpec, ParseOptions } from './parser.js';
import { CREATE_FLAGS, EXEC_FLAGS, RUN_FLAGS, UPDATE_FLAGS } from './container-flags.js';
import type { ArgsRule, CommandHelp } from './usage.js';
import { type FilterArgs, parseFilter } from './values.js';

export interface CommandSpec extends ParseOptions {
  /** The command words after the binary: "run", "container ls", "system df". */
  path: string;
  /** Other words reaching the same command: ["container ps", "container list"]. */
  aliases?: string[];
  /** cobra's Use without the command name: "[OPTIONS] CONTAINER [CONTAINER...]". */
  usage: string;
  short: string;
  long?: string;
  /** The "Aliases:" line of help. */
  aliasesText?: string;
  args: ArgsRule;
  flags: readonly FlagSpec[];
}

export const FORMAT_HELP = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export const INSPECT_FORMAT_HELP = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

/** docker's FilterOpt: repeated `name=value` into filters.Args (`{"name": {"value": true}}`). */
export const filterFlag = (description: string, short?: string): FlagSpec => ({
  name: 'filter',
  ...(short ? { short } : {}),
  type: 'value',
  typeName: 'filter',
  default: {},
  parse: (raw, cur) => {
    const f = parseFilter(raw);
    const out: FilterArgs = { ...(cur as FilterArgs) };
    if (f) out[f[0]] = { ...(out[f[0]] ?? {}), [f[1]]: true };
    return out;
  },
  description,
});

const format = (help = FORMAT_HELP, short?: string): FlagSpec => ({
  name: 'format',
  ...(short ? { short } : {}),
  type: 'string',
  description: help,
});
const bool = (name: string, short: string | undefined, description: string, dflt?: boolean): FlagSpec => ({
  name,
  ...(short ? { short } : {}),
  type: 'bool',
  ...(dflt !== undefined ? { default: dflt } : {}),
  description,
});
const str = (name: string, short: string | undefined, description: string, dflt?: string): FlagSpec => ({
  name,
  ...(short ? { short } : {}),
  type: 'string',
  ...(dflt !== undefined ? { default: dflt } : {}),
  description,
});
const platform = (description = 'Set platform if server is multi-platform capable'): FlagSpec =>
  str('platform', undefined, description);
const detachKeys = str('detach-keys', undefined, 'Override the key sequence for detaching a container');
const none: ArgsRule = { kind: 'none' };
const min = (n: number): ArgsRule => ({ kind: 'min', min: n });
const exact = (n: number): ArgsRule => ({ kind: 'exact', n });

const PS_FLAGS: FlagSpec[] = [
  bool('quiet', 'q', 'Only display container IDs'),
  bool('size', 's', 'Display total file sizes'),
  bool('all', 'a', 'Show all containers (default shows just running)'),
  bool('no-trunc', undefined, "Don't truncate output"),
  bool('latest', 'l', 'Show the latest created container (includes all states)'),
  {
    name: 'last',
    short: 'n',
    type: 'int',
    default: -1,
    description: 'Show n last created containers (includes all states)',
  },
  format(),
  filterFlag('Filter output based on conditions provided', 'f'),
];

const IMAGES_FLAGS: FlagSpec[] = [
  bool('quiet', 'q', 'Only show image IDs'),
  bool('all', 'a', 'Show all images (default hides intermediate images)'),
  bool('no-trunc', undefined, "Don't truncate output"),
  bool('digests', undefined, 'Show digests'),
  format(),
  filterFlag('Filter output based on conditions provided', 'f'),
  { ...bool('tree', undefined, 'List multi-platform images as a tree (EXPERIMENTAL)'), minApiVersion: '1.47' },
];

const STOP_FLAGS: FlagSpec[] = [
  str('signal', 's', 'Signal to send to the container'),
  { name: 'timeout', short: 't', type: 'int', description: 'Seconds to wait before killing the container' },
  {
    name: 'time',
    type: 'int',
    dest: 'timeout',
    deprecated: 'use --timeout instead',
    description: 'Seconds to wait before killing the container (deprecated: use --timeout)',
  },
];

const RMI_FLAGS: FlagSpec[] = [
  bool('force', 'f', 'Force removal of the image'),
  bool('no-prune', undefined, 'Do not delete untagged parents'),
  {
    name: 'platform',
    type: 'stringSlice',
    minApiVersion: '1.50',
    description: 'Remove only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")',
  },
];

const CP_LONG = `Copy files/folders between a container and the local filesystem

Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`;

interface Family extends Omit<CommandSpec, 'path' | 'aliases'> {
  /** Management path ("container stop"), with its own aliases. */
  managed?: { path: string; aliases?: string[]; usage?: string };
  /** Top-level shorthand ("stop"). */
  top?: { path: string; usage?: string };
}

// One docker command usually exists twice (docker container stop / docker stop), sharing flags and help text.
function family(f: Family): CommandSpec[] {
  const { managed, top, ...rest } = f;
  const out: CommandSpec[] = [];
  if (managed) {
    out.push({ ...rest, path: managed.path, usage: managed.usage ?? rest.usage, aliases: managed.aliases ?? [] });
  }
  if (top) out.push({ ...rest, path: top.path, usage: top.usage ?? rest.usage, aliases: [] });
  return out;
}

const container = (verb: string, spec: Omit<Family, 'managed' | 'top'>, topLevel = true, aliases?: string[]) =>
  family({
    aliasesText: topLevel ? `docker container ${verb}, docker ${verb}` : undefined,
    ...spec,
    managed: { path: `container ${verb}`, ...(aliases ? { aliases } : {}) },
    ...(topLevel ? { top: { path: verb } } : {}),
  });

/** Every command berth's CLI parses, keyed by its path words. */
export const COMMANDS: readonly CommandSpec[] = [
  ...container('run', {
    usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
    short: 'Create and run a new container from an image',
    args: min(1),
    interspersed: false,
    flags: RUN_FLAGS,
  }),
  ...container('create', {
    usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
    short: 'Create a new container',
    args: min(1),
    interspersed: false,
    flags: CREATE_FLAGS,
  }),
  ...container('exec', {
    usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
    short: 'Execute a command in a running container',
    args: min(2),
    interspersed: false,
    flags: EXEC_FLAGS,
  }),
  ...family({
    usage: '[OPTIONS]',
    short: 'List containers',
    aliasesText: 'docker container ls, docker container list, docker container ps, docker ps',
    args: none,
    flags: PS_FLAGS,
    managed: { path: 'container ls', aliases: ['container ps', 'container list'] },
    top: { path: 'ps' },
  }),
  ...container('logs', {
    usage: '[OPTIONS] CONTAINER',
    short: 'Fetch the logs of a container',
    args: exact(1),
    flags: [
      bool('follow', 'f', 'Follow log output'),
      str(
        'since',
        undefined,
        'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
      ),
      {
        ...str(
          'until',
          undefined,
          'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
        ),
        minApiVersion: '1.35',
      },
      bool('timestamps', 't', 'Show timestamps'),
      bool('details', undefined, 'Show extra details provided to logs'),
      str('tail', 'n', 'Number of lines to show from the end of the logs', 'all'),
    ],
  }),
  ...container('stop', {
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Stop one or more running containers',
    args: min(1),
    flags: STOP_FLAGS,
  }),
  ...container('restart', {
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Restart one or more containers',
    args: min(1),
    flags: STOP_FLAGS,
  }),
  ...container('kill', {
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Kill one or more running containers',
    args: min(1),
    flags: [str('signal', 's', 'Signal to send to the container')],
  }),
  ...family({
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Remove one or more containers',
    aliasesText: 'docker container rm, docker container remove, docker rm',
    args: min(1),
    flags: [
      bool('volumes', 'v', 'Remove anonymous volumes associated with the container'),
      bool('link', 'l', 'Remove the specified link'),
      bool('force', 'f', 'Force the removal of a running container (uses SIGKILL)'),
    ],
    managed: { path: 'container rm', aliases: ['container remove'] },
    top: { path: 'rm' },
  }),
  {
    path: 'container inspect',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Display detailed information on one or more containers',
    args: min(1),
    flags: [str('format', 'f', INSPECT_FORMAT_HELP), bool('size', 's', 'Display total file sizes')],
  },
  {
    path: 'inspect',
    usage: '[OPTIONS] NAME|ID [NAME|ID...]',
    short: 'Return low-level information on Docker objects',
    args: min(1),
    flags: [
      str('format', 'f', INSPECT_FORMAT_HELP),
      str('type', undefined, 'Only inspect objects of the given type'),
      bool('size', 's', 'Display total file sizes if the type is container'),
    ],
  },
  ...container('cp', {
    usage: `[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-
\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`,
    short: 'Copy files/folders between a container and the local filesystem',
    long: CP_LONG,
    args: exact(2),
    flags: [
      bool('follow-link', 'L', 'Always follow symbol link in SRC_PATH'),
      bool('archive', 'a', 'Archive mode (copy all uid/gid information)'),
      bool(
        'quiet',
        'q',
        'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached',
      ),
    ],
  }),
  ...container('commit', {
    usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
    short: "Create a new image from a container's changes",
    args: { kind: 'range', min: 1, max: 2 },
    interspersed: false,
    flags: [
      bool('pause', 'p', 'Pause container during commit', true),
      str('message', 'm', 'Commit message'),
      str('author', 'a', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")'),
      { name: 'change', short: 'c', type: 'list', description: 'Apply Dockerfile instruction to the created image' },
    ],
  }),
  ...container('stats', {
    usage: '[OPTIONS] [CONTAINER...]',
    short: 'Display a live stream of container(s) resource usage statistics',
    args: { kind: 'any' },
    flags: [
      bool('all', 'a', 'Show all containers (default shows just running)'),
      bool('no-stream', undefined, 'Disable streaming stats and only pull the first result'),
      bool('no-trunc', undefined, 'Do not truncate output'),
      format(),
    ],
  }),
  ...container('top', {
    usage: 'CONTAINER [ps OPTIONS]',
    short: 'Display the running processes of a container',
    args: min(1),
    interspersed: false,
    flags: [],
  }),
  ...container('wait', {
    usage: 'CONTAINER [CONTAINER...]',
    short: 'Block until one or more containers stop, then print their exit codes',
    args: min(1),
    flags: [],
  }),
  ...container('pause', {
    usage: 'CONTAINER [CONTAINER...]',
    short: 'Pause all processes within one or more containers',
    args: min(1),
    flags: [],
  }),
  ...container('unpause', {
    usage: 'CONTAINER [CONTAINER...]',
    short: 'Unpause all processes within one or more containers',
    args: min(1),
    flags: [],
  }),
  ...container('rename', { usage: 'CONTAINER NEW_NAME', short: 'Rename a container', args: exact(2), flags: [] }),
  ...container('port', {
    usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
    short: 'List port mappings or a specific mapping for the container',
    args: { kind: 'range', min: 1, max: 2 },
    flags: [],
  }),
  ...container('diff', {
    usage: 'CONTAINER',
    short: "Inspect changes to files or directories on a container's filesystem",
    args: exact(1),
    flags: [],
  }),
  ...container('export', {
    usage: '[OPTIONS] CONTAINER',
    short: "Export a container's filesystem as a tar archive",
    args: exact(1),
    flags: [str('output', 'o', 'Write to a file, instead of STDOUT')],
  }),
  ...container('attach', {
    usage: '[OPTIONS] CONTAINER',
    short: 'Attach local standard input, output, and error streams to a running container',
    args: exact(1),
    flags: [
      bool('no-stdin', undefined, 'Do not attach STDIN'),
      bool('sig-proxy', undefined, 'Proxy all received signals to the process', true),
      detachKeys,
    ],
  }),
  ...container('start', {
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Start one or more stopped containers',
    args: min(1),
    flags: [
      bool('attach', 'a', 'Attach STDOUT/STDERR and forward signals'),
      bool('interactive', 'i', "Attach container's STDIN"),
      detachKeys,
      { ...str('checkpoint', undefined, 'Restore from this checkpoint'), experimental: true, osType: 'linux' },
      {
        ...str('checkpoint-dir', undefined, 'Use a custom checkpoint storage directory'),
        experimental: true,
        osType: 'linux',
      },
    ],
  }),
  ...container('update', {
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Update configuration of one or more containers',
    args: min(1),
    flags: UPDATE_FLAGS,
  }),
  {
    path: 'container prune',
    usage: '[OPTIONS]',
    short: 'Remove all stopped containers',
    args: none,
    flags: [
      bool('force', 'f', 'Do not prompt for confirmation'),
      filterFlag('Provide filter values (e.g. "until=<timestamp>")'),
    ],
  },
  // Images
  ...family({
    usage: '[OPTIONS] [REPOSITORY[:TAG]]',
    short: 'List images',
    aliasesText: 'docker image ls, docker image list, docker images',
    args: { kind: 'max', max: 1 },
    flags: IMAGES_FLAGS,
    managed: { path: 'image ls', aliases: ['image list'] },
    top: { path: 'images' },
  }),
  ...family({
    usage: '[OPTIONS] IMAGE [IMAGE...]',
    short: 'Remove one or more images',
    aliasesText: 'docker image rm, docker image remove, docker rmi',
    args: min(1),
    flags: RMI_FLAGS,
    managed: { path: 'image rm', aliases: ['image remove'] },
    top: { path: 'rmi' },
  }),
  {
    path: 'image inspect',
    usage: '[OPTIONS] IMAGE [IMAGE...]',
    short: 'Display detailed information on one or more images',
    args: min(1),
    flags: [
      str('format', 'f', INSPECT_FORMAT_HELP),
      {
        ...platform(`Inspect a specific platform of the multi-platform image.
If the image or the server is not multi-platform capable, the command will error out if the platform does not match.
'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)`),
        minApiVersion: '1.49',
      },
    ],
  },
  ...family({
    usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
    short: 'Import the contents from a tarball to create a filesystem image',
    aliasesText: 'docker image import, docker import',
    args: min(1),
    flags: [
      { name: 'change', short: 'c', type: 'list', description: 'Apply Dockerfile instruction to the created image' },
      str('message', 'm', 'Set commit message for imported image'),
      platform(),
    ],
    managed: { path: 'image import' },
    top: { path: 'import' },
  }),
  ...family({
    usage: '[OPTIONS] IMAGE [IMAGE...]',
    short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
    aliasesText: 'docker image save, docker save',
    args: min(1),
    flags: [
      str('output', 'o', 'Write to a file, instead of STDOUT'),
      {
        ...platform('Save only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
        minApiVersion: '1.48',
      },
    ],
    managed: { path: 'image save' },
    top: { path: 'save' },
  }),
  ...family({
    usage: '[OPTIONS]',
    short: 'Load an image from a tar archive or STDIN',
    aliasesText: 'docker image load, docker load',
    args: none,
    flags: [
      str('input', 'i', 'Read from tar archive file, instead of STDIN'),
      bool('quiet', 'q', 'Suppress the load output'),
      {
        ...platform('Load only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
        minApiVersion: '1.48',
      },
    ],
    managed: { path: 'image load' },
    top: { path: 'load' },
  }),
  ...family({
    usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
    short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
    aliasesText: 'docker image tag, docker tag',
    args: exact(2),
    flags: [],
    managed: { path: 'image tag' },
    top: { path: 'tag' },
  }),
  ...family({
    usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
    short: 'Download an image from a registry',
    aliasesText: 'docker image pull, docker pull',
    args: exact(1),
    flags: [
      bool('all-tags', 'a', 'Download all tagged images in the repository'),
      bool('quiet', 'q', 'Suppress verbose output'),
      platform(),
      bool('disable-content-trust', undefined, 'Skip image verification', true),
    ],
    managed: { path: 'image pull' },
    top: { path: 'pull' },
  }),
  ...family({
    usage: '[OPTIONS] NAME[:TAG]',
    short: 'Upload an image to a registry',
    aliasesText: 'docker image push, docker push',
    args: exact(1),
    flags: [
      bool('all-tags', 'a', 'Push all tags of an image to the repository'),
      bool('disable-content-trust', undefined, 'Skip image signing', true),
      {
        ...platform(`Push a platform-specific manifest as a single-platform image to the registry.
Image index won't be pushed, meaning that other manifests, including attestations won't be preserved.
'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)`),
        minApiVersion: '1.46',
      },
      bool('quiet', 'q', 'Suppress verbose output'),
    ],
    managed: { path: 'image push' },
    top: { path: 'push' },
  }),
  ...family({
    usage: '[OPTIONS] PATH | URL | -',
    short: 'Build an image from a Dockerfile',
    aliasesText: 'docker image build, docker build, docker builder build',
    args: exact(1),
    flags: [
      { name: 'build-arg', type: 'list', description: 'Set build-time variables' },
      { name: 'cache-from', type: 'stringArray', description: 'Images to consider as cache sources' },
      str('file', 'f', "Name of the Dockerfile (Default is 'PATH/Dockerfile')"),
      bool('force-rm', undefined, 'Always remove intermediate containers'),
      str('iidfile', undefined, 'Write the image ID to the file'),
      { name: 'label', type: 'list', description: 'Set metadata for an image' },
      str('network', undefined, 'Set the networking mode for the RUN instructions during build', 'default'),
      bool('no-cache', undefined, 'Do not use cache when building the image'),
      platform(),
      bool('pull', undefined, 'Always attempt to pull a newer version of the image'),
      bool('quiet', 'q', 'Suppress the build output and print image ID on success'),
      bool('rm', undefined, 'Remove intermediate containers after a successful build', true),
      {
        name: 'secret',
        type: 'stringArray',
        description: 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")',
      },
      { name: 'tag', short: 't', type: 'list', description: 'Name and optionally a tag in the "name:tag" format' },
      str('target', undefined, 'Set the target build stage to build.'),
    ],
    managed: { path: 'image build' },
    top: { path: 'build' },
  }),
  {
    path: 'builder prune',
    usage: '',
    short: 'Remove build cache',
    args: none,
    flags: [
      bool('all', 'a', 'Remove all unused build cache, not just dangling ones'),
      filterFlag('Provide filter values (e.g. "until=24h")'),
      bool('force', 'f', 'Do not prompt for confirmation'),
    ],
  },
  // Registries
  {
    path: 'login',
    usage: '[OPTIONS] [SERVER]',
    short: 'Authenticate to a registry',
    long: 'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.',
    args: { kind: 'max', max: 1 },
    flags: [
      str('password', 'p', 'Password or Personal Access Token (PAT)'),
      bool('password-stdin', undefined, 'Take the Password or Personal Access Token (PAT) from stdin'),
      str('username', 'u', 'Username'),
    ],
  },
  {
    path: 'logout',
    usage: '[SERVER]',
    short: 'Log out from a registry',
    long: 'Log out from a registry.\nIf no server is specified, the default is defined by the daemon.',
    args: { kind: 'max', max: 1 },
    flags: [],
  },
  {
    path: 'search',
    usage: '[OPTIONS] TERM',
    short: 'Search Docker Hub for images',
    args: exact(1),
    flags: [
      filterFlag('Filter output based on conditions provided', 'f'),
      str('format', undefined, 'Pretty-print search using a Go template'),
      { name: 'limit', type: 'int', description: 'Max number of search results' },
      bool('no-trunc', undefined, "Don't truncate output"),
    ],
  },
  ...family({
    usage: '[OPTIONS] IMAGE',
    short: 'Show the history of an image',
    aliasesText: 'docker image history, docker history',
    args: exact(1),
    flags: [
      bool('human', 'H', 'Print sizes and dates in human readable format', true),
      bool('no-trunc', undefined, "Don't truncate output"),
      bool('quiet', 'q', 'Only show image IDs'),
      format(),
      {
        ...platform('Show history for the given platform. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
        minApiVersion: '1.48',
      },
    ],
    managed: { path: 'image history' },
    top: { path: 'history' },
  }),
  {
    path: 'image prune',
    usage: '[OPTIONS]',
    short: 'Remove unused images',
    args: none,
    flags: [
      bool('force', 'f', 'Do not prompt for confirmation'),
      bool('all', 'a', 'Remove all unused images, not just dangling ones'),
      filterFlag('Provide filter values (e.g. "until=<timestamp>")'),
    ],
  },
  // Networks
  {
    path: 'network create',
    usage: '[OPTIONS] NETWORK',
    short: 'Create a network',
    args: exact(1),
    flags: [
      bool('attachable', undefined, 'Enable manual container attachment'),
      { name: 'aux-address', type: 'map', description: 'Auxiliary IPv4 or IPv6 addresses used by Network driver' },
      str('config-from', undefined, 'The network from which to copy the configuration'),
      bool('config-only', undefined, 'Create a configuration only network'),
      str('driver', 'd', 'Driver to manage the Network', 'bridge'),
      { name: 'gateway', type: 'stringSlice', description: 'IPv4 or IPv6 Gateway for the master subnet' },
      bool('ingress', undefined, 'Create swarm routing-mesh network'),
      bool('internal', undefined, 'Restrict external access to the network'),
      { name: 'ip-range', type: 'stringSlice', description: 'Allocate container ip from a sub-range' },
      str('ipam-driver', undefined, 'IP Address Management Driver', 'default'),
      { name: 'ipam-opt', type: 'map', description: 'Set IPAM driver specific options' },
      { ...bool('ipv4', undefined, 'Enable or disable IPv4 address assignment', true), minApiVersion: '1.48' },
      bool('ipv6', undefined, 'Enable or disable IPv6 address assignment'),
      { name: 'label', type: 'list', description: 'Set metadata on a network' },
      { name: 'opt', short: 'o', type: 'map', description: 'Set driver specific options' },
      str('scope', undefined, "Control the network's scope"),
      { name: 'subnet', type: 'stringSlice', description: 'Subnet in CIDR format that represents a network segment' },
    ],
  },
  {
    path: 'network ls',
    aliases: ['network list'],
    aliasesText: 'docker network ls, docker network list',
    usage: '[OPTIONS]',
    short: 'List networks',
    args: none,
    flags: [
      filterFlag('Provide filter values (e.g. "driver=bridge")', 'f'),
      format(),
      bool('no-trunc', undefined, 'Do not truncate the output'),
      bool('quiet', 'q', 'Only display network IDs'),
    ],
  },
  {
    path: 'network inspect',
    usage: '[OPTIONS] NETWORK [NETWORK...]',
    short: 'Display detailed information on one or more networks',
    args: min(1),
    flags: [str('format', 'f', INSPECT_FORMAT_HELP), bool('verbose', 'v', 'Verbose output for diagnostics')],
  },
  {
    path: 'network rm',
    aliases: ['network remove'],
    aliasesText: 'docker network rm, docker network remove',
    usage: 'NETWORK [NETWORK...]',
    short: 'Remove one or more networks',
    args: min(1),
    flags: [bool('force', 'f', 'Do not error if the network does not exist')],
  },
  {
    path: 'network prune',
    usage: '[OPTIONS]',
    short: 'Remove all unused networks',
    args: none,
    flags: [
      filterFlag('Provide filter values (e.g. "until=<timestamp>")'),
      bool('force', 'f', 'Do not prompt for confirmation'),
    ],
  },
  {
    path: 'network connect',
    usage: '[OPTIONS] NETWORK CONTAINER',
    short: 'Connect a container to a network',
    args: exact(2),
    flags: [
      { name: 'alias', type: 'stringSlice', description: 'Add network-scoped alias for the container' },
      { name: 'driver-opt', type: 'stringSlice', description: 'driver options for the network' },
      {
        name: 'gw-priority',
        type: 'int',
        description: 'Highest gw-priority provides the default gateway. Accepts positive and negative values.',
      },
      str('ip', undefined, 'IPv4 address (e.g., "172.30.100.104")'),
      str('ip6', undefined, 'IPv6 address (e.g., "2001:db8::33")'),
      { name: 'link', type: 'list', description: 'Add link to another container' },
      { name: 'link-local-ip', type: 'stringSlice', description: 'Add a link-local address for the container' },
    ],
  },
  {
    path: 'network disconnect',
    usage: '[OPTIONS] NETWORK CONTAINER',
    short: 'Disconnect a container from a network',
    args: exact(2),
    flags: [bool('force', 'f', 'Force the container to disconnect from a network')],
  },
  // Volumes
  {
    path: 'volume create',
    usage: '[OPTIONS] [VOLUME]',
    short: 'Create a volume',
    args: { kind: 'max', max: 1 },
    // The cluster volume flags are swarm's: accepted and shown as docker shows them, unused by a local engine.
    flags: [
      str('availability', undefined, 'Cluster Volume availability ("active", "pause", "drain")', 'active'),
      str('driver', 'd', 'Specify volume driver name', 'local'),
      str('group', undefined, 'Cluster Volume group (cluster volumes)'),
      { name: 'label', type: 'list', description: 'Set metadata for a volume' },
      { name: 'limit-bytes', type: 'bytes', description: 'Minimum size of the Cluster Volume in bytes' },
      { name: 'name', type: 'string', description: 'Specify volume name', hidden: true },
      { name: 'opt', short: 'o', type: 'map', description: 'Set driver specific options' },
      { name: 'required-bytes', type: 'bytes', description: 'Maximum size of the Cluster Volume in bytes' },
      str('scope', undefined, 'Cluster Volume access scope ("single", "multi")', 'single'),
      { name: 'secret', type: 'map', description: 'Cluster Volume secrets' },
      str('sharing', undefined, 'Cluster Volume access sharing ("none", "readonly", "onewriter", "all")', 'none'),
      {
        name: 'topology-preferred',
        type: 'list',
        description: 'A topology that the Cluster Volume would be preferred in',
      },
      {
        name: 'topology-required',
        type: 'list',
        description: 'A topology that the Cluster Volume must be accessible from',
      },
      str('type', undefined, 'Cluster Volume access type ("mount", "block")', 'block'),
    ],
  },
  {
    path: 'volume ls',
    aliases: ['volume list'],
    aliasesText: 'docker volume ls, docker volume list',
    usage: '[OPTIONS]',
    short: 'List volumes',
    args: none,
    flags: [
      bool('cluster', undefined, 'Display only cluster volumes, and use cluster volume list formatting'),
      filterFlag('Provide filter values (e.g. "dangling=true")', 'f'),
      format(),
      bool('quiet', 'q', 'Only display volume names'),
    ],
  },
  {
    path: 'volume inspect',
    usage: '[OPTIONS] VOLUME [VOLUME...]',
    short: 'Display detailed information on one or more volumes',
    args: min(1),
    flags: [str('format', 'f', INSPECT_FORMAT_HELP)],
  },
  {
    path: 'volume rm',
    aliases: ['volume remove'],
    aliasesText: 'docker volume rm, docker volume remove',
    usage: '[OPTIONS] VOLUME [VOLUME...]',
    short: 'Remove one or more volumes',
    long: 'Remove one or more volumes. You cannot remove a volume that is in use by a container.',
    args: min(1),
    flags: [bool('force', 'f', 'Force the removal of one or more volumes')],
  },
  {
    path: 'volume prune',
    usage: '[OPTIONS]',
    short: 'Remove unused local volumes',
    args: none,
    flags: [
      bool('all', 'a', 'Remove all unused volumes, not just anonymous ones'),
      filterFlag('Provide filter values (e.g. "label=<label>")'),
      bool('force', 'f', 'Do not prompt for confirmation'),
    ],
  },
  {
    path: 'volume update',
    usage: '[OPTIONS] [VOLUME]',
    short: 'Update a volume (cluster volumes only)',
    args: exact(1),
    flags: [str('availability', undefined, 'Cluster Volume availability ("active", "pause", "drain")', 'active')],
  },
  // System
  {
    path: 'version',
    usage: '[OPTIONS]',
    short: 'Show the Docker version information',
    args: none,
    flags: [str('format', 'f', INSPECT_FORMAT_HELP)],
  },
  ...family({
    usage: '[OPTIONS]',
    short: 'Display system-wide information',
    aliasesText: 'docker system info, docker info',
    args: none,
    flags: [str('format', 'f', INSPECT_FORMAT_HELP)],
    managed: { path: 'system info' },
    top: { path: 'info' },
  }),
  ...family({
    usage: '[OPTIONS]',
    short: 'Get real time events from the server',
    aliasesText: 'docker system events, docker events',
    args: none,
    flags: [
      str('since', undefined, 'Show all events created since timestamp'),
      str('until', undefined, 'Stream events until this timestamp'),
      filterFlag('Filter output based on conditions provided', 'f'),
      format(INSPECT_FORMAT_HELP),
    ],
    managed: { path: 'system events' },
    top: { path: 'events' },
  }),
  {
    path: 'system df',
    usage: '[OPTIONS]',
    short: 'Show docker disk usage',
    args: none,
    flags: [bool('verbose', 'v', 'Show detailed information on space usage'), format()],
  },
  {
    path: 'system prune',
    usage: '[OPTIONS]',
    short: 'Remove unused data',
    args: none,
    flags: [
      bool('force', 'f', 'Do not prompt for confirmation'),
      bool('all', 'a', 'Remove all unused images not just dangling ones'),
      bool('volumes', undefined, 'Prune anonymous volumes'),
      filterFlag('Provide filter values (e.g. "label=<key>=<value>")'),
    ],
  },
];

/** The command `words` start with (longest match, aliases included): its spec and the words left for parsing. */
export function findCommand(words: readonly string[]): { spec: CommandSpec; rest: string[] } | undefined {
  for (const n of [2, 1]) {
    if (words.length < n) continue;
    const key = words.slice(0, n).join(' ');
    const spec = COMMANDS.find((c) => c.path === key || c.aliases?.includes(key));
    if (spec) return { spec, rest: words.slice(n) };
  }
  return undefined;
}

/** Looks a command up by its path ("run", "container ls") or an alias of it; throws when unknown. */
export function commandSpec(path: string): CommandSpec {
  const spec = COMMANDS.find((c) => c.path === path || c.aliases?.includes(path));
  if (!spec) throw new Error(`no such command in the table: ${path}`);
  return spec;
}

/** What help and error texts need for `spec`, invoked through binary `bin` ("docker" or "berth"). */
export function commandHelp(spec: CommandSpec, bin = 'docker'): CommandHelp {
  return {
    path: `${bin} ${spec.path}`,
    usage: spec.usage,
    short: spec.short,
    ...(spec.long ? { long: spec.long } : {}),
    ...(spec.aliasesText ? { aliases: spec.aliasesText.replaceAll('docker ', `${bin} `) } : {}),
    flags: spec.flags,
  };
}
