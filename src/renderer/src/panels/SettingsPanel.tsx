/**
 * Settings: what Tickscope connects to. A drawer over the right of the dashboard (the charts keep
 * their space and keep running underneath), opened from the header or with ',' and closed with
 * Esc. It edits the config contract of src/common/config.ts — the simulator, used while no live
 * feed is enabled, and the live feeds — checks every keystroke with the engine's own
 * `parseConfig`, and applies through the config client; the engine restarts the feeds and the
 * frames keep arriving on the same transport. Refusals are shown on the fields they name. The
 * recording policy is saved the same way but restarts nothing: the next recording takes it up,
 * a running one keeps the policy it started with (the section says which is in force).
 */
import {
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import './recording.css';
import {
  RECORDING_CODECS,
  RECORDING_LIMITS,
  type RecordingCodec,
  SIM_FAULT_NAMES,
  type TickscopeConfig,
  VENUE_NAMES,
  type VenueName,
} from '../../../common/config.ts';
import { Drawer } from '../layout/Drawer.tsx';
import { useAppStore } from '../store/app-store.ts';
import { useSessionsStore } from '../store/sessions-store.ts';
import { getConfig, setConfig } from '../transport/config-client.ts';
import {
  type ConfigDraft,
  checkDraft,
  type FeedDraft,
  feedDraft,
  inForce,
  onlyPolicyDiffers,
  policyText,
  routeErrors,
  sameConfig,
  shortError,
  toDraft,
} from './settings-form.ts';

type Outcome =
  | { kind: 'applied'; savedTo: string | null }
  | { kind: 'refused'; errors: string[] }
  | { kind: 'invalid'; count: number }
  | null;

const FAULT_HINT = 'disconnect@every:30s,dropped-delta:okx@every:10s';

function FieldError(props: { errors: string[] | undefined; id: string }) {
  if (!props.errors || props.errors.length === 0) return null;
  return (
    <div className="st-error" id={props.id} role="alert" data-testid={`error-${props.id}`}>
      {props.errors.map(shortError).join(' · ')}
    </div>
  );
}

function Field(props: { label: string; htmlFor?: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="st-field">
      <label className="st-label" htmlFor={props.htmlFor}>
        {props.label}
      </label>
      <div className="st-control">
        {props.children}
        {props.hint}
      </div>
    </div>
  );
}

const errId = (field: string): string => `err-${field.replace(/[[\].]/g, '-')}`;

type Invalid = (f: string) => { 'aria-invalid'?: true; 'aria-describedby'?: string };

/** A number with its unit, and its errors under it: the recording policy's fields. */
function NumberField(props: {
  id: string;
  label: string;
  /** The config path its errors are reported under. */
  path: string;
  value: string;
  unit: string;
  title: string;
  disabled?: boolean;
  onChange(value: string): void;
  fieldErrors(f: string): string[] | undefined;
  invalid: Invalid;
}) {
  return (
    <Field label={props.label} htmlFor={props.id}>
      <div className="st-inline">
        <input
          id={props.id}
          className="st-input mono st-num"
          inputMode="numeric"
          value={props.value}
          disabled={props.disabled}
          autoComplete="off"
          title={props.title}
          onChange={(e) => props.onChange(e.target.value)}
          {...props.invalid(props.path)}
        />
        <span className="st-unit">{props.unit}</span>
      </div>
      <FieldError errors={props.fieldErrors(props.path)} id={errId(props.path)} />
    </Field>
  );
}

export function SettingsPanel() {
  const open = useAppStore((s) => s.settingsOpen);
  const setOpen = useAppStore((s) => s.setSettingsOpen);
  const close = useCallback(() => setOpen(false), [setOpen]);
  const setDirtyFlag = useAppStore((s) => s.setSettingsDirty);
  const [current, setCurrent] = useState<TickscopeConfig | null>(null);
  const [draft, setDraft] = useState<ConfigDraft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'loading' | 'applying' | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const panel = useRef<HTMLDivElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  const check = useMemo(() => (draft ? checkDraft(draft) : null), [draft]);
  const dirty = !!(current && draft && !(check?.ok && sameConfig(check.config, current)));
  useEffect(() => setDirtyFlag(dirty), [dirty, setDirtyFlag]);

  // The server's refusal names fields too; it stays on them until the next edit.
  const errors = useMemo(() => {
    const local = check && !check.ok ? check.errors : [];
    const server = outcome?.kind === 'refused' ? outcome.errors : [];
    return routeErrors([...new Set([...local, ...server])]);
  }, [check, outcome]);
  const fieldErrors = (f: string): string[] | undefined => errors.fields.get(f);
  const invalid = (f: string): { 'aria-invalid'?: true; 'aria-describedby'?: string } =>
    errors.fields.has(f) ? { 'aria-invalid': true, 'aria-describedby': errId(f) } : {};

  const load = useCallback(async () => {
    setBusy('loading');
    setLoadError(null);
    try {
      const c = await getConfig();
      setCurrent(c);
      // Unapplied edits survive closing and reopening; otherwise show what is in force.
      setDraft((d) => (d && useAppStore.getState().settingsDirty ? d : toDraft(c)));
    } catch (err) {
      setLoadError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }, []);

  // Opening: read the config in force, remember where the focus was, put it in the drawer.
  useEffect(() => {
    if (!open) return;
    returnFocus.current = document.activeElement as HTMLElement | null;
    setOutcome((o) => (o?.kind === 'applied' ? null : o));
    void load();
    return () => {
      returnFocus.current?.focus?.();
    };
  }, [open, load]);
  const focused = useRef(false);
  useEffect(() => {
    if (!open) {
      focused.current = false;
      return;
    }
    if (focused.current || !draft) return;
    focused.current = true;
    panel.current?.querySelector<HTMLElement>('input, select, button.st-primary')?.focus();
  }, [open, draft]);

  const edit = (fn: (d: ConfigDraft) => ConfigDraft): void => {
    setDraft((d) => (d ? fn(d) : d));
    setOutcome((o) => (o?.kind === 'applied' ? o : null));
  };
  const editFeed = (key: number, patch: Partial<FeedDraft>): void =>
    edit((d) => ({ ...d, feeds: d.feeds.map((f) => (f.key === key ? { ...f, ...patch } : f)) }));

  const apply = async (): Promise<void> => {
    if (!draft || !check || busy) return;
    if (!check.ok) {
      setOutcome({ kind: 'invalid', count: check.errors.length });
      panel.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    setBusy('applying');
    setOutcome(null);
    try {
      const reply = await setConfig(check.config);
      if (reply.ok) {
        setCurrent(reply.config);
        setDraft(toDraft(reply.config));
        setOutcome({ kind: 'applied', savedTo: reply.savedTo });
        // Apply goes disabled (nothing left to apply): keep the focus in the drawer.
        panel.current?.focus();
      } else {
        setOutcome({ kind: 'refused', errors: reply.errors });
      }
    } catch (err) {
      setOutcome({ kind: 'refused', errors: [(err as Error).message] });
    } finally {
      setBusy(null);
    }
  };
  const revert = (): void => {
    if (!current) return;
    setDraft(toDraft(current));
    setOutcome(null);
  };
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    void apply();
  };

  // Ctrl/⌘+Enter applies from anywhere in the drawer (Esc and Tab: the Drawer).
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void apply();
    }
  };

  if (!open) return null;

  const force = current ? inForce(current) : null;
  const policyOnly = !!(check?.ok && current && dirty && onlyPolicyDiffers(check.config, current));
  const next =
    check?.ok && dirty
      ? policyOnly
        ? {
            label: 'Recording policy',
            detail: `${policyText(check.config.recording)} · from the next recording`,
          }
        : inForce(check.config)
      : null;
  const liveDraft = draft ? draft.feeds.some((f) => f.enabled) : false;

  return (
    <Drawer
      title="Settings"
      sub="what Tickscope connects to"
      titleId="st-title"
      testId="settings-panel"
      closeLabel="Close settings"
      onClose={close}
      panelRef={panel}
      onKeyDown={onKeyDown}
    >
      <div className="st-force" data-testid="settings-in-force" data-live={force?.live ? '' : undefined}>
        <span className={`st-force-dot ${force?.live ? 'live' : 'sim'}`} />
        <div className="st-force-text">
          <div className="st-force-line">
            <span className="st-force-label">In force</span>
            <span className="st-force-what" data-testid="in-force-label">
              {force ? force.label : busy === 'loading' ? 'reading…' : '—'}
            </span>
          </div>
          {force && <div className="st-force-detail">{force.detail}</div>}
        </div>
      </div>

      {loadError && !draft && (
        <div className="st-load-error" role="alert" data-testid="settings-load-error">
          <div>Cannot read the configuration: {loadError}</div>
          <button type="button" className="st-button" onClick={() => void load()}>
            Retry
          </button>
        </div>
      )}

      {draft && (
        <form className="st-form" onSubmit={onSubmit} noValidate>
          <div className="st-scroll">
            <section className="st-section" data-dormant={liveDraft ? '' : undefined}>
              <div className="st-section-head">
                <h3>Simulator</h3>
                <span className="st-note">
                  {liveDraft ? 'not used while a live feed is enabled' : 'runs while no live feed is enabled'}
                </span>
              </div>

              <Field label="Venues">
                <fieldset
                  className="st-venues"
                  aria-label="Simulator venues"
                  data-testid="sim-venues"
                  {...invalid('simulator.venues')}
                >
                  {VENUE_NAMES.map((v) => (
                    <label className="st-toggle" key={v}>
                      <input
                        type="checkbox"
                        name={`sim-venue-${v}`}
                        checked={draft.venues.includes(v)}
                        onChange={(e) =>
                          edit((d) => ({
                            ...d,
                            venues: e.target.checked ? [...d.venues, v] : d.venues.filter((x) => x !== v),
                          }))
                        }
                      />
                      <span>{v}</span>
                    </label>
                  ))}
                </fieldset>
                <FieldError errors={fieldErrors('simulator.venues')} id={errId('simulator.venues')} />
              </Field>

              <Field label="Symbols" htmlFor="sim-symbols">
                <input
                  id="sim-symbols"
                  className="st-input mono"
                  value={draft.symbols}
                  spellCheck={false}
                  autoComplete="off"
                  placeholder="BTC-USDT, ETH-USDT"
                  onChange={(e) => edit((d) => ({ ...d, symbols: e.target.value }))}
                  {...invalid('simulator.symbols')}
                />
                <FieldError errors={fieldErrors('simulator.symbols')} id={errId('simulator.symbols')} />
              </Field>

              <div className="st-pair">
                <Field label="Rate" htmlFor="sim-rate">
                  <div className="st-inline">
                    <input
                      id="sim-rate"
                      className="st-input mono st-num"
                      inputMode="numeric"
                      value={draft.rateMax ? '' : draft.rate}
                      placeholder={draft.rateMax ? 'max' : '600'}
                      disabled={draft.rateMax}
                      autoComplete="off"
                      onChange={(e) => edit((d) => ({ ...d, rate: e.target.value }))}
                      {...invalid('simulator.rate')}
                    />
                    <span className="st-unit">events/s</span>
                    <label className="st-check">
                      <input
                        type="checkbox"
                        name="sim-rate-max"
                        checked={draft.rateMax}
                        onChange={(e) => edit((d) => ({ ...d, rateMax: e.target.checked }))}
                      />
                      max
                    </label>
                  </div>
                  <FieldError errors={fieldErrors('simulator.rate')} id={errId('simulator.rate')} />
                </Field>
                <Field label="Seed" htmlFor="sim-seed">
                  <input
                    id="sim-seed"
                    className="st-input mono st-num"
                    inputMode="numeric"
                    value={draft.seed}
                    autoComplete="off"
                    onChange={(e) => edit((d) => ({ ...d, seed: e.target.value }))}
                    {...invalid('simulator.seed')}
                  />
                  <FieldError errors={fieldErrors('simulator.seed')} id={errId('simulator.seed')} />
                </Field>
              </div>

              <Field
                label="Faults"
                htmlFor="sim-faults"
                hint={
                  <div className="st-hint" id="sim-faults-hint">
                    <div>
                      <code>fault[:venue][@every:30s]</code>, comma-separated · empty for none
                    </div>
                    <div>
                      e.g. <code className="st-example">{FAULT_HINT}</code>
                    </div>
                    <div className="st-hint-faults">{SIM_FAULT_NAMES.join(' · ')}</div>
                  </div>
                }
              >
                <input
                  id="sim-faults"
                  className="st-input mono"
                  value={draft.faults}
                  spellCheck={false}
                  autoComplete="off"
                  placeholder="none"
                  aria-describedby="sim-faults-hint"
                  onChange={(e) => edit((d) => ({ ...d, faults: e.target.value }))}
                  {...invalid('simulator.faults')}
                />
                <FieldError errors={fieldErrors('simulator.faults')} id={errId('simulator.faults')} />
              </Field>
            </section>

            <section className="st-section">
              <div className="st-section-head">
                <h3>Live feeds</h3>
                <span className="st-note">
                  {draft.feeds.length === 0
                    ? 'none'
                    : `${draft.feeds.filter((f) => f.enabled).length} of ${draft.feeds.length} enabled`}
                </span>
                <button
                  type="button"
                  className="st-button st-add"
                  data-testid="add-feed"
                  onClick={() => edit((d) => ({ ...d, feeds: [...d.feeds, feedDraft()] }))}
                >
                  + Add feed
                </button>
              </div>
              {draft.feeds.length === 0 && (
                <p className="st-empty">
                  No live feed. Add one to connect to a venue; the simulator runs while none is enabled.
                </p>
              )}
              <FieldError errors={fieldErrors('feeds')} id={errId('feeds')} />
              {draft.feeds.map((f, i) => (
                <FeedRow
                  key={f.key}
                  feed={f}
                  index={i}
                  fieldErrors={fieldErrors}
                  invalid={invalid}
                  onChange={(patch) => editFeed(f.key, patch)}
                  onRemove={() => edit((d) => ({ ...d, feeds: d.feeds.filter((x) => x.key !== f.key) }))}
                />
              ))}
            </section>

            <RecordingSection draft={draft} edit={edit} fieldErrors={fieldErrors} invalid={invalid} />
          </div>

          <footer className="st-foot">
            <div className="st-status" aria-live="polite" data-testid="settings-status">
              <Status
                outcome={outcome}
                general={errors.general}
                busy={busy}
                policyOnly={policyOnly}
                dirty={dirty}
                invalidCount={check && !check.ok ? check.errors.length : 0}
                next={next}
                nowLabel={force?.label}
              />
            </div>
            <div className="st-actions">
              <button
                type="button"
                className="st-button"
                onClick={revert}
                disabled={!dirty || busy === 'applying'}
                title="Back to the config in force"
              >
                Revert
              </button>
              <button
                type="submit"
                className="st-button st-primary"
                disabled={!dirty || busy === 'applying'}
                title="Apply and save (Ctrl+Enter)"
              >
                {busy === 'applying' ? 'Applying…' : 'Apply'}
              </button>
            </div>
          </footer>
        </form>
      )}
    </Drawer>
  );
}

