// Mocha reporter for `npm test`: the usual spec output on the console, plus the counts as JSON
// ({ passed, failed, pending }) in the file named by $MOCHA_RESULTS_FILE, for the summary.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class CountingSpecReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = process.env.MOCHA_RESULTS_FILE;
    runner.once('end', () => {
      if (!file) return;
      const s = this.stats;
      fs.writeFileSync(
        file,
        `${JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending })}\n`,
      );
    });
  }
}

module.exports = CountingSpecReporter;
