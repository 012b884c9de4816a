import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averagePathLength, createRng, IsolationForest } from '../../src/anomaly/index.ts';

test('c(n) follows the paper: 2H(n-1) - 2(n-1)/n with H(i) = ln(i) + gamma', () => {
  assert.equal(averagePathLength(0), 0);
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  // c(256) = 2(ln 255 + 0.5772156649) - 2*255/256 = 10.2448...
  assert.ok(Math.abs(averagePathLength(256) - 10.244770920116851) < 1e-9);
  assert.ok(Math.abs(averagePathLength(3) - (2 * (Math.log(2) + 0.5772156649015329) - 4 / 3)) < 1e-12);
});

function cloud(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const data = new Float64Array(n * 2);
  for (let i = 0; i < n * 2; i++) data[i] = rng.next() + rng.next() + rng.next() - 1.5; // ~N(0, 0.5)
  return data;
}

test('an obvious outlier scores higher than every inlier', () => {
  const n = 1000;
  const data = cloud(n, 1);
  const forest = new IsolationForest(data, n, 2, { trees: 100, sampleSize: 256, seed: 7 });
  const outlier = forest.score([6, -6]);
  let maxInlier = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const s = forest.score(data, i * 2);
    sum += s;
    maxInlier = Math.max(maxInlier, s);
  }
  assert.ok(outlier > 0.7, `outlier ${outlier}`);
  assert.ok(outlier > maxInlier, `outlier ${outlier} vs max inlier ${maxInlier}`);
  assert.ok(sum / n < 0.5, `mean inlier ${sum / n}`);
});

test('subsampling: path lengths are normalised by c(psi), not c(rows)', () => {
  // With 5000 rows but psi = 256 every tree is at most ceil(log2 256) = 8 deep, so even a
  // central point scores around 0.5 and not near 0 as it would against c(5000).
  const n = 5000;
  const forest = new IsolationForest(cloud(n, 2), n, 2, { trees: 100, sampleSize: 256, seed: 3 });
  const centre = forest.score([0, 0]);
  assert.ok(centre > 0.3 && centre < 0.5, `centre ${centre}`);
  assert.ok(forest.pathLength([0, 0]) <= 8 + averagePathLength(256));
});

test('seeded: same seed, same forest; another seed, another forest', () => {
  const n = 600;
  const data = cloud(n, 4);
  const a = new IsolationForest(data, n, 2, { trees: 20, sampleSize: 128, seed: 1 });
  const b = new IsolationForest(data, n, 2, { trees: 20, sampleSize: 128, seed: 1 });
  const c = new IsolationForest(data, n, 2, { trees: 20, sampleSize: 128, seed: 2 });
  const probes = [
    [0, 0],
    [1, 1],
    [-0.5, 0.3],
    [2, -2],
  ];
  assert.deepEqual(
    probes.map((p) => a.score(p)),
    probes.map((p) => b.score(p)),
  );
  assert.notDeepEqual(
    probes.map((p) => a.score(p)),
    probes.map((p) => c.score(p)),
  );
});

test('constant data cannot be split: every point gets the same score', () => {
  const data = new Float64Array(400).fill(3);
  const forest = new IsolationForest(data, 200, 2, { trees: 10, sampleSize: 64, seed: 1 });
  assert.equal(forest.score([3, 3]), forest.score([100, -100]));
});
