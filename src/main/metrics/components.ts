/**
 * Every ring, buffer pool and burst dispatcher of the engine, registered once and snapshotted
 * into the COMPONENTS section of each metrics frame (see COMPONENT_VALUES in src/common/frame.ts
 * for what the values mean). Snapshots reuse their objects.
 */

import { COMPONENT_VALUES, ComponentKind, type ComponentStats } from '../../common/feed-model.ts';
import type { StageLatency } from '../../common/frame.ts';
import type { RingView } from '../../common/ring.ts';
import type { BufferPool } from '../pipeline/buffer-pool.ts';
import type { BurstDispatcher } from '../pipeline/burst-dispatcher.ts';

interface Entry {
  stats: ComponentStats;
  fill(values: Float64Array): void;
}

export class ComponentRegistry {
  private readonly entries: Entry[] = [];
  private readonly list: ComponentStats[] = [];

  private add(kind: number, name: string, fill: (values: Float64Array) => void): () => void {
    const stats: ComponentStats = { kind, name, values: new Float64Array(COMPONENT_VALUES) };
    const entry = { stats, fill };
    this.entries.push(entry);
    this.list.push(stats);
    return () => {
      const i = this.entries.indexOf(entry);
      if (i >= 0) {
        this.entries.splice(i, 1);
        this.list.splice(i, 1);
      }
    };
  }

  addRing(name: string, ring: RingView): () => void {
    return this.add(ComponentKind.ring, name, (v) => {
      v[0] = ring.capacity;
      v[1] = ring.fill();
      v[2] = ring.writes;
      v[3] = ring.returns;
      v[4] = ring.attachedReaders();
      v[5] = ring.totalLaps();
      v[6] = ring.totalSkipped();
      v[7] = ring.detachedReaders;
    });
  }

  addPool(name: string, pool: BufferPool): () => void {
    return this.add(ComponentKind.pool, name, (v) => {
      const s = pool.stats;
      v[0] = s.acquires;
      v[1] = s.reuses;
      v[2] = s.misses;
      v[3] = s.highWater;
      v[4] = s.inUse;
      v[5] = s.oversize;
    });
  }

  addDispatcher(name: string, d: BurstDispatcher<unknown, unknown>): () => void {
    const latency: StageLatency = { stage: 0, count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return this.add(ComponentKind.dispatcher, name, (v) => {
      const s = d.stats;
      d.takeStartLatency(latency);
      v[0] = s.workers;
      v[1] = s.busy;
      v[2] = s.sent;
      v[3] = s.returned;
      v[4] = s.completed;
      v[5] = s.failed;
      v[6] = latency.p99;
    });
  }

  snapshot(): ComponentStats[] {
    for (const e of this.entries) e.fill(e.stats.values);
    return this.list;
  }
}
