/**
 * The tracked documents of the scale figures (plain Node and in the host): `perBatch` pending
 * items of each batch the fake knows, as the store would hold them after a submission.
 */
import type { TaskRecord } from '../../src/core/tasks/task';

export function seedRecords(batchIds: readonly string[], perBatch: number, outputDir: string): TaskRecord[] {
  const now = Date.now();
  const records: TaskRecord[] = [];
  batchIds.forEach((batchId, b) => {
    for (let index = 0; index < perBatch; index++) {
      records.push({
        id: `bench-${b}-${index}`,
        name: `doc-${b}-${index}`,
        source: { kind: 'url', url: `https://example.com/bench/doc-${b}-${index}.pdf` },
        mode: 'precise',
        options: {},
        outputDir,
        state: 'pending',
        remote: { kind: 'batch', batchId, index },
        createdAt: now,
        updatedAt: now,
        submittedAt: now,
      });
    }
  });
  return records;
}
