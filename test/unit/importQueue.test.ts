import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { DEFAULT_ENGINE_SETTINGS, type ResultImporter } from '../../src/core/tasks/engineTypes';
import { ImportQueue } from '../../src/core/tasks/importQueue';
import { InFlightRequests } from '../../src/core/tasks/inFlight';
import type { ServiceSet } from '../../src/core/tasks/service';
import type { ImportSummary, TaskRecord } from '../../src/core/tasks/task';
import { TaskStore } from '../../src/core/tasks/taskStore';
import { TaskUpdates } from '../../src/core/tasks/taskUpdates';
import { systemClock } from '../../src/core/util/clock';
import { MemoryKeyValueStore } from '../../src/core/util/keyValueStore';
import { silentLogger } from '../../src/core/util/logger';

function importing(id: string): TaskRecord {
  return {
    id,
    name: id,
    source: { kind: 'url', url: `https://example.com/${id}.pdf` },
    mode: 'precise',
    options: {},
    outputDir: '/out',
    state: 'importing',
    zipUrl: `https://cdn.example.com/${id}.zip`,
    createdAt: 0,
    updatedAt: 0,
  };
}

/** An importer whose imports end only when the test releases them, one by one. */
class GatedImporter implements ResultImporter {
  readonly started: string[] = [];
  private readonly gates = new Map<string, () => void>();

  importZip(task: TaskRecord): Promise<ImportSummary> {
    this.started.push(task.id);
    return new Promise((resolve) => {
      this.gates.set(task.id, () =>
        resolve({
          folder: `/out/${task.name}`,
          markdownPath: `/out/${task.name}/${task.name}.md`,
          extras: [],
          rejectedEntries: 0,
          brokenImageLinks: 0,
        }),
      );
    });
  }

  importMarkdown(): Promise<ImportSummary> {
    return Promise.reject(new Error('not used'));
  }

  release(id: string): void {
    const gate = this.gates.get(id);
    assert.ok(gate, `${id} was started`);
    gate();
  }
}

async function queueOf(
  ids: string[],
): Promise<{ queue: ImportQueue; importer: GatedImporter; store: TaskStore }> {
  const store = new TaskStore(new MemoryKeyValueStore());
  await store.add(ids.map(importing));
  const importer = new GatedImporter();
  const queue = new ImportQueue(
    new TaskUpdates(store, systemClock, silentLogger),
    new InFlightRequests(),
    importer,
    {} as ServiceSet, // only an expired link reaches the services; none expires here
    () => ({ ...DEFAULT_ENGINE_SETTINGS, importConcurrency: 2 }),
    () => undefined,
  );
  return { queue, importer, store };
}

/** Lets every pending promise callback and one turn of the event loop run. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('ImportQueue.idle()', () => {
  it('resolves at once when nothing is queued or running', async () => {
    const { queue } = await queueOf([]);
    let resolved = false;
    void queue.idle().then(() => (resolved = true));
    await settle();
    assert.equal(resolved, true);
  });

  it('resolves after the last import ends, not before, with more queued than run at once', async () => {
    const { queue, importer, store } = await queueOf(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) queue.enqueue(id);
    assert.deepEqual(importer.started, ['a', 'b'], 'two at once');
    let resolved = false;
    void queue.idle().then(() => (resolved = true));

    importer.release('a');
    await settle();
    assert.deepEqual(importer.started, ['a', 'b', 'c'], 'c starts when a ends');
    assert.equal(resolved, false, 'b and c are still running');
    importer.release('b');
    await settle();
    assert.equal(resolved, false, 'c is still running');
    importer.release('c');
    await settle();
    assert.equal(resolved, true);
    assert.deepEqual(
      ['a', 'b', 'c'].map((id) => store.get(id)?.state),
      ['done', 'done', 'done'],
      'every import is recorded before idle() resolves',
    );
  });

  it('waits without spinning the event loop while an import runs', async () => {
    const { queue, importer } = await queueOf(['a']);
    queue.enqueue('a');
    const original = global.setImmediate;
    let immediates = 0;
    const counting = ((...args: Parameters<typeof setImmediate>) => {
      immediates++;
      return original(...args);
    }) as typeof setImmediate;
    global.setImmediate = counting;
    try {
      const before = performance.eventLoopUtilization();
      let resolved = false;
      const idle = queue.idle().then(() => (resolved = true));
      await new Promise((r) => setTimeout(r, 200));
      const busy = performance.eventLoopUtilization(before);
      assert.equal(resolved, false);
      assert.ok(immediates <= 2, `setImmediate called ${immediates} times while waiting`);
      assert.ok(
        busy.utilization < 0.5,
        `event loop ${Math.round(busy.utilization * 100)} % busy while waiting`,
      );
      importer.release('a');
      await idle;
      assert.equal(resolved, true);
    } finally {
      global.setImmediate = original;
    }
  });

  it('after dispose, resolves once the running imports end (queued ones never start)', async () => {
    const { queue, importer } = await queueOf(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) queue.enqueue(id);
    queue.dispose();
    let resolved = false;
    void queue.idle().then(() => (resolved = true));
    importer.release('a');
    await settle();
    assert.equal(resolved, false, 'b is still running');
    importer.release('b');
    await settle();
    assert.equal(resolved, true);
    assert.deepEqual(importer.started, ['a', 'b'], 'c was never started');
  });
});
