/** Series colours, one meaning each across the dashboard. */
export const C = {
  teal: '#2dd4bf',
  blue: '#60a5fa',
  sky: '#38bdf8',
  violet: '#a78bfa',
  pink: '#f472b6',
  amber: '#fbbf24',
  orange: '#fb923c',
  red: '#f87171',
  rose: '#fb7185',
  lime: '#a3e635',
  slate: '#94a3b8',
} as const;

export const FEED_COLOURS = [C.teal, C.blue, C.pink, C.amber, C.lime, C.orange, C.violet, C.slate];

/** Latency: the wire stage in warm tones, the pipeline in cool ones; darker = further in the tail. */
export const LATENCY = {
  wire: { p50: '#fcd34d', p99: '#fb923c', p999: '#f87171', max: '#e11d48' },
  pipe: { p50: '#5eead4', p99: '#60a5fa', p999: '#a78bfa', max: '#c026d3' },
} as const;
