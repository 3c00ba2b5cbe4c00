/**
 * Keeps one engine running and swaps it when what it should run changes: a new configuration
 * (settings panel, IPC, POST /api/config), a replay of a recorded session, or back to live. The
 * new engine starts first, the frame sinks move over (its frames numbered on from the old one's),
 * then the old one stops — if the new one cannot start, the old one keeps running and the caller
 * gets the reason. It also runs the recording of the live engine's feeds and manages the sessions
 * folder. Commands are applied one at a time, validated, and never throw.
 */
import { statfs } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  type ConfigReply,
  type FeedCommand,
  type FeedCommandReply,
  IDLE_RECORDING,
  type InspectReply,
  type RecordingStatus,
  type SessionCommand,
  type SessionReply,
  type SessionsState,
} from '../../common/api.ts';
import { parseConfig, type RecordingSettings, type TickscopeConfig } from '../../common/config.ts';
import { saveConfig } from '../config/config-file.ts';
import type { FrameSink } from '../publisher/frame-sink.ts';
import { Codec } from '../recorder/block.ts';
import { Recorder } from '../recorder/recorder.ts';
import type { ReplayHost } from '../recorder/replay-host.ts';
import { SessionExports } from '../recorder/session-exports.ts';
import { inspectSession, openSession } from '../recorder/session-reader.ts';
import {
  checkSessionName,
  deleteSession,
  listSessions,
  newSessionName,
  renameSession,
  sessionDir,
} from '../recorder/sessions.ts';
import { Engine, type EngineConfig } from './engine.ts';

export type RunnerBase = Omit<EngineConfig, 'config' | 'feeds' | 'sim' | 'replay'>;

/** Where sessions go and the worker entries recording and replay need. */
export interface RecordingSetup {
  root: string;
  app: string;
  recorderWorkerUrl: URL;
  compressWorkerUrl: URL;
  replayWorkerUrl: URL;
  /** The app's exports run on this worker (export-worker.ts). */
  exportWorkerUrl: URL;
}

/** Free space for `dir`, asked of it or of its nearest existing parent (it appears with the first recording). */
async function freeSpace(dir: string): Promise<number | null> {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const fs = await statfs(d);
      return fs.bavail * fs.bsize;
    } catch {
      if (dirname(d) === d) return null;
    }
  }
}

const MiB = 1024 * 1024;

export class EngineRunner {
  engine: Engine;
  config: TickscopeConfig;
  /** Where changes are saved (null: not saved, e.g. a --config-less test run). */
  readonly savePath: string | null;
  readonly recording: RecordingSetup | null;
  private readonly base: RunnerBase;
  private readonly sinks = new Map<FrameSink, () => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private recorder: Recorder | null = null;
  private recorderName: string | null = null;
  private recorderPolicy: RecordingSettings | null = null;
  private lastRecording: RecordingStatus = IDLE_RECORDING;
  readonly exports: SessionExports | null;
  private replaying: { name: string; speed: number | 'max' } | null = null;

  private constructor(
    base: RunnerBase,
    engine: Engine,
    config: TickscopeConfig,
    savePath: string | null,
    recording: RecordingSetup | null,
  ) {
    this.base = base;
    this.engine = engine;
    this.config = config;
    this.savePath = savePath;
    this.recording = recording;
    this.exports = recording ? new SessionExports(recording.root, recording.exportWorkerUrl) : null;
  }

  static async start(
    base: RunnerBase,
    config: TickscopeConfig,
    savePath: string | null,
    recording: RecordingSetup | null = null,
  ): Promise<EngineRunner> {
    const engine = await Engine.start({ ...base, config });
    return new EngineRunner(base, engine, config, savePath, recording);
  }

