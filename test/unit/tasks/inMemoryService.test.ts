import * as assert from 'node:assert/strict';
import { ParseEngine, type EngineEvent, type ResultImporter } from '../../../src/core/tasks/engine';
import type { TaskRecord } from '../../../src/core/tasks/task';
import { TaskStore } from '../../../src/core/tasks/taskStore';
import { MemoryKeyValueStore } from '../../../src/core/util/keyValueStore';
import { silentLogger } from '../../../src/core/util/logger';
import { FakeClock } from '../helpers/fakeClock';
import { InMemoryService } from './inMemoryService';

describe('Engine over a new service (the Service port)', () => {
  it('runs a URL through submit, poll and import with a service that is one new file', async () => {
    const clock = new FakeClock();
    const service = new InMemoryService(2);
    const imported: { name: string; zipUrl: string }[] = [];
    const importer: ResultImporter = {
      importZip: (task, zipUrl) => {
        imported.push({ name: task.name, zipUrl });
        return Promise.resolve({
          folder: `/out/${task.name}`,
          markdownPath: `/out/${task.name}/${task.name}.md`,
          extras: [],
          rejectedEntries: 0,
          brokenImageLinks: 0,
        });
      },
      importMarkdown: () => Promise.reject(new Error('not used')),
    };
    const store = new TaskStore(new MemoryKeyValueStore());
    const engine = new ParseEngine({
      services: { precise: service, quick: service, selfHosted: service },
      importer,
      store,
      clock,
      logger: silentLogger,
      pollerTuning: { minIntervalMs: 1000, growth: 1.5, maxIntervalMs: 5000, unfocusedFactor: 2 },
      nameFor: () => 'report',
    });
    const events: EngineEvent[] = [];
    engine.onEvent((e) => events.push(e));

    const [task] = await engine.submitUrls([{ url: 'https://example.com/report.pdf' }], {
      outputDir: '/out',
      options: {},
      mode: 'precise',
    });
    assert.equal(task!.state, 'pending');
    assert.deepEqual(task!.remote, { kind: 'task', taskId: 'm1' });

    const seen: string[] = [];
    for (let i = 0; i < 50 && store.get(task!.id)!.state !== 'done'; i++) {
      await clock.tick(1000);
      const t: TaskRecord = store.get(task!.id)!;
      if (t.progress) seen.push(`${t.state} ${t.progress.extractedPages}/${t.progress.totalPages}`);
    }
    await engine.idle();

    const done = store.get(task!.id)!;
    assert.equal(done.state, 'done');
    assert.equal(done.result?.markdownPath, '/out/report/report.md');
    assert.deepEqual(imported, [{ name: 'report', zipUrl: 'memory://results/m1.zip' }]);
    assert.ok(seen.includes('running 1/3'), `progress seen: ${seen.join(', ')}`);
    assert.deepEqual(service.calls, [
      'plan 1 fresh=true',
      'submit https://example.com/report.pdf as m1',
      'poll m1',
      'poll m1',
      'poll m1',
    ]);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['finished'],
    );
    assert.equal(engine.polling, false, 'the poller goes idle once nothing is left to follow');
    engine.dispose();
  });
});
