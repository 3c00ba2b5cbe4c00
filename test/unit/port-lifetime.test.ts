/**
 * The frame port's lifetime (src/main/electron/port-lifetime.ts) with Node's EventEmitter in the
 * roles of MessagePortMain and WebContents, which are EventEmitters in Electron too.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { bindPortLifetime } from '../../src/main/electron/port-lifetime.ts';

class Port extends EventEmitter {
  closed = 0;
  close(): void {
    this.closed++;
  }
}

test('port lifetime: a hundred reloads leave no destroyed listener and no sink behind', () => {
  const sender = new EventEmitter();
  // Node warns past 10 listeners: the warning itself would be the failure.
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  let sinks = 0;
  const ports: Port[] = [];
  for (let i = 0; i < 100; i++) {
    const port = new Port();
    sinks++;
    bindPortLifetime(port, sender, () => sinks--);
    ports.push(port);
    port.emit('close'); // the page reloaded: its end of the port is gone
  }
  process.off('warning', onWarning);
  assert.equal(sender.listenerCount('destroyed'), 0);
  assert.equal(sinks, 0);
  assert.ok(ports.every((p) => p.closed === 1));
  assert.equal(warnings.length, 0);
});

test('port lifetime: destroyed contents remove the sink and close the port, once', () => {
  const sender = new EventEmitter();
  const port = new Port();
  let removed = 0;
  bindPortLifetime(port, sender, () => removed++);
  sender.emit('destroyed');
  port.emit('close'); // closing our end may still report the close: nothing happens twice
  assert.equal(removed, 1);
  assert.equal(port.closed, 1);
  assert.equal(sender.listenerCount('destroyed'), 0);
});

test('port lifetime: a live port keeps its sink and exactly one destroyed listener', () => {
  const sender = new EventEmitter();
  let removed = 0;
  bindPortLifetime(new Port(), sender, () => removed++);
  assert.equal(removed, 0);
  assert.equal(sender.listenerCount('destroyed'), 1);
});