  addSink(sink: FrameSink): () => void {
    this.sinks.set(sink, this.engine.addSink(sink));
    return () => {
      this.sinks.get(sink)?.();
      this.sinks.delete(sink);
    };
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Moves the sinks to `next` (numbering its frames on) and stops the old engine. */
  private async swapTo(next: Engine): Promise<void> {
    const old = this.engine;
    this.engine = next;
    next.publisher.continueFrom(old.publisher.nextSeq);
    for (const [sink, remove] of this.sinks) {
      remove();
      this.sinks.set(sink, next.addSink(sink));
    }
    await old.stop();
  }

  /** Validates untrusted input, applies it and saves it; never throws. */
  apply(input: unknown): Promise<ConfigReply> {
    return this.serial(() => this.applyNow(input));
  }

  private async applyNow(input: unknown): Promise<ConfigReply> {
    if (this.stopped) return { ok: false, errors: ['the engine is stopping'] };
    const parsed = parseConfig(input);
    if (!parsed.ok) return parsed;
    const log = this.base.log ?? (() => {});
    // Only the recording policy changed: nothing to restart; the next recording takes it up.
    const feedsOf = (c: TickscopeConfig): string => JSON.stringify([c.simulator, c.feeds]);
    if (feedsOf(parsed.config) === feedsOf(this.config)) {
      this.config = parsed.config;
      return this.saveApplied(parsed.config);
    }
    let next: Engine;
    try {
      next = await Engine.start({ ...this.base, config: parsed.config });
    } catch (err) {
      return { ok: false, errors: [`could not start: ${(err as Error).message}`] };
    }
    // A recording belongs to the feeds it reads: new feeds end it.
    if (this.recorder) await this.stopRecording('the configuration changed');
    this.replaying = null;
    this.config = parsed.config;
    await this.swapTo(next);
    log('configuration applied');
    return this.saveApplied(parsed.config);
  }

  private async saveApplied(config: TickscopeConfig): Promise<ConfigReply> {
    const log = this.base.log ?? (() => {});
    let savedTo: string | null = null;
    if (this.savePath) {
      try {
        await saveConfig(this.savePath, config);
        savedTo = this.savePath;
      } catch (err) {
        log(`configuration applied but not saved: ${(err as Error).message}`);
        return {
          ok: false,
          errors: [`applied, but saving ${this.savePath} failed: ${(err as Error).message}`],
        };
      }
    }
    return { ok: true, config, savedTo };
  }

  /** A command to one feed of the running engine. */
  feedCommand(feedId: number, command: FeedCommand): FeedCommandReply {
    const feed = this.engine.feeds.find((f) => f.config.feedId === feedId);
    if (!feed) return { ok: false, error: `no feed ${feedId}` };
    if (command === 'reconnect') feed.dropConnection();
    else if (command === 'roll') feed.roll();
    else feed.resync();
    return { ok: true };
  }

  // ---- recording, sessions, replay ----

  async recordingStatus(): Promise<RecordingStatus> {
    const r = this.recorder;
    const s: RecordingStatus = r
      ? {
          active: true,
          name: this.recorderName,
          dir: r.dir,
          startedAt: r.startedAt,
          records: r.stats.records,
          blocks: r.stats.blocks,
          bytes: r.stats.bytes,
          rawBytes: r.stats.rawBytes,
          compressionRatio: r.stats.bytes > 0 ? r.stats.rawBytes / r.stats.bytes : null,
          rawBlocks: r.stats.rawBlocks,
          segment: r.stats.segment,
          policy: this.recorderPolicy,
          error: r.error,
          freeBytes: null,
          at: 0,
        }
      : { ...this.lastRecording, policy: this.lastRecording.policy ?? this.config.recording };
    if (this.recording) s.freeBytes = await freeSpace(this.recording.root);
    s.at = Date.now();
    return s;
  }

  async sessions(): Promise<SessionsState> {
    const root = this.recording?.root ?? '';
    const replay = this.replaying ? (this.engine.feeds[0] as ReplayHost) : null;
    let listError: string | null = null;
    const sessions = root
      ? await listSessions(root).catch((err: Error) => {
          listError = err.message;
          return [];
        })
      : [];
    return {
      recording: await this.recordingStatus(),
      sessions,
      listError,
      replaying:
        this.replaying && replay
          ? {
              ...this.replaying,
              paused: replay.progress?.paused ?? false,
              position: replay.progress?.position ?? null,
              start: replay.progress?.start || null,
              end: replay.progress?.end || null,
              done: replay.progress?.done ?? false,
            }
          : null,
      root,
      nextPolicy: this.recording ? this.config.recording : null,
      exports: this.exports?.list() ?? [],
    };
  }

  sessionCommand(command: SessionCommand): Promise<SessionReply> {
    return this.serial(async () => {
      try {
        return await this.sessionCommandNow(command);
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      }
    });
  }

  private async sessionCommandNow(c: SessionCommand): Promise<SessionReply> {
    const setup = this.recording;
    if (!setup) return { ok: false, error: 'recording is not set up for this engine' };
    switch (c.action) {
      case 'record': {
        if (this.recorder) return { ok: false, error: `already recording to ${this.recorderName}` };
        if (this.replaying) return { ok: false, error: 'a replay is running: go back to live to record' };
        const name = newSessionName();
        const log = this.base.log ?? (() => {});
        // The policy is read now and kept for this recording: a later change waits for the next.
        const policy = this.config.recording;
        this.recorder = await Recorder.start({
          dir: join(setup.root, name),
          app: setup.app,
          feeds: this.engine.feeds,
          workerUrl: setup.recorderWorkerUrl,
          compressWorkerUrl: setup.compressWorkerUrl,
          workers: policy.codec === 'none' ? 0 : policy.compressors,
          codec: policy.codec === 'zstd' ? Codec.zstd : Codec.columnar,
          segmentBytes: policy.segmentMiB * MiB,
          fsyncMs: policy.fsyncMs,
          // The disk latency stage: the recorder writes it, this engine's metrics reader drains it.
          diskLatency: this.engine.metrics.disk.sab,
          onError: (message) => log(`recording stopped: ${message}`),
        });
        // The feeds are running and their books were sent long ago: each writes its books as
        // they stand, now that the recorder reads the rings, so the session has a whole book to
        // start from within milliseconds of its first record.
        for (const f of this.engine.feeds) f.writeBookImages();
        this.recorderName = name;
        this.recorderPolicy = policy;
        log(`recording to ${join(setup.root, name)}`);
        return { ok: true };
      }
      case 'stop':
        if (!this.recorder) return { ok: false, error: 'not recording' };
        await this.stopRecording(null);
        return { ok: true };
      case 'rename':
        if (this.recorderName === checkSessionName(c.name))
          return { ok: false, error: 'that session is being recorded' };
        if (this.exports?.busy(c.name)) return { ok: false, error: 'that session is being exported' };
        await renameSession(setup.root, c.name, c.to);
        return { ok: true };
      case 'delete':
        if (this.recorderName === checkSessionName(c.name))
          return { ok: false, error: 'that session is being recorded' };
        if (this.replaying?.name === c.name) return { ok: false, error: 'that session is being replayed' };
        if (this.exports?.busy(c.name)) return { ok: false, error: 'that session is being exported' };
        await deleteSession(setup.root, c.name);
        return { ok: true };
      case 'export': {
        if (this.recorderName === checkSessionName(c.name))
          return { ok: false, error: 'that session is being recorded: stop it first' };
        // Opening it checks that it is a session, and gives the size to measure progress by.
        const session = await openSession(join(setup.root, c.name));
        this.exports!.start(c.name, c.format, session.bytes);
        return { ok: true };
      }
      case 'replay': {
        if (this.recorder) return { ok: false, error: 'stop the recording first' };
        // An existing session only: the live engine is stopped for it, and a replay of nothing
        // would leave the app showing nothing.
        const dir = await sessionDir(setup.root, c.name);
        const next = await Engine.start({
          ...this.base,
          replay: { dir, speed: c.speed, workerUrl: setup.replayWorkerUrl },
        });
        await this.swapTo(next);
        this.replaying = { name: basename(dir), speed: c.speed };
        return { ok: true };
      }
      case 'pause':
      case 'resume':
      case 'speed':
      case 'seek': {
        if (!this.replaying) return { ok: false, error: 'no replay in progress' };
        const replay = this.engine.feeds[0] as ReplayHost;
        if (c.action === 'pause') replay.pause();
        else if (c.action === 'resume') replay.resume();
        else if (c.action === 'speed') {
          replay.setSpeed(c.speed);
          this.replaying.speed = c.speed;
        } else replay.seek(c.to);
        return { ok: true };
      }
      case 'live': {
        if (!this.replaying) return { ok: false, error: 'already live' };
        const next = await Engine.start({ ...this.base, config: this.config });
        await this.swapTo(next);
        this.replaying = null;
        return { ok: true };
      }
    }
  }

  /** Reads one session's blocks and counts what it holds; never throws. */
  async inspect(name: unknown): Promise<InspectReply> {
    const setup = this.recording;
    if (!setup) return { ok: false, error: 'recording is not set up for this engine' };
    try {
      const dir = join(setup.root, checkSessionName(name));
      const i = await inspectSession(dir);
      return { ok: true, inspection: i };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  /** A finished export's file, by session name and format (both checked); never throws. */
  async exportedFile(
    name: unknown,
    format: unknown,
  ): Promise<{ ok: true; path: string; size: number } | { ok: false; error: string }> {
    if (!this.exports) return { ok: false, error: 'recording is not set up for this engine' };
    try {
      return { ok: true, ...(await this.exports.file(name, format)) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  private async stopRecording(reason: string | null): Promise<void> {
    const r = this.recorder;
    if (!r) return;
    this.recorder = null;
    const { stats, error } = await r.stop();
    this.lastRecording = {
      active: false,
      name: this.recorderName,
      dir: r.dir,
      startedAt: r.startedAt,
      records: stats.records,
      blocks: stats.blocks,
      bytes: stats.bytes,
      rawBytes: stats.rawBytes,
      compressionRatio: stats.bytes > 0 ? stats.rawBytes / stats.bytes : null,
      rawBlocks: stats.rawBlocks,
      segment: stats.segment,
      policy: this.recorderPolicy,
      error: error ?? reason,
      freeBytes: null,
      at: 0,
    };
    this.recorderName = null;
    this.recorderPolicy = null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    await this.stopRecording(null);
    await this.exports?.stop();
    await this.engine.stop();
  }
}
