// Activation. VS Code waits for activate(), and so does every extension activating with us on the
// shared extension host: so activate() only registers stand-ins for the contributed commands and
// language-model tools (from package.json, a few KB of code), and the composition root
// (src/composition.ts, built into dist/composition.js) loads on the next turns of the event loop.
// A stand-in called before then waits for it, and calls the real command or tool; the stand-ins are
// disposed in the same turn as the real ones are registered. The view, the status bar, the
// watchers and the restored tasks appear a few tens of ms after activation.
import * as vscode from 'vscode';
import type * as CompositionModule from './composition.js';
import type { Composed, MinerUTestApi } from './composition';

export type { MinerUTestApi } from './composition';

/**
 * What activate() returns in a test host only (ExtensionMode Development or Test); nothing in
 * production. `ready` is the test API once the composition root has run.
 */
export interface MinerUTestHandle {
  readonly ready: Promise<MinerUTestApi>;
}

type Composition = typeof CompositionModule;

interface Contributions {
  contributes?: { commands?: { command: string }[]; languageModelTools?: { name: string }[] };
}

/** The composition of the current activation; undefined before activate() and after deactivate(). */
let current: { composed: Promise<Composed>; module?: Composition; stopped: boolean } | undefined;

/** Resolves on the next turn of the event loop, after the I/O and messages already waiting. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function activate(context: vscode.ExtensionContext): MinerUTestHandle | undefined {
  const manifest = context.extension.packageJSON as Contributions;
  const standIns: vscode.Disposable[] = [];
  const state: NonNullable<typeof current> = { composed: compose(), stopped: false };
  current = state;

  async function compose(): Promise<Composed> {
    await nextTurn();
    // Loading dist/composition.js (compiling it) and running it are two turns: two short stalls
    // of the host's event loop instead of one long one.
    const module = await import('./composition.js');
    await nextTurn();
    if (state.stopped) throw new Error('MinerU was deactivated before it started.');
    state.module = module;
    for (const d of standIns.splice(0)) d.dispose();
    try {
      return module.compose(context);
    } catch (error) {
      // The stand-ins come back (where the composition root did not register its own), so that a
      // command run now fails with this cause instead of "command not found".
      registerStandIns();
      throw error;
    }
  }

  /** A stand-in for each contributed command and tool: it waits for the composition root. */
  function registerStandIns(): void {
    const register = (make: () => vscode.Disposable): void => {
      try {
        standIns.push(make());
      } catch {
        // Already registered by the composition root (after it failed half-way): keep that one.
      }
    };
    for (const { command } of manifest.contributes?.commands ?? [])
      register(() =>
        vscode.commands.registerCommand(command, async (...args: unknown[]) => {
          await state.composed;
          return vscode.commands.executeCommand(command, ...args);
        }),
      );
    const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
    if (typeof lm?.registerTool !== 'function') return;
    const registerTool = lm.registerTool.bind(lm);
    for (const { name } of manifest.contributes?.languageModelTools ?? []) {
      const real = async (): Promise<vscode.LanguageModelTool<unknown>> => {
        const tool = (await state.composed).tools[name];
        if (!tool) throw new Error(`MinerU has no language-model tool named ${name}.`);
        return tool;
      };
      register(() =>
        registerTool<unknown>(name, {
          invoke: async (options, token) => (await real()).invoke(options, token),
          prepareInvocation: async (options, token) => (await real()).prepareInvocation?.(options, token),
        }),
      );
    }
  }

  registerStandIns();
  context.subscriptions.push({
    dispose: () => {
      for (const d of standIns.splice(0)) d.dispose();
    },
  });

  state.composed.catch((error: unknown) => {
    if (state.stopped) return;
    const cause = error instanceof Error ? error.message : String(error);
    console.error('MinerU could not start:', error);
    void vscode.window.showErrorMessage(
      vscode.l10n.t(
        'MinerU could not start: {0}. Run "Developer: Reload Window"; if this comes back, reinstall the extension.',
        cause,
      ),
    );
  });

  if (context.extensionMode === vscode.ExtensionMode.Production) return undefined;
  return {
    ready: state.composed.then(({ api }) => {
      if (!api) throw new Error('the composition root returned no test API in a test host');
      return api;
    }),
  };
}

/**
 * Called when the window closes or reloads, before context.subscriptions are disposed; the host
 * exits once the returned promise settles (or after 5 s). Everything is disposed here, and it waits
 * until aborted imports have removed their partial downloads and the task store is written.
 */
export function deactivate(): Promise<void> | undefined {
  const state = current;
  current = undefined;
  if (!state) return undefined;
  state.stopped = true;
  return state.module?.shutdown();
}
