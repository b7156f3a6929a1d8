import type { BatchStatus, TaskStatus } from '../../api/types';
import type { TaskRecord } from '../../tasks/task';

/** Batch items are matched by data_id when we sent one, else by request order — never by file name. */
export function matchBatchItem(batch: BatchStatus, task: TaskRecord): TaskStatus | undefined {
  const r = task.remote!;
  if (r.dataId) {
    // A template such as {name} can repeat a data_id within a batch: the item at our own index
    // wins when it carries our data_id; otherwise only an unambiguous data_id match counts.
    const atIndex = r.index === undefined ? undefined : batch.items[r.index];
    if (atIndex?.dataId === r.dataId) return atIndex;
    const byId = batch.items.filter((item) => item.dataId === r.dataId);
    if (byId.length === 1) return byId[0];
  }
  return r.index === undefined ? undefined : batch.items[r.index];
}
