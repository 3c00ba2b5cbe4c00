/**
 * One requestAnimationFrame loop for every chart: each subscriber is called once per display
 * frame and decides for itself (by the series store's version) whether anything needs drawing.
 * A measurement can also watch the edges of the frame — a callback before every drawing one and
 * a callback after the last — to tell what was on screen once this frame is painted (ui-latency.ts).
 */
type Tick = (now: number) => void;

const ticks = new Set<Tick>();
const starts = new Set<Tick>();
const ends = new Set<Tick>();
let running = false;

/**
 * Chart redraws one frame may do; the rest wait for the next. A metrics interval makes every
 * chart due in the same frame, and drawing them all there is what overran the frame's 16.7 ms;
 * spread over a few frames, each is still drawn well within the interval.
 */
const DRAWS_PER_FRAME = 2;
let drawsLeft = DRAWS_PER_FRAME;

/** A chart asks before it redraws: false means "not this frame", and it asks again next frame. */
export function claimDraw(): boolean {
  if (drawsLeft <= 0) return false;
  drawsLeft--;
  return true;
}

function loop(now: number): void {
  drawsLeft = DRAWS_PER_FRAME;
  for (const t of starts) t(now);
  for (const t of ticks) t(now);
  for (const t of ends) t(now);
  if (ticks.size + starts.size > 0) requestAnimationFrame(loop);
  else running = false;
}

function ensureRunning(): void {
  if (!running) {
    running = true;
    requestAnimationFrame(loop);
  }
}

export function onAnimationFrame(tick: Tick): () => void {
  ticks.add(tick);
  ensureRunning();
  return () => {
    ticks.delete(tick);
  };
}

/** `start` runs before every drawing subscriber of each frame, `end` after the last one. */
export function onFrameEdges(start: Tick, end: Tick): () => void {
  starts.add(start);
  ends.add(end);
  ensureRunning();
  return () => {
    starts.delete(start);
    ends.delete(end);
  };
}
