import type { TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import type { TaskNode } from '../taskTree';

/** Tree commands get a node (context menu), a task id (notification buttons) or nothing (keyboard). */
export function resolveTask(ctx: CommandContext, arg: unknown): TaskRecord | undefined {
  if (typeof arg === 'string') return ctx.store.get(arg);
  if (arg && typeof arg === 'object' && 'taskId' in arg) return ctx.store.get((arg as TaskNode).taskId);
  const selected = ctx.treeView.selection[0];
  if (selected && typeof selected === 'object' && 'taskId' in selected)
    return ctx.store.get((selected as TaskNode).taskId);
  return undefined;
}
