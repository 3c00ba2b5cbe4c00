// Preloaded (`node -r`) into the electron package's own installer by electron-binary.mjs. The
// installer keeps the terminal, so @electron/get's progress bar still draws; what it reports as
// an error (console.error, or an exception it does not catch) is also copied to file
// descriptor 3, so that `npm start` can quote the installer's own words when it falls back.
const { writeSync } = require('node:fs');
const { format } = require('node:util');

const copy = (text) => {
  try {
    writeSync(3, `${text}\n`);
  } catch {
    // No fd 3 (the installer run some other way): the terminal already has it.
  }
};
const report = console.error;
console.error = (...args) => {
  copy(format(...args));
  report(...args);
};
// A monitor only observes: Node still prints the exception and exits as it would have.
process.on('uncaughtExceptionMonitor', (err) => copy(err?.stack ?? String(err)));
