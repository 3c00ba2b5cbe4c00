/**
 * Every panel of the dashboard, in grid order: its id (the section's data-testid, the key of the
 * layout in the view store), its title for the Panels menu and what it shows. The grid places the
 * panels by this order, two to a row, with Market in its own column at the right.
 */
export interface PanelInfo {
  id: string;
  title: string;
  help: string;
  /** In the column at the right, the full height of the grid. */
  side?: boolean;
}

export const PANELS: readonly PanelInfo[] = [
  { id: 'panel-throughput', title: 'Throughput', help: 'Messages and bytes per second, per feed' },
  { id: 'panel-connections', title: 'Connections', help: 'Every feed: state, uptime, reconnects, gaps' },
  { id: 'panel-latency', title: 'Latency', help: 'Percentiles over time for each latency stage' },
  { id: 'panel-distribution', title: 'Distribution', help: 'Histogram and CDF of one stage over a window' },
  { id: 'panel-buffer-reuse', title: 'Buffer reuse', help: 'Pool reuse, ring fill, laps, returns, drops' },
  { id: 'panel-recording', title: 'Recording', help: 'The recorder: file, size, rate, compression, disk' },
  { id: 'panel-market', title: 'Market', help: 'Price with trades, tape, top of book, depth', side: true },
];

export function panelInfo(id: string): PanelInfo | undefined {
  return PANELS.find((p) => p.id === id);
}
