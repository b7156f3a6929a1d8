import * as assert from 'node:assert/strict';
import { lazy } from '../../src/vscode/lazy';

/** A stand-in for a loaded module's object: it counts its builds and answers with its own id. */
class Target {
  static built = 0;
  readonly id = ++Target.built;
  echo(a: string, b: number): Promise<string> {
    return Promise.resolve(`${this.id}:${a}:${b}`);
  }
  fail(): Promise<never> {
    return Promise.reject(new Error(`target ${this.id} failed`));
  }
}

const build = (): Promise<Target> => Promise.resolve(new Target());

describe('lazy (the composition root loads the client and the importer on first use)', () => {
  beforeEach(() => {
    Target.built = 0;
  });

  it('builds nothing until a forwarded method is called, then builds once for every later call', async () => {
    const l = lazy(build, ['echo', 'fail'] as const);
    assert.equal(Target.built, 0);
    const [x, y] = await Promise.all([l.forward.echo('a', 1), l.forward.echo('b', 2)]);
    assert.equal(x, '1:a:1');
    assert.equal(y, '1:b:2');
    assert.equal(Target.built, 1);
    assert.equal((await l.current()).id, 1);
  });

  it('forwards only the named methods, calls them on the target, and passes rejections through', async () => {
    const l = lazy(build, ['fail'] as const);
    assert.deepEqual(Object.keys(l.forward), ['fail']);
    await assert.rejects(l.forward.fail(), /target 1 failed/);
  });

  it('builds a new target after reset(), while the old one stays with whoever holds it', async () => {
    const l = lazy(build, ['echo'] as const);
    const old = await l.current();
    l.reset();
    assert.equal(await l.forward.echo('c', 3), '2:c:3');
    assert.equal(await old.echo('d', 4), '1:d:4');
  });

  it('hands every forwarded call, from loading to the answer, to `around`', async () => {
    const seen: Promise<unknown>[] = [];
    let release!: () => void;
    const loaded = new Promise<void>((r) => (release = r));
    const l = lazy(
      async () => {
        await loaded;
        return new Target();
      },
      ['echo'] as const,
      (work) => {
        seen.push(work);
        return work;
      },
    );
    const call = l.forward.echo('e', 5);
    assert.equal(seen.length, 1, 'around sees the call before the target is built');
    release();
    assert.equal(await seen[0], '1:e:5');
    assert.equal(await call, '1:e:5');
  });
});
