import type { TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';

/** Shows the first of the new tasks in the tree, without taking the focus. */
export async function revealTasks(ctx: CommandContext, tasks: TaskRecord[]): Promise<void> {
  const first = tasks[0] && ctx.tree.nodeFor(tasks[0].id);
  if (!first) return;
  try {
    await ctx.treeView.reveal(first, { select: false, focus: false });
  } catch {
    // The view may be hidden in a collapsed container; revealing is a courtesy.
  }
}