function Status(props: {
  outcome: Outcome;
  general: string[];
  busy: 'loading' | 'applying' | null;
  /** Only the recording policy changes: applying restarts nothing. */
  policyOnly: boolean;
  dirty: boolean;
  invalidCount: number;
  next: { label: string; detail: string } | null;
  /** The label of the config in force: the pending line names the mode only when it changes. */
  nowLabel: string | undefined;
}) {
  const { outcome, general, busy, dirty, invalidCount, next, nowLabel } = props;
  if (busy === 'applying')
    return (
      <span className="st-msg">
        {props.policyOnly ? 'Saving the recording policy…' : 'Applying · restarting the feeds…'}
      </span>
    );
  if (outcome?.kind === 'refused') {
    return (
      <span className="st-msg bad" data-testid="settings-refused">
        Refused by the engine
        {general.length > 0 ? `: ${general.join(' · ')}` : ' — see the marked fields'}
      </span>
    );
  }
  if (invalidCount > 0) {
    return (
      <span className="st-msg bad" data-testid="settings-invalid">
        {invalidCount} problem{invalidCount === 1 ? '' : 's'} to fix
        {general.length > 0 ? `: ${general.join(' · ')}` : ''}
      </span>
    );
  }
  if (outcome?.kind === 'applied' && !dirty) {
    return (
      <span className="st-msg good" data-testid="settings-applied">
        Applied · {outcome.savedTo ? `saved to ${outcome.savedTo}` : 'not saved (no config file)'}
      </span>
    );
  }
  if (dirty && next) {
    return (
      <span className="st-msg st-pending" title={`${next.label} — ${next.detail}`}>
        <span className="st-pending-head">Not applied</span>
        <span className="st-pending-next">
          then {next.label !== nowLabel && <strong>{next.label} · </strong>}
          {next.detail}
        </span>
      </span>
    );
  }
  return (
    <span className="st-msg dim">
      Apply restarts the feeds; the dashboard keeps running · <kbd>Ctrl</kbd> <kbd>Enter</kbd> applies
    </span>
  );
}

