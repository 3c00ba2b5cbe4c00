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

/**
 * Latency: one colour family a stage, so a line's stage reads at a glance — wire amber, pipeline
 * teal, UI blue, disk magenta — and within a family the tail deepens from p50 (light) to max.
 * `chip` marks the stage in its chip, headline and the Distribution panel.
 */
export const LATENCY = {
  wire: { p50: '#fde68a', p90: '#fcd34d', p99: '#f59e0b', p999: '#f97316', max: '#ea580c', chip: '#fbbf24' },
  pipe: { p50: '#99f6e4', p90: '#5eead4', p99: '#2dd4bf', p999: '#14b8a6', max: '#0d9488', chip: '#2dd4bf' },
  ui: { p50: '#bfdbfe', p90: '#93c5fd', p99: '#60a5fa', p999: '#3b82f6', max: '#2563eb', chip: '#60a5fa' },
  disk: { p50: '#f5d0fe', p90: '#f0abfc', p99: '#e879f9', p999: '#d946ef', max: '#c026d3', chip: '#e879f9' },
} as const;
