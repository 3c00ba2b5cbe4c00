import assert from 'node:assert/strict';
import { test } from 'node:test';
import type uPlot from 'uplot';
import { ownValue, stackBands, stackInPlace } from '../../src/renderer/src/panels/stack.ts';

test('stacked series: running sums in place, bands down to the series below, own values back for the read-out', () => {
  const raw = [
    [1, 2, 3, 4],
    [10, null, 5, null],
    [20, 7, null, null],
    [30, 1, 2.5, null],
  ];
  const data = raw.map((c) => c.slice());
  stackInPlace(data);
  assert.deepEqual(data[0], [1, 2, 3, 4], 'time untouched');
  assert.deepEqual(data[1], [10, null, 5, null]);
  assert.deepEqual(data[2], [30, 7, 5, null], 'a missing value counts as zero once something is below');
  assert.deepEqual(
    data[3],
    [60, 8, 7.5, null],
    'the top is the total; a point with no value anywhere stays a gap',
  );
  for (let s = 1; s <= 3; s++)
    for (let i = 0; i < 4; i++) {
      const want = raw[s]![i] ?? (data[s]![i] == null ? null : 0);
      assert.equal(ownValue(data as uPlot.AlignedData, s, i, true), want, `series ${s} point ${i}`);
    }
  assert.equal(ownValue(raw as uPlot.AlignedData, 3, 0, false), 30, 'plain data is read as is');
  assert.deepEqual(stackBands(3), [{ series: [2, 1] }, { series: [3, 2] }]);
  assert.deepEqual(stackBands(1), []);
});
