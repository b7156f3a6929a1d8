import { randomUUID } from 'node:crypto';
import { renderDataId } from '../options/dataId';
import type { Service } from './service';
import type { SubmitRequest } from './engineTypes';
import { taskSourceOf, type Source } from './source';
import type { TaskRecord, TaskSource } from './task';

/** One input of a submission, with the data_id the user gave it, if any. */
export interface NewTaskInput {
  source: Source;
  dataId: string | undefined;
}

/**
 * The records of a new submission, in state `submitting`. A service that takes data_id gets one
 * from the template for every document without its own.
 */
export function newTasks(
  inputs: readonly NewTaskInput[],
  request: SubmitRequest,
  context: {
    service: Service;
    now: number;
    template: string | undefined;
    nameFor: (source: TaskSource) => string;
  },
): { task: TaskRecord; source: Source }[] {
  const { service, now, template } = context;
  return inputs.map(({ source, dataId: given }, index) => {
    const taskSource = taskSourceOf(source);
    const name = context.nameFor(taskSource);
    const dataId =
      given ??
      (template && service.takesDataId
        ? renderDataId(template, { name, date: new Date(now), index: index + 1 })
        : undefined);
    const task: TaskRecord = {
      id: randomUUID(),
      name,
      source: taskSource,
      mode: request.mode,
      options: request.options,
      outputDir: request.outputDir,
      state: 'submitting',
      ...(dataId ? { remote: { kind: service.referenceKind, dataId } } : {}),
      createdAt: now,
      updatedAt: now,
    };
    return { task, source };
  });
}

/** What a task forgets when it is submitted again. */
export const RESUBMIT: Partial<TaskRecord> = {
  state: 'submitting',
  error: undefined,
  remote: undefined,
  progress: undefined,
  transfer: undefined,
  zipUrl: undefined,
  markdownUrl: undefined,
  remoteDone: undefined,
  result: undefined,
  submittedAt: undefined,
  finishedAt: undefined,
};
