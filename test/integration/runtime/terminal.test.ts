// A container with a terminal: its pty is in the container's devpts, reaches a runc-style console socket, and the
// shim's attach socket carries input, output and resizes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FrameKind, attach, frame, frameReader, resizeFrame } from '../../../src/runtime/shim/client.js';
import { TEST_INIT, testInitBinary } from '../../fixtures/index.js';
import { RuntimeHarness, eventually } from './harness.js';

const T = TEST_INIT;
let h: RuntimeHarness;
before(async () => {
  h = await RuntimeHarness.create();
});
after(async () => {
  await h.cleanup();
});

describe('terminal', () => {
  test('the pty reaches a --console-socket receiver and tty inside is /dev/pts/0', async () => {
    const b = await h.bundle({
      args: [T, 'tty'],
      terminal: true,
      mutate: (s) => {
        s.process!.consoleSize = { height: 30, width: 100 };
      },
    });
    const sock = join(b.dir, 'console.sock');
    const receiver = spawn(await testInitBinary(), ['recvtty', sock], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    receiver.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const done = new Promise<number | null>((resolve) => receiver.on('close', resolve));
    try {
      await eventually(
        () =>
          access(sock).then(
            () => true,
            () => undefined,
          ),
        5000,
        'console socket',
      );
      const r = await h.run(['run', '-d', '--console-socket', sock, '--bundle', b.dir, 'tty1']);
      assert.equal(r.code, 0, r.stderr);
      const rt = await h.runtime();
      await rt.wait('tty1');
      const timer = setTimeout(() => receiver.kill(), 5000);
      await done;
      clearTimeout(timer);
      const lines = out.replace(/\r/g, '').trim().split('\n');
      assert.deepEqual(lines, ['received', '/dev/pts/0', '30 100']);
      await rt.delete('tty1');
    } finally {
      receiver.kill();
    }
  });

  test('attach carries pty output and input, and a resize reaches the process as SIGWINCH', async () => {
    const rt = await h.runtime();
    const b = await h.bundle({ args: ['sh', '-c', `${T} winch; read line; echo "in:$line"`], terminal: true });
    await rt.create('tty2', b.dir, {});
    const sock = await attach(rt.store.socketPath('tty2'));
    let out = '';
    sock.on(
      'data',
      frameReader((kind, payload) => {
        assert.equal(kind, FrameKind.Stdout);
        out += payload.toString();
      }),
    );
    sock.resume();
    await rt.start('tty2');
    await eventually(async () => (/\d+ \d+/.test(out) ? true : undefined), 5000, 'first size');
    sock.write(resizeFrame(40, 120));
    await eventually(async () => (out.includes('40 120') ? true : undefined), 5000, 'resize');
    sock.write(frame(FrameKind.Stdin, Buffer.from('typed\r')));
    const status = await rt.wait('tty2');
    assert.equal(status?.exitCode, 0);
    assert.match(out, /in:typed/);
    sock.destroy();
    await rt.delete('tty2');
  });
});
