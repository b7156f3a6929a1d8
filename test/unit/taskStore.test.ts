import * as assert from 'node:assert/strict';
import { TaskStore, type TaskStoreEvent } from '../../src/core/tasks/taskStore';
import type { TaskRecord } from '../../src/core/tasks/task';
import { MemoryKeyValueStore } from '../../src/core/util/keyValueStore';

function task(id: string, state: TaskRecord['state'] = 'pending'): TaskRecord {
  return {
    id,
    name: `doc-${id}`,
    source: { kind: 'url', url: `https://example.com/${id}.pdf` },
    mode: 'precise',
    options: { modelVersion: 'vlm' },
    outputDir: '/tmp/out',
    state,
    createdAt: 1,
    updatedAt: 1,
  };
}

describe('TaskStore', () => {
  it('persists tasks so that a new store over the same storage restores them in order', async () => {
    const kv = new MemoryKeyValueStore();
    const a = new TaskStore(kv);
    await a.add([task('1'), task('2'), task('3')]);
    a.update('2', { state: 'running', progress: { extractedPages: 2, totalPages: 9 } });
    await a.remove(['3']);
    await a.flush();
    const b = new TaskStore(kv);
    assert.deepEqual(
      b.all().map((t) => [t.id, t.state, t.progress?.extractedPages]),
      [
        ['1', 'pending', undefined],
        ['2', 'running', 2],
      ],
    );
  });

  it('ignores corrupt persisted entries instead of failing activation', () => {
    const kv = new MemoryKeyValueStore();
    void kv.update('mineru.tasks.v1', [{ id: 1 }, null, 'x', task('ok')]);
    const store = new TaskStore(kv);
    assert.deepEqual(
      store.all().map((t) => t.id),
      ['ok'],
    );
  });

  it('groups the changes of a transaction into one event and one write', async () => {
    const kv = new MemoryKeyValueStore();
    let writes = 0;
    const counting = {
      get: <T>(k: string) => kv.get<T>(k),
      update: (k: string, v: unknown) => {
        writes++;
        return kv.update(k, v);
      },
    };
    const store = new TaskStore(counting);
    await store.add(Array.from({ length: 200 }, (_, i) => task(String(i))));
    const events: TaskStoreEvent[] = [];
    store.onDidChange((e) => events.push(e));
    writes = 0;
    await store.transaction(() => {
      for (let i = 0; i < 200; i++) store.update(String(i), { state: 'running' });
    });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.changed.length, 200);
    assert.equal(writes, 1);
  });

  it('drops fields patched to undefined', () => {
    const store = new TaskStore(new MemoryKeyValueStore());
    void store.add([{ ...task('1'), zipUrl: 'https://cdn/x.zip' }]);
    const next = store.update('1', { zipUrl: undefined });
    assert.equal(next && 'zipUrl' in next, false);
  });
});