/**
 * The recording policy: fsync interval, codec, compressors, segment size. Applies to the next
 * recording; while one runs, the section says so and shows the policy that one keeps.
 */
function RecordingSection(props: {
  draft: ConfigDraft;
  edit(fn: (d: ConfigDraft) => ConfigDraft): void;
  fieldErrors(f: string): string[] | undefined;
  invalid: Invalid;
}) {
  const { draft, edit, fieldErrors, invalid } = props;
  const rec = useSessionsStore((s) => s.state?.recording);
  const running = rec?.active && rec.policy ? rec.policy : null;
  const [fLo, fHi] = RECORDING_LIMITS.fsyncMs;
  const [cLo, cHi] = RECORDING_LIMITS.compressors;
  const [sLo, sHi] = RECORDING_LIMITS.segmentMiB;
  return (
    <section className="st-section" data-testid="settings-recording">
      <div className="st-section-head">
        <h3>Recording</h3>
        <span className="st-note">applies to the next recording</span>
      </div>
      <div className="st-policy-grid">
        <NumberField
          id="rec-fsync"
          label="fsync every"
          path="recording.fsyncMs"
          value={draft.fsyncMs}
          unit="ms"
          title={`How often the segment file is flushed to the disk, at most (${fLo} = after every block, up to ${fHi.toLocaleString('en-US')} ms): shorter is safer on a crash, longer is cheaper`}
          onChange={(v) => edit((d) => ({ ...d, fsyncMs: v }))}
          fieldErrors={fieldErrors}
          invalid={invalid}
        />
        <Field label="Codec" htmlFor="rec-codec">
          <select
            id="rec-codec"
            className="st-input st-select"
            value={draft.codec}
            title="columnar (v2): records coded as integer columns per kind, then zstd, by a pool of workers — the smallest sessions; zstd (v1): byte-shuffled records, then zstd; a block that finds no worker idle is stored raw, counted; none: every block stored byte-shuffled, uncompressed"
            onChange={(e) => edit((d) => ({ ...d, codec: e.target.value as RecordingCodec }))}
            {...invalid('recording.codec')}
          >
            {RECORDING_CODECS.map((c) => (
              <option key={c} value={c}>
                {c === 'none' ? 'none (uncompressed)' : c === 'columnar' ? 'columnar (v2)' : 'zstd (v1)'}
              </option>
            ))}
          </select>
          <FieldError errors={fieldErrors('recording.codec')} id={errId('recording.codec')} />
        </Field>
        <NumberField
          id="rec-compressors"
          label="Compressors"
          path="recording.compressors"
          value={draft.compressors}
          unit="workers"
          title={`Compression worker threads, ${cLo} … ${cHi}`}
          disabled={draft.codec === 'none'}
          onChange={(v) => edit((d) => ({ ...d, compressors: v }))}
          fieldErrors={fieldErrors}
          invalid={invalid}
        />
        <NumberField
          id="rec-segment"
          label="Segment size"
          path="recording.segmentMiB"
          value={draft.segmentMiB}
          unit="MiB"
          title={`A new segment file is started beyond this size, ${sLo} … ${sHi.toLocaleString('en-US')} MiB`}
          onChange={(v) => edit((d) => ({ ...d, segmentMiB: v }))}
          fieldErrors={fieldErrors}
          invalid={invalid}
        />
      </div>
      <p className="st-policy-note" data-testid="settings-recording-note">
        {running
          ? `A recording is running: it keeps ${policyText(running)}. Changes apply to the next one.`
          : 'Saved with the settings; applying restarts nothing. The running recording, if any, keeps its own policy.'}
      </p>
    </section>
  );
}

