/**
 * One requestAnimationFrame loop for every chart: each subscriber is called once per display
 * frame and decides for itself (by the series store's version) whether anything needs drawing.
 */
type Tick = (now: number) => void;

const ticks = new Set<Tick>();
let running = false;

function loop(now: number): void {
  for (const t of ticks) t(now);
  if (ticks.size > 0) requestAnimationFrame(loop);
  else running = false;
}

export function onAnimationFrame(tick: Tick): () => void {
  ticks.add(tick);
  if (!running) {
    running = true;
    requestAnimationFrame(loop);
  }
  return () => {
    ticks.delete(tick);
  };
}
