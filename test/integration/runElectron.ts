// `npm run test:electron`: the same integration suite in desktop VS Code, downloaded by
// @vscode/test-electron (needs internet). The in-host contract is the one run-host-tests.mjs uses:
// a tripwire for the service URLs, preset user settings, results JSON via $MINERU_TEST_RESULTS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import type { SuiteResults } from './index';
import { ENV_RESULTS_FILE, ENV_TRIPWIRE_LOG, ENV_TRIPWIRE_URL, startTripwire } from './tripwire';

export async function runElectronSuite(): Promise<number> {
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-electron-'));
  const workspace = path.join(scratch, 'workspace');
  fs.cpSync(path.join(repoRoot, 'test', 'integration', 'workspace'), workspace, { recursive: true });
  const userDataDir = path.join(scratch, 'user-data');
  const resultsFile = path.join(scratch, 'results.json');
  const tripwire = await startTripwire(path.join(scratch, 'tripwire.log'));
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'telemetry.telemetryLevel': 'off',
        'security.workspace.trust.enabled': false,
        'mineru.apiBaseUrl': tripwire.url,
        'mineru.agentBaseUrl': tripwire.url,
      },
      null,
      2,
    ),
  );
  try {
    await runTests({
      version: process.env.VSCODE_TEST_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(__dirname, 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--user-data-dir', userDataDir],
      extensionTestsEnv: {
        [ENV_RESULTS_FILE]: resultsFile,
        [ENV_TRIPWIRE_LOG]: tripwire.logFile,
        [ENV_TRIPWIRE_URL]: tripwire.url,
      },
    });
    return 0;
  } catch (err) {
    console.error(`[test:electron] ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await tripwire.close();
    if (fs.existsSync(resultsFile)) {
      const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults;
      console.log(`${r.passed} passed, ${r.failed} failed`);
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runElectronSuite().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
