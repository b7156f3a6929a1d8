// Callbacks: when a task (or every item of a batch) ends, the fake POSTs the result to the
// submitted callback URL (loopback only), signed as the service does, retrying up to 5 times.
import * as http from 'node:http';
import { createHash } from 'node:crypto';
import type { FakeContext } from './context';
import type { Task } from './model';
import { FAKE_UID, isLoopbackHost } from './model';
import type { CallbackAttempt } from './types';
import { batchData, taskData } from './views';

export function onTerminal(ctx: FakeContext, t: Task): void {
  if (t.kind === 'task' && t.callback && !t.callbackSent) {
    t.callbackSent = true;
    sendCallback(ctx, t.callback, taskData(ctx, t));
  }
  if (t.kind === 'batch-item' && t.batchId) {
    const b = ctx.batches.get(t.batchId);
    if (!b || !b.callback || b.callbackSent) return;
    const all = b.taskIds.every((id) => {
      const s = ctx.tasks.get(id)?.state;
      return s === 'done' || s === 'failed';
    });
    if (all) {
      b.callbackSent = true;
      sendCallback(ctx, b.callback, batchData(ctx, b));
    }
  }
}

function sendCallback(
  ctx: FakeContext,
  cb: { url: string; seed: string },
  data: Record<string, unknown>,
): void {
  let target: URL;
  try {
    target = new URL(cb.url);
  } catch {
    return;
  }
  // Safety: the fake never posts anywhere but this machine.
  if (!isLoopbackHost(target.hostname) || target.protocol !== 'http:') return;
  const content = JSON.stringify(data);
  const checksum = createHash('sha256')
    .update(FAKE_UID + cb.seed + content)
    .digest('hex');
  const body = { checksum, content };
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const attempt = (n: number): void => {
    const record: CallbackAttempt = { time: Date.now(), url: cb.url, attempt: n, body };
    ctx.callbacks.push(record);
    const retry = (): void => {
      if (n >= 6) return; // first push + up to 5 re-pushes
      const timer = setTimeout(() => {
        ctx.timers.delete(timer);
        attempt(n + 1);
      }, 100 * n);
      timer.unref();
      ctx.timers.add(timer);
    };
    const req = http.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length },
        timeout: 5000,
      },
      (res) => {
        record.status = res.statusCode;
        res.resume();
        if (res.statusCode !== 200) retry();
      },
    );
    req.on('timeout', () => req.destroy(new Error('callback timeout')));
    req.on('error', (e) => {
      record.error = e.message;
      retry();
    });
    req.end(payload);
  };
  attempt(1);
}