/** A feed row's fields and the names its errors go by (two URLs share the row's error lines). */
const FEED_FIELDS = [
  ['venue', 'venue'],
  ['symbols', 'symbols'],
  ['url', 'WS URL'],
  ['restUrl', 'REST URL'],
  ['books', 'books'],
  ['enabled', 'enabled'],
] as const;

function FeedRow(props: {
  feed: FeedDraft;
  index: number;
  fieldErrors(f: string): string[] | undefined;
  invalid(f: string): { 'aria-invalid'?: true; 'aria-describedby'?: string };
  onChange(patch: Partial<FeedDraft>): void;
  onRemove(): void;
}) {
  const { feed: f, index: i, fieldErrors, invalid, onChange } = props;
  const at = (k: string): string => `feeds[${i}].${k}`;
  const id = (k: string): string => `feed-${f.key}-${k}`;
  return (
    <div className="st-feed" data-testid="feed-row" data-enabled={f.enabled ? '' : undefined}>
      <div className="st-feed-line">
        <label className="st-check" title="Connect this feed">
          <input
            type="checkbox"
            name={id('enabled')}
            aria-label={`Feed ${i + 1} enabled`}
            checked={f.enabled}
            onChange={(e) => onChange({ enabled: e.target.checked })}
          />
        </label>
        <select
          className="st-input st-select"
          aria-label={`Feed ${i + 1} venue`}
          value={f.venue}
          onChange={(e) => onChange({ venue: e.target.value as VenueName })}
          {...invalid(at('venue'))}
        >
          {VENUE_NAMES.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <input
          className="st-input mono st-grow"
          aria-label={`Feed ${i + 1} symbols`}
          placeholder="BTC-USDT, ETH-USDT"
          value={f.symbols}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => onChange({ symbols: e.target.value })}
          {...invalid(at('symbols'))}
        />
        <label className="st-check" title="L2 book and top of book as well as trades">
          <input
            type="checkbox"
            name={id('books')}
            checked={f.books}
            onChange={(e) => onChange({ books: e.target.checked })}
          />
          books
        </label>
        <button
          type="button"
          className="st-icon"
          aria-label={`Remove feed ${i + 1}`}
          title="Remove"
          onClick={props.onRemove}
        >
          <svg viewBox="0 0 12 12" width="10" height="10" aria-hidden="true">
            <path d="M2 2l8 8M10 2l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
          </svg>
        </button>
      </div>
      <div className="st-feed-line st-feed-urls">
        <input
          className="st-input mono st-grow"
          aria-label={`Feed ${i + 1} WebSocket URL`}
          placeholder={`WS URL · ${f.venue}'s public endpoint`}
          value={f.url}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => onChange({ url: e.target.value })}
          {...invalid(at('url'))}
        />
        <input
          className="st-input mono st-grow"
          aria-label={`Feed ${i + 1} REST URL`}
          placeholder="REST URL · default"
          value={f.restUrl}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => onChange({ restUrl: e.target.value })}
          {...invalid(at('restUrl'))}
        />
      </div>
      {FEED_FIELDS.map(([k, label]) => (
        <FieldError
          key={k}
          errors={fieldErrors(at(k))?.map((e) => `${label}: ${shortError(e)}`)}
          id={errId(at(k))}
        />
      ))}
    </div>
  );
}
