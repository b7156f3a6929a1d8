import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { KeyTable } from '../../src/core/viewer/intern';

describe('viewer: KeyTable (the matcher key interning)', () => {
  it('gives equal strings one id and distinct strings distinct ids, as a Map would, past many growths', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3000 }), (words) => {
        const table = new KeyTable();
        const map = new Map<string, number>();
        for (const w of words) {
          const id = table.intern(w);
          if (!map.has(w)) map.set(w, map.size);
          assert.equal(id, map.get(w));
          assert.equal(table.key(id), w);
        }
        assert.equal(table.size, map.size);
        for (const [w, id] of map) assert.equal(table.get(w), id);
        assert.equal(table.get('never interned \u0000'), undefined);
      }),
      { numRuns: 50 },
    );
  });

  it('keeps 100,000 keys apart (the table grows from 1,024 slots)', () => {
    const table = new KeyTable();
    for (let i = 0; i < 100_000; i++) assert.equal(table.intern(`t:paragraph ${i}`), i);
    for (let i = 0; i < 100_000; i += 997) assert.equal(table.get(`t:paragraph ${i}`), i);
    assert.equal(table.get('t:paragraph 100000'), undefined);
  });
});
