// Connects the caller's terminal to a container's pty through the shim's attach socket (`run -t`, `exec -t`).
import type { Socket } from 'node:net';
import { FrameKind, attach, frame, frameReader, resizeFrame } from '../runtime/shim/client.js';

/** Proxies stdin/stdout until the container's output ends; restores the terminal. */
export async function proxyTerminal(socketPath: string): Promise<void> {
  const sock: Socket = await attach(socketPath);
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  const sendSize = () => {
    if (process.stdout.isTTY) sock.write(resizeFrame(process.stdout.rows, process.stdout.columns));
  };
  sendSize();
  process.stdout.on('resize', sendSize);
  const onInput = (d: Buffer) => sock.write(frame(FrameKind.Stdin, d));
  stdin.on('data', onInput);
  sock.on(
    'data',
    frameReader((kind, payload) => {
      if (kind === FrameKind.Stdout || kind === FrameKind.Stderr) process.stdout.write(payload);
    }),
  );
  sock.resume();
  await new Promise<void>((resolve) => {
    sock.once('close', resolve);
    sock.on('error', () => {});
  });
  stdin.off('data', onInput);
  process.stdout.off('resize', sendSize);
  if (raw) stdin.setRawMode(false);
  stdin.pause();
}
