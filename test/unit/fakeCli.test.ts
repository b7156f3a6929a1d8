// The fake service's command line (`npm run fake-server`): every flag kind of the table-driven
// parser, and the messages a wrong command line gets.
import * as assert from 'node:assert/strict';
import { parseArgs, parseSelfHostedArgs } from '../fake-mineru/cli/main';

describe('npm run fake-server: the cloud fake arguments', () => {
  it('reads integers, strings, repeated tokens and switches', () => {
    const a = parseArgs([
      '--port',
      '0',
      '--cdn-port',
      '9001',
      '--token',
      'a',
      '--token',
      'b',
      '--per-poll',
      '--json',
    ]);
    assert.deepEqual(a, {
      options: { apiPort: 0, cdnPort: 9001, tokens: ['a', 'b'], progress: 'per-poll' },
      json: true,
    });
    assert.deepEqual(parseArgs([]), { options: {}, json: false });
  });

  it('names the flag and prints the usage when a value is missing or wrong', () => {
    assert.throws(() => parseArgs(['--port']), /--port needs a non-negative integer\nusage: main\.js/);
    assert.throws(() => parseArgs(['--port', '-1']), /--port needs a non-negative integer/);
    assert.throws(() => parseArgs(['--step-ms', '1.5']), /--step-ms needs a non-negative integer/);
    assert.throws(() => parseArgs(['--token']), /--token needs a value/);
    assert.throws(() => parseArgs(['--router']), /unknown argument --router/);
    assert.throws(() => parseArgs(['constructor']), /unknown argument constructor/);
  });

  it('self-hosted: seconds may be fractional, --router takes an optional count, --basic needs USER:PASSWORD', () => {
    assert.deepEqual(parseSelfHostedArgs(['--router', '--retention', '1.5']).options, {
      router: true,
      retentionSeconds: 1.5,
    });
    assert.throws(() => parseSelfHostedArgs(['--retention', 'x']), /--retention needs a number of seconds/);
    assert.throws(() => parseSelfHostedArgs(['--basic', 'nocolon']), /--basic needs USER:PASSWORD/);
  });
});
