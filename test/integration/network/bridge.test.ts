// Bridge networking against a real sandboxed berthd: the default bridge with published ports (from the sandbox's
// host side, through 127.0.0.1 and the gateway address), -P, UDP, `docker port`, the modes none/host/container:, the
// per-container files, and a taken port refused with nothing left behind.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { daemonSuite, eventually, inspect } from '../daemon/helpers.js';
import { repoRoot } from '../../fixtures/index.js';

const s = await daemonSuite();
const root = await repoRoot();
const testInit = join(root, 'native', 'build', 'berth-test-init');

/** curl in the sandbox (the host the containers see); the body, or undefined when it cannot connect. */
async function fetchFromHost(url: string): Promise<string | undefined> {
  const r = await s.d.inSandbox('curl', ['-sf', '-m', '3', url]);
  return r.code === 0 ? r.stdout : undefined;
}

/** A UDP datagram from the sandbox to host:port; the reply, or undefined. */
async function udpFromHost(host: string, port: number, message: string): Promise<string | undefined> {
  const script = `const s=require('dgram').createSocket('udp4');const t=setTimeout(()=>process.exit(3),2000);
s.on('message',(m)=>{process.stdout.write(String(m));clearTimeout(t);s.close();});
s.send(${JSON.stringify(message)},${port},${JSON.stringify(host)});`;
  const r = await s.d.inSandbox(process.execPath, ['-e', script]);
  return r.code === 0 ? r.stdout : undefined;
}

/** An httpd container serving /www/index.html with `body`; its id. */
async function webServer(name: string, body: string, ...flags: string[]): Promise<string> {
  const cmd = `mkdir -p /www && echo ${body} > /www/index.html && exec httpd -f -p 80 -h /www`;
  return (await s.d.docker('run', '-d', '--name', name, ...flags, 'busybox', 'sh', '-c', cmd)).stdout.trim();
}

test('a container on the default bridge gets an address, a gateway and a MAC from it, as Docker', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  await d.docker('run', '-d', '--name', 'addr', 'busybox', 'sleep', '60');
  const ip = await inspect(d, 'addr', '{{.NetworkSettings.IPAddress}}');
  assert.match(ip, /^172\.17\.\d+\.\d+$/);
  assert.equal(await inspect(d, 'addr', '{{.NetworkSettings.Gateway}}'), '172.17.0.1');
  assert.equal(await inspect(d, 'addr', '{{.NetworkSettings.IPPrefixLen}}'), '16');
  const mac = await inspect(d, 'addr', '{{.NetworkSettings.MacAddress}}');
  const octets = ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'));
  assert.equal(mac, `02:42:${octets.join(':')}`);
  assert.equal(await inspect(d, 'addr', '{{.NetworkSettings.Networks.bridge.IPAddress}}'), ip);
  // Inside: eth0 with that address, the default route through the gateway.
  const inside = await d.docker('exec', 'addr', 'ip', '-o', '-4', 'addr', 'show', 'eth0');
  assert.match(inside.stdout, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/16`));
  const route = await d.docker('exec', 'addr', 'ip', 'route');
  assert.match(route.stdout, /default via 172\.17\.0\.1 dev eth0/);
  // Its /etc/hosts names it at its address.
  const hosts = await d.docker('exec', 'addr', 'cat', '/etc/hosts');
  assert.match(hosts.stdout, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+[0-9a-f]{12}$`, 'm'));
  // The bridge answers the container (the gateway is the sandbox itself).
  await d.docker('exec', 'addr', 'ping', '-c', '1', '-W', '2', '172.17.0.1');
  await d.docker('rm', '-f', 'addr');
  // --mac-address is the endpoint's.
  const own = await d.docker(
    'run',
    '--rm',
    '--mac-address',
    '02:42:ac:11:ff:01',
    'busybox',
    'ip',
    '-o',
    'link',
    'show',
    'eth0',
  );
  assert.match(own.stdout, /link\/ether 02:42:ac:11:ff:01/);
});

