/** What the service accepts as `seed`: letters, digits and underscores, up to 64. */
export const SEED_PATTERN = /^[A-Za-z0-9_]{1,64}$/;

/** A message when the options cannot be sent as they are (checked before anything is submitted). */
export function checkSubmitOptions(options: { callback?: string; seed?: string }): string | undefined {
  const callback = options.callback?.trim();
  if (callback) {
    let url: URL | undefined;
    try {
      url = new URL(callback);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      return `The callback "${callback.slice(0, 100)}" is not an http(s) URL`;
    if (!options.seed?.trim())
      return 'A callback URL needs a seed: set mineru.seed (letters, digits and underscores, up to 64)';
  }
  if (options.seed !== undefined && options.seed !== '' && !SEED_PATTERN.test(options.seed))
    return 'The seed may hold only letters, digits and underscores (up to 64)';
  return undefined;
}
