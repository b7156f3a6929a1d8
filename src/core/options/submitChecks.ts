/** What the service accepts as `seed`: letters, digits and underscores, up to 64. */
export const SEED_PATTERN = /^[A-Za-z0-9_]{1,64}$/;

/** Why the options cannot be sent as they are; the glue words it (src/vscode/optionsText.ts). */
export type SubmitProblem =
  | { problem: 'callbackNotHttp'; callback: string }
  | { problem: 'callbackNeedsSeed' }
  | { problem: 'badSeed' };

/** The problem when the options cannot be sent as they are (checked before anything is submitted). */
export function checkSubmitOptions(options: { callback?: string; seed?: string }): SubmitProblem | undefined {
  const callback = options.callback?.trim();
  if (callback) {
    let url: URL | undefined;
    try {
      url = new URL(callback);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      return { problem: 'callbackNotHttp', callback: callback.slice(0, 100) };
    if (!options.seed?.trim()) return { problem: 'callbackNeedsSeed' };
  }
  if (options.seed !== undefined && options.seed !== '' && !SEED_PATTERN.test(options.seed))
    return { problem: 'badSeed' };
  return undefined;
}
