// berthd's restart with 50 running containers: the time from a kill -9 of the daemon to its first /_ping answer
// (the containers are reconciled while it serves), and to the moment every one of them is recorded as stopped.
// Prints `name value unit` lines; the reference for dockerd here is 10-80 s after a kill -9.
import { busyboxImage, skipReason, startBerthd } from '../test/fixtures/berthd.js';
import { median, report } from './stats.js';

const CONTAINERS = 50;
const ROUNDS = 3;

async function main(): Promise<void> {
  const skip = await skipReason();
  if (skip) {
    process.stdout.write(`# restart: skipped (${skip})\n`);
    return;
  }
  const d = await startBerthd({ debug: false, timeoutMs: 60_000 });
  try {
    await busyboxImage(d);
    const toPing: number[] = [];
    const toStopped: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const ids: string[] = [];
      for (let i = 0; i < CONTAINERS; i++) {
        const r = await d.request(
          'POST',
          '/containers/create',
          JSON.stringify({ Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'] }),
          { 'Content-Type': 'application/json' },
        );
        const { Id } = JSON.parse(r.body) as { Id: string };
        await d.request('POST', `/containers/${Id}/start`);
        ids.push(Id);
      }
      const began = performance.now();
      await d.crash();
      toPing.push(performance.now() - began);
      // `wait` on each waits for its reconciliation (the stop of what the killed daemon left running).
      await Promise.all(ids.map((id) => d.request('POST', `/containers/${id}/wait`)));
      toStopped.push(performance.now() - began);
      for (const id of ids) await d.request('DELETE', `/containers/${id}?force=1`);
    }
    report('berthd_kill9_restart_first_ping_50_running', median(toPing), 'ms');
    report('berthd_kill9_restart_all_stopped_50_running', median(toStopped), 'ms');
  } finally {
    await d.stop();
  }
}

await main();
