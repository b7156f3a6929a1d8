// Entry point of the zh-cn host suite: `node scripts/run-host-tests.mjs --locale zh-cn` installs the
// test language pack, starts the workbench in Simplified Chinese and runs this module instead of
// ../integration/index.js. Only the files of this folder run, and only here: the default
// (English) run never loads them.
import { runSuite } from '../integration/index';

export function run(): Promise<void> {
  return runSuite(__dirname);
}
