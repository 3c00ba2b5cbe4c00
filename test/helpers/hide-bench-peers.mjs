// Loaded with `node --import` (and so in every worker thread, which inherit execArgv): the
// benchmark peers (Playwright, ringbuf.js, ccxt) cannot be resolved, as if they were absent from
// node_modules. Only `tickscope bench` may need them.
import { register } from 'node:module';

const hook = `
const HIDDEN = /^(playwright|playwright-core|@playwright\\/test|ringbuf\\.js|ccxt)(\\/|$)/;
export async function resolve(specifier, context, next) {
  if (HIDDEN.test(specifier)) {
    const err = new Error("Cannot find package '" + specifier + "' (hidden: not installed)");
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