test('-p 8080:80 is reachable through 127.0.0.1, the gateway address and the container address; docker port shows it', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  await webServer('web', 'hello-web', '-p', '8080:80');
  const ip = await inspect(d, 'web', '{{.NetworkSettings.IPAddress}}');
  assert.equal(
    await eventually('the published port answers', () => fetchFromHost('http://127.0.0.1:8080/')),
    'hello-web\n',
  );
  assert.equal(await fetchFromHost('http://172.17.0.1:8080/'), 'hello-web\n');
  assert.equal(await fetchFromHost(`http://${ip}:80/`), 'hello-web\n');
  assert.equal((await d.docker('port', 'web')).stdout, '80/tcp -> 0.0.0.0:8080\n');
  assert.equal((await d.docker('port', 'web', '80')).stdout, '0.0.0.0:8080\n');
  assert.equal(
    await inspect(d, 'web', '{{json .NetworkSettings.Ports}}'),
    '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}',
  );
  const ps = await d.docker('ps', '--filter', 'name=web', '--format', '{{.Ports}}');
  assert.equal(ps.stdout.trim(), '0.0.0.0:8080->80/tcp');
  // Hairpin: the container reaches its own published port through the host's address.
  const self = await d.docker('exec', 'web', 'wget', '-q', '-O', '-', 'http://172.17.0.1:8080/');
  assert.equal(self.stdout, 'hello-web\n');

  // Stats count the traffic per interface of the container's namespace.
  const stats = await d.request('GET', '/containers/web/stats?stream=0&one-shot=1');
  const eth0 = (JSON.parse(stats.body) as { networks?: Record<string, { rx_bytes: number; tx_bytes: number }> })
    .networks?.eth0;
  assert.ok(eth0 && eth0.rx_bytes > 0 && eth0.tx_bytes > 0, stats.body);

  // A taken host port: Docker's error, exit 125, and the second container holds nothing.
  const taken = await d.dockerResult(['run', '-d', '--name', 'web2', '-p', '8080:80', 'busybox', 'sleep', '60']);
  assert.equal(taken.code, 125, taken.stderr);
  assert.match(taken.stderr, /Bind for 0\.0\.0\.0:8080 failed: port is already allocated/);
  assert.equal(await inspect(d, 'web2', '{{.State.Status}}'), 'created');
  // Only web has a veth (the kernel finishes removing earlier containers' pairs in the background).
  await eventually('only web has a veth', async () => (await d.leftovers()).links.length === 1);

  // Once web is gone, the port answers nothing, and web2 can have it.
  await d.docker('rm', '-f', 'web');
  assert.equal(await fetchFromHost('http://127.0.0.1:8080/'), undefined);
  await d.docker('start', 'web2');
  assert.equal((await d.docker('port', 'web2')).stdout, '80/tcp -> 0.0.0.0:8080\n');
  await d.docker('rm', '-f', 'web2');
  await eventually('no endpoint left', async () => {
    const left = await d.leftovers();
    return left.links.length + left.netns.length === 0;
  });
});

test('-P publishes every exposed port on a free ephemeral port; a host IP binding answers only there', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  await webServer('pall', 'hello-P', '--expose', '80', '-P');
  const port = (await d.docker('port', 'pall', '80/tcp')).stdout.trim();
  const m = /^0\.0\.0\.0:(\d+)$/.exec(port);
  assert.ok(m, port);
  const [lo, hi] = (await d.inSandbox('cat', ['/proc/sys/net/ipv4/ip_local_port_range'])).stdout
    .trim()
    .split(/\s+/)
    .map(Number);
  assert.ok(Number(m[1]) >= lo! && Number(m[1]) <= hi!, `${m[1]} within ${lo}-${hi}`);
  assert.equal(await eventually('-P port answers', () => fetchFromHost(`http://127.0.0.1:${m[1]}/`)), 'hello-P\n');

  await webServer('lo-only', 'hello-lo', '-p', '127.0.0.1:8081:80');
  assert.equal(await eventually('127.0.0.1 binding', () => fetchFromHost('http://127.0.0.1:8081/')), 'hello-lo\n');
  assert.equal(await fetchFromHost('http://172.17.0.1:8081/'), undefined);
  assert.equal((await d.docker('port', 'lo-only')).stdout, '80/tcp -> 127.0.0.1:8081\n');
  await d.docker('rm', '-f', 'pall', 'lo-only');

  // Ranges, and a host address with a port picked for it.
  await d.docker(
    'run',
    '-d',
    '--name',
    'ranged',
    '-p',
    '9100-9101:80-81',
    '-p',
    '127.0.0.1::82',
    'busybox',
    'sleep',
    '60',
  );
  const listed = (await d.docker('port', 'ranged')).stdout.split('\n').filter(Boolean).sort();
  assert.equal(listed.length, 3, listed.join('; '));
  assert.deepEqual(listed.slice(0, 2), ['80/tcp -> 0.0.0.0:9100', '81/tcp -> 0.0.0.0:9101']);
  assert.match(listed[2] ?? '', /^82\/tcp -> 127\.0\.0\.1:\d+$/);
  await d.docker('rm', '-f', 'ranged');
});

