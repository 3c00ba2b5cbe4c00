/** Series colours, one meaning each across the dashboard. */
export const C = {
  teal: '#2dd4bf',
  blue: '#60a5fa',
  violet: '#a78bfa',
  pink: '#f472b6',
  amber: '#fbbf24',
  orange: '#fb923c',
  red: '#f87171',
  slate: '#94a3b8',
} as const;

export const FEED_COLOURS = [C.teal, C.blue, C.pink, C.amber, C.violet, C.orange, C.red, C.slate];