test('a UDP port is published (-p 5353:5353/udp)', { skip: s.skip }, async () => {
  const { d } = s;
  await d.docker(
    'run',
    '-d',
    '--name',
    'udp',
    '-v',
    `${testInit}:/init:ro`,
    '-p',
    '5353:5353/udp',
    'busybox',
    '/init',
    'udp-echo',
    '5353',
  );
  const reply = await eventually('the UDP echo', () => udpFromHost('127.0.0.1', 5353, 'ping'));
  assert.equal(reply, 'echo:ping');
  assert.equal(await udpFromHost('172.17.0.1', 5353, 'pong'), 'echo:pong');
  assert.equal((await d.docker('port', 'udp')).stdout, '5353/udp -> 0.0.0.0:5353\n');
  await d.docker('rm', '-f', 'udp');
});

test('--network none has only lo; host shares the sandbox; container: shares the other namespace', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  const none = await d.docker('run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link');
  assert.deepEqual(
    none.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(': ')[1]),
    ['lo'],
  );
  const host = await d.docker('run', '--rm', '--network', 'host', 'busybox', 'ip', '-o', 'link');
  assert.match(host.stdout, /berth0/);
  await webServer('shared', 'hello-shared');
  const joined = await d.docker(
    'run',
    '--rm',
    '--network',
    'container:shared',
    'busybox',
    'wget',
    '-q',
    '-O',
    '-',
    'http://127.0.0.1:80/',
  );
  assert.equal(joined.stdout, 'hello-shared\n');
  assert.equal(await inspect(d, 'shared', '{{len .NetworkSettings.Networks}}'), '1');
  await d.docker('rm', '-f', 'shared');
});

test('--add-host (host-gateway too), --dns, --dns-search and --dns-option land in the container files', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  const r = await d.docker(
    'run',
    '--rm',
    '--add-host',
    'db.example:10.1.2.3',
    '--add-host',
    'gw:host-gateway',
    '--dns',
    '9.9.9.9',
    '--dns-search',
    'example.org',
    '--dns-option',
    'ndots:2',
    'busybox',
    'cat',
    '/etc/hosts',
    '/etc/resolv.conf',
  );
  assert.match(r.stdout, /^10\.1\.2\.3\s+db\.example$/m);
  assert.match(r.stdout, /^172\.17\.0\.1\s+gw$/m);
  assert.match(r.stdout, /^nameserver 9\.9\.9\.9$/m);
  assert.match(r.stdout, /^search example\.org$/m);
  assert.match(r.stdout, /^options ndots:2$/m);
});

test('legacy links: the alias resolves through /etc/hosts and the environment names its ports', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  await webServer('linked', 'hello-link', '--expose', '80', '-e', 'SECRET=x');
  const ip = await inspect(d, 'linked', '{{.NetworkSettings.IPAddress}}');
  const r = await d.docker(
    'run',
    '--rm',
    '--link',
    'linked:lk',
    'busybox',
    'sh',
    '-c',
    'env; cat /etc/hosts; wget -q -O - http://lk/',
  );
  assert.match(r.stdout, new RegExp(`^LK_PORT_80_TCP_ADDR=${ip.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(r.stdout, /^LK_PORT_80_TCP_PORT=80$/m);
  assert.match(r.stdout, new RegExp(`^LK_PORT=tcp://${ip.replace(/\./g, '\\.')}:80$`, 'm'));
  assert.match(r.stdout, /^LK_ENV_SECRET=x$/m);
  assert.match(r.stdout, /^LK_NAME=\/[a-z_]+\/lk$/m);
  // Docker's link line: the alias, the linked container's hostname, its name.
  assert.match(r.stdout, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+lk [0-9a-f]{12} linked$`, 'm'));
  assert.match(r.stdout, /hello-link/);
  // `docker rm --link /parent/alias` takes the link out of the parent's config.
  await d.docker('create', '--name', 'parent', '--link', 'linked:lk', 'busybox', 'true');
  await d.docker('rm', '--link', '/parent/lk');
  assert.equal(await inspect(d, 'parent', '{{json .HostConfig.Links}}'), 'null');
  const none = await d.dockerResult(['rm', '--link', '/parent/lk']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /No such link/);
  await d.docker('rm', '-f', 'linked', 'parent');
});
